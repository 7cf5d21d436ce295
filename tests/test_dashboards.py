"""Dashboard pages and rankings exports through HTTP, on small generated data."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from targets.models import Metric
from tests.factories import FederationFactory, MemberFactory, QuotaFactory, UnionFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def two_feds(fed_a, fed_b):
    """A: 3 of 4 members in 2024 and 1 of 2 unions; B: 1 of 10 members, no union quota."""
    QuotaFactory(federation=fed_a, year=2024, metric=Metric.NEW_MEMBERS, target=4)
    QuotaFactory(federation=fed_a, year=2024, metric=Metric.NEW_UNIONS, target=2)
    QuotaFactory(federation=fed_b, year=2024, metric=Metric.NEW_MEMBERS, target=10)
    union_a = UnionFactory(federation=fed_a, founded_on=D(2024, 3, 1), name="=HYPERLINK(1)")
    for day in (1, 2, 3):
        MemberFactory(union=union_a, admitted_on=D(2024, 5, day))
    union_b = UnionFactory(federation=fed_b, founded_on=D(2019, 1, 1))
    MemberFactory(union=union_b, admitted_on=D(2024, 6, 1))
    return fed_a, fed_b


def page(client, name, *args, **params):
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_anonymous_is_sent_to_login(client, two_feds):
    for name, args in (("home", ()), ("overview", ()), ("rankings", ()),
                       ("federation_detail", ("fed-a",)), ("rankings_export", ("csv",))):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_home_sends_each_role_to_its_page(client_for, officer_a, city_staff, two_feds):
    response = client_for(officer_a).get(reverse("home"))
    assert response["Location"] == reverse("federation_detail", args=["fed-a"])
    response = client_for(city_staff).get(reverse("home"))
    assert response["Location"] == reverse("overview")


def test_federation_page_figures_in_vietnamese(client_for, officer_a, two_feds):
    html = page(client_for(officer_a), "federation_detail", "fed-a", year=2024)
    assert "3/4 đoàn viên — 75,0%" in html or "3/4 members — 75,0%" in html
    assert "75,0%" in html and "50,0%" in html
    assert 'data-chart="chart-members"' in html and 'data-chart="chart-sectors"' in html
    assert "vendor/plotly/plotly-basic.min.js" in html


def test_federation_page_in_english(client_for, officer_a, two_feds):
    client = client_for(officer_a)
    client.cookies["unionboard_language"] = "en"
    html = page(client, "federation_detail", "fed-a", year=2024)
    assert "3/4 members — 75.0%" in html
    assert "1/2 unions — 50.0%" in html


def test_officer_cannot_open_another_federation(client_for, officer_a, two_feds):
    response = client_for(officer_a).get(reverse("federation_detail", args=["fed-b"]))
    assert response.status_code == 404


def test_overview_counts_only_what_the_user_sees(client_for, officer_a, city_staff, two_feds):
    # officer A: A's own totals only (3 of 4), never B's admissions
    html = page(client_for(officer_a), "overview", year=2024)
    assert "3 / 4 — 75,0%" in html
    html = page(client_for(city_staff), "overview", year=2024)
    assert "4 / 14 — 28,6%" in html  # both federations


def test_rankings_table_and_links(client_for, officer_a, city_staff, two_feds):
    html = page(client_for(officer_a), "rankings", year=2024)
    # the league shows B's name and figures, but no link into B
    assert "LĐLĐ huyện Bình Minh" in html
    assert reverse("federation_detail", args=["fed-b"]) not in html
    assert reverse("federation_detail", args=["fed-a"]) in html
    staff_html = page(client_for(city_staff), "rankings", year=2024)
    assert reverse("federation_detail", args=["fed-b"]) in staff_html


@pytest.mark.parametrize(
    "column", ["rank", "name", "kind", "new_members", "new_unions", "score", "rank_change"]
)
def test_every_ranking_column_sorts_both_ways(client_for, city_staff, two_feds, column):
    client = client_for(city_staff)
    ascending = page(client, "rankings", year=2024, sort=column)
    descending = page(client, "rankings", year=2024, sort=f"-{column}")
    a, b = ascending.index("Ánh Dương"), ascending.index("Bình Minh")
    c, d = descending.index("Ánh Dương"), descending.index("Bình Minh")
    if column == "rank_change":
        return  # neither has a rank last year: both orders keep code order
    assert (a < b) != (c < d), column


def test_rankings_filter_by_kind(client_for, city_staff, two_feds):
    html = page(client_for(city_staff), "rankings", year=2024, kind="rural_district")
    assert "Bình Minh" in html and "Ánh Dương" not in html


def test_invalid_as_of_shows_an_error(client_for, city_staff, two_feds):
    client = client_for(city_staff)
    client.cookies["unionboard_language"] = "en"
    html = page(client, "rankings", year=2024, as_of="2023-05-01")
    assert "The as-of date must fall in the chosen year." in html


def test_csv_export(client_for, city_staff, two_feds):
    response = client_for(city_staff).get(
        reverse("rankings_export", args=["csv"]), {"year": 2024, "as_of": "2024-12-31"}
    )
    assert response.status_code == 200
    assert "rankings_2024_as-of-2024-12-31.csv" in response["Content-Disposition"]
    # A byte order mark first, so that Excel reads the diacritics as UTF-8.
    assert response.content.startswith(b"\xef\xbb\xbfrank,")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "rank", "federation", "name", "new_members", "new_members_target", "new_members_pct",
        "new_unions", "new_unions_target", "new_unions_pct", "score",
    ]
    assert rows[1] == ["1", "fed-a", "LĐLĐ quận Ánh Dương", "3", "4", "75.0", "1", "2", "50.0", "62.5"]
    assert rows[2] == ["2", "fed-b", "LĐLĐ huyện Bình Minh", "1", "10", "10.0", "0", "", "", "10.0"]


def report_rows(sheet) -> list[list]:
    """The sheet's values, each row cut after its last filled cell."""
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [row[: max((i + 1 for i, v in enumerate(row) if v is not None), default=0)] for row in values]


def test_xlsx_export_is_a_printable_report_in_vietnamese(client_for, city_staff, two_feds):
    FederationFactory(code="fed-z", name="=cmd|' /C calc'!A0", kind="rural_district")
    response = client_for(city_staff).get(
        reverse("rankings_export", args=["xlsx"]), {"year": 2024, "as_of": "2024-10-31"}
    )
    assert response.status_code == 200
    assert "rankings_2024_as-of-2024-10-31.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    rows = report_rows(sheet)

    # The title: what, for whom, up to when.
    assert sheet.title == "Xếp hạng"
    assert rows[0] == ["Xếp hạng các công đoàn cấp trên năm 2024"]
    assert rows[1] == ["Toàn thành phố — số liệu tính đến ngày 31/10/2024"]
    assert rows[2][0].startswith("2 công đoàn cấp trên được xếp hạng.")
    assert sheet["A1"].font.bold and sheet["A1"].font.size == 14

    # Two heading rows as on the page, the metric groups over their columns.
    assert rows[5] == ["Hạng", "Công đoàn cấp trên", "Loại hình", "Kết nạp đoàn viên", None, None, None,
                       "Thành lập CĐCS", None, None, None, "Điểm (%)", "Thay đổi so với năm trước"]
    assert rows[6][3:11] == ["Thực hiện", "Chỉ tiêu", "Tỷ lệ đạt (%)", "Trạng thái"] * 2
    assert "D6:G6" in {str(merged) for merged in sheet.merged_cells.ranges}

    # Numbers stay numbers; they show as Vietnamese writes them.
    assert rows[7] == [1, "LĐLĐ quận Ánh Dương", "LĐLĐ quận", 3, 4, 75.0, "Chậm tiến độ",
                       1, 2, 50.0, "Chậm tiến độ", 62.5]
    assert rows[8][:7] == [2, "LĐLĐ huyện Bình Minh", "LĐLĐ huyện", 1, 10, 10.0, "Chậm tiến độ"]
    assert rows[8][7:12] == [0, None, None, None, 10.0]  # no union quota: empty cells, not zeros
    assert sheet["D8"].number_format == "[$-42A]#,##0"
    assert sheet["F8"].number_format == "[$-42A]0.0"
    assert sheet["L8"].number_format == "[$-42A]0.0"
    assert sheet["M8"].number_format.startswith('"▲ "0;"▼ "0')
    assert rows[9][1] == "'=cmd|' /C calc'!A0"  # a formula is never live in the sheet

    # Columns wide enough for what they hold; the headings stay in view and on every page.
    assert sheet.column_dimensions["B"].width >= len("LĐLĐ huyện Bình Minh")
    assert sheet.freeze_panes == "A8"
    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9)  # 9: A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$6:$7"


def test_xlsx_export_follows_the_interface_language(client_for, city_staff, two_feds):
    client = client_for(city_staff)
    client.cookies["unionboard_language"] = "en"
    response = client.get(reverse("rankings_export", args=["xlsx"]), {"year": 2024, "kind": "rural_district"})
    assert "rural_district" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = report_rows(sheet)
    assert rows[0] == ["Rankings of the federations, 2024"]
    assert rows[1] == ["Kind: Rural district federation — figures up to 12/31/2024"]
    assert rows[5][:4] == ["Rank", "Federation", "Kind", "New members"]
    # the whole of 2024 (to 31 December): 1 of 10 is a quota not met, no longer behind a pace
    assert rows[7][:7] == [
        1, "LĐLĐ huyện Bình Minh", "Rural district federation", 1, 10, 10.0, "Quota not met"
    ]
    assert len(rows) == 8  # the rural district only


def test_export_command_csv_to_stdout(two_feds):
    out = io.StringIO()
    call_command("export_rankings", "--year", "2024", "--as-of", "2024-10-31", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("\ufeffrank,federation,")
    assert lines[1] == "1,fed-a,LĐLĐ quận Ánh Dương,3,4,75.0,1,2,50.0,62.5"


def test_export_command_xlsx_to_file(two_feds, tmp_path):
    path = tmp_path / "rank.xlsx"
    call_command("export_rankings", "--year", "2024", "--format", "xlsx", "--output", str(path),
                 stderr=io.StringIO())
    rows = report_rows(load_workbook(path).active)
    assert rows[0] == ["Xếp hạng các công đoàn cấp trên năm 2024"]
    assert any(row[1:2] == ["LĐLĐ quận Ánh Dương"] for row in rows)
    call_command("export_rankings", "--year", "2024", "--format", "xlsx", "--output", str(path),
                 "--language", "en", stderr=io.StringIO())
    assert report_rows(load_workbook(path).active)[0] == ["Rankings of the federations, 2024"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2031"], "no quotas"),
        (["--year", "2024", "--as-of", "2023-12-31"], "not in 2024"),
        (["--year", "2024", "--as-of", "31/12/2024"], "YYYY-MM-DD"),
        (["--year", "2024", "--kind", "galaxy"], "unknown kind"),
        (["--year", "2024", "--format", "xlsx"], "--output"),
    ],
)
def test_export_command_bad_arguments(two_feds, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_rankings", *args, stdout=io.StringIO())


def _grow(n):
    for i in range(n):
        fed = FederationFactory()
        QuotaFactory(federation=fed, year=2024, metric=Metric.NEW_MEMBERS, target=5 + i)
        union = UnionFactory(federation=fed, founded_on=D(2024, 2, 2))
        for _ in range(3):
            MemberFactory(union=union, admitted_on=D(2024, 3, 3))


@pytest.mark.parametrize("name", ["overview", "rankings", "federation_detail"])
def test_page_queries_do_not_grow_with_data(client_for, city_staff, fed_a, name,
                                            django_assert_max_num_queries):
    client = client_for(city_staff)
    args = ("fed-a",) if name == "federation_detail" else ()
    QuotaFactory(federation=fed_a, year=2024, metric=Metric.NEW_MEMBERS, target=5)
    client.get(reverse(name, args=args), {"year": 2024})  # the user's permissions, read once and cached
    counts = []
    for size in (2, 20):  # each size is a write: the page is computed again, not read from the cache
        _grow(size)
        with translation.override("vi"):
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse(name, args=args), {"year": 2024}).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
    # session, user, access token, fingerprint, league (4), page extras
    with django_assert_max_num_queries(20):
        client.get(reverse(name, args=args), {"year": 2024})


def test_vietnamese_whatever_the_browser_says_until_the_user_switches(client_for, officer_a, two_feds):
    client = client_for(officer_a)
    page = client.get("/federations/fed-a/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.headers["Content-Language"] == "vi"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/federations/fed-a/", HTTP_ACCEPT_LANGUAGE="vi")
    assert page.headers["Content-Language"] == "en"


def test_every_chart_drawn_is_a_valid_plotly_figure(client_for, city_staff, two_feds):
    """Charts are serialized without plotly's validation (for speed): validate them here."""
    import re

    import plotly.graph_objects as go

    client = client_for(city_staff)
    figures = []
    for name, args in (("overview", ()), ("federation_detail", ("fed-a",))):
        html = page(client, name, *args, year=2024)
        figures += re.findall(r'<script type="application/json" data-chart="[^"]+">(.*?)</script>', html)
    assert len(figures) == 5  # two attainment charts, two cumulative lines, the sectors
    for figure in figures:
        go.Figure(json.loads(figure))  # raises on any property plotly does not know


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("value, decimals", [(0, 0), (4550, 0), (1234567, 0), ("70.0", 1), ("1234.5", 1)])
def test_chart_numbers_read_as_django_writes_them(language, value, decimals):
    from decimal import Decimal

    from django.utils.formats import number_format

    from targets.charts import _numbers

    value = Decimal(value) if isinstance(value, str) else value
    with translation.override(language):
        expected = number_format(value, decimals, force_grouping=True)
        assert _numbers()(value, decimals) == expected


@pytest.mark.parametrize("members_each", [2, 20])
def test_federation_page_queries_are_fixed_whatever_its_members(
    client_for, city_staff, fed_a, fed_b, members_each, django_assert_num_queries
):
    """Its rank comes from one SQL statement, its members by sector from an index: no query
    reads member rows one by one, and the count does not move with the members."""
    for fed in (fed_a, fed_b):
        QuotaFactory(federation=fed, year=2024, metric=Metric.NEW_MEMBERS, target=50)
        for sector in ("public_service", "non_state"):
            union = UnionFactory(federation=fed, sector=sector, founded_on=D(2020, 1, 1))
            MemberFactory.create_batch(members_each, union=union, admitted_on=D(2024, 4, 4))
    client = client_for(city_staff)
    client.get(reverse("overview"))  # the user's permissions, read once and cached
    # session, user, access token, the federation, the revisions; its own content: year
    # menu, figures (9: indicators, federation, quotas, admissions, foundings, reports,
    # ratings, employers, members), months (3), sectors (1), the largest uncovered employers
    # (1), union table (2), every union for print (1), quotas by year (3) (city staff may edit
    # nothing: no query); its rank in the city (the league's 9)
    with django_assert_num_queries(35):
        response = client.get(reverse("federation_detail", args=["fed-a"]), {"year": 2024})
    assert response["X-Content-Cache"] == "miss"
    assert f"{2 * members_each}/50" in response.content.decode()
