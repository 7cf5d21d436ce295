"""Indicators as data: reported figures, norms, weights and union ratings, through every door."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from branches.models import Federation
from imports import service
from targets import progress
from targets.models import Indicator, Quota, Report, UnionRating
from targets.services import report_set
from tests.factories import FederationFactory, MemberFactory, QuotaFactory, UnionFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def english(settings, tmp_path):
    settings.IMPORT_TEMP_DIR = str(tmp_path / "pending")
    with translation.override("en"):
        yield


def ind(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def run(kind: str, text: str, **options) -> service.ImportResult:
    return service.import_file(
        kind=kind, source=io.BytesIO(text.encode()), filename="f.csv", commit=True, **options
    )


def messages_of(result) -> list[str]:
    return [str(problem) for problem in result.problems]


def league_row(fed, year, as_of=None):
    return progress.federation_progress(fed, progress.make_period(year, as_of))


# --- the built-ins ------------------------------------------------------------------------------


def test_the_built_in_indicators_come_with_the_migration():
    counted = set(Indicator.objects.filter(source="counted").values_list("code", flat=True))
    assert counted == {"new_members", "new_unions", "rated_good_share", "coverage", "density"}
    reported = set(Indicator.objects.filter(source="reported").values_list("code", flat=True))
    assert {
        "party_referrals",
        "party_admissions",
        "officers_trained",
        "training_sessions",
        "collective_agreements",
        "workers_conferences",
        "welfare_agreements",
        "welfare_beneficiaries",
        "welfare_value",
    } <= reported


# --- reported actuals -------------------------------------------------------------------------------


def test_the_actual_is_the_latest_report_of_the_year_on_or_before_as_of(fed_a):
    referrals = ind("party_referrals")
    for as_of, value in (
        (D(2023, 12, 31), 90),
        (D(2024, 3, 31), 10),
        (D(2024, 6, 30), 25),
        (D(2024, 9, 30), 40),
    ):
        Report.objects.create(federation=fed_a, indicator=referrals, as_of=as_of, value=value)
    assert (
        league_row(fed_a, 2024, D(2024, 2, 1)).metrics["party_referrals"].actual is None
    )  # not 0, not 2023's
    assert league_row(fed_a, 2024, D(2024, 6, 30)).metrics["party_referrals"].actual == 25
    assert league_row(fed_a, 2024, D(2024, 8, 1)).metrics["party_referrals"].actual == 25
    row = league_row(fed_a, 2024, D(2024, 12, 31))
    assert row.metrics["party_referrals"].actual == 40
    assert row.previous["party_referrals"].actual == 90


def test_not_reported_reads_not_reported_and_scores_nothing(fed_a):
    QuotaFactory(federation=fed_a, year=2024, metric="new_members", target=10)
    QuotaFactory(federation=fed_a, year=2024, metric="party_referrals", target=20)
    UnionFactory(federation=fed_a, founded_on=D(2020, 1, 1))
    MemberFactory(union__federation=fed_a, admitted_on=D(2024, 2, 1))
    row = league_row(fed_a, 2024, D(2024, 12, 31))
    assert row.metrics["party_referrals"].actual is None
    assert row.score == Fraction(1, 10) / 2  # (1/10 + 0) / 2


def test_rate_target_counts_active_unions_at_the_periods_end(fed_a):
    for day in (D(2020, 1, 1), D(2021, 5, 1), D(2024, 7, 1)):
        UnionFactory(federation=fed_a, founded_on=day)
    UnionFactory(federation=fed_a, founded_on=D(2019, 1, 1), status="dissolved", status_on=D(2024, 3, 1))
    Quota.objects.create(federation=fed_a, year=2024, metric_id="party_referrals", rate=Decimal(1))
    assert league_row(fed_a, 2024, D(2024, 6, 30)).metrics["party_referrals"].target == 2
    assert league_row(fed_a, 2024, D(2024, 12, 31)).metrics["party_referrals"].target == 3
    Quota.objects.filter(federation=fed_a).update(rate=Decimal("0.5"))
    assert league_row(fed_a, 2024, D(2024, 12, 31)).metrics["party_referrals"].target == 2  # 1,5 half up


def test_the_score_is_the_weighted_mean_of_the_ratios(fed_a):
    UnionFactory(federation=fed_a, founded_on=D(2024, 1, 5))
    QuotaFactory(federation=fed_a, year=2024, metric="new_unions", target=2)  # 1/2
    Quota.objects.create(federation=fed_a, year=2024, metric_id="officers_trained", target=100, weight=3)
    Report.objects.create(federation=fed_a, indicator=ind("officers_trained"), as_of=D(2024, 6, 1), value=90)
    Quota.objects.create(federation=fed_a, year=2024, metric_id="party_admissions", target=10, weight=0)
    row = league_row(fed_a, 2024, D(2024, 12, 31))
    assert row.score == (Fraction(1, 2) + 3 * Fraction(9, 10)) / 4
    assert row.score_pct == Decimal("80.0")


def test_rated_good_share_by_sector_group(fed_a, fed_b):
    grades = {
        ("public_service", "excellent"),
        ("state_enterprise", "good"),
        ("public_service", "completed"),
        ("non_state", "good"),
        ("foreign_invested", "not_completed"),
    }
    for n, (sector, grade) in enumerate(sorted(grades)):
        union = UnionFactory(federation=fed_a, sector=sector, founded_on=D(2020, 1, 1), code=f"u-{n}")
        UnionRating.objects.create(union=union, year=2023, grade=grade)
    other = UnionFactory(federation=fed_b, sector="non_state", founded_on=D(2020, 1, 1))
    UnionRating.objects.create(union=other, year=2023, grade="good")
    period = progress.make_period(2023)
    rows = progress.league(Federation.objects.all(), period)
    share = next(r for r in rows if r.code == "fed-a").metrics["rated_good_share"]
    assert share.actual == Fraction(300, 5)  # 3 of 5
    assert (share.share(progress.STATE), share.share(progress.NON_STATE)) == (
        Decimal("66.7"),
        Decimal("50.0"),
    )
    city = progress.totals(rows, period).metrics["rated_good_share"]
    assert city.actual == Fraction(400, 6)
    assert city.share(progress.NON_STATE) == Decimal("66.7")


def _twelve_indicators_in_force(size: int):
    for n in range(12 - Indicator.objects.filter(active=True).count()):
        Indicator.objects.create(code=f"extra_{n}", name_vi=f"Thêm {n}", name_en=f"Extra {n}", unit="people")
    Indicator.objects.exclude(pk__in=Indicator.objects.order_by("order", "code").values("pk")[:12]).update(
        active=False
    )
    codes = list(Indicator.objects.filter(active=True, source="reported").values_list("code", flat=True))
    for i in range(size):
        fed = FederationFactory()
        union = UnionFactory(federation=fed, founded_on=D(2024, 2, 1), sector="non_state")
        MemberFactory(union=union, admitted_on=D(2024, 3, 1))
        UnionRating.objects.create(union=union, year=2024, grade="good")
        QuotaFactory(federation=fed, year=2024, metric="new_members", target=5)
        Quota.objects.create(federation=fed, year=2024, metric_id=codes[0], rate=Decimal(1))
        for code in codes:
            Report.objects.create(federation=fed, indicator=ind(code), as_of=D(2024, 6, 30), value=i)


@pytest.mark.parametrize("size", [2, 12])
def test_twelve_indicators_in_a_fixed_number_of_queries(size, django_assert_num_queries):
    _twelve_indicators_in_force(size)
    assert Indicator.objects.filter(active=True).count() == 12
    period = progress.make_period(2024, D(2024, 12, 31))
    # indicators, federations, quotas, admissions, foundings, reports, ratings, employers and
    # members (coverage and density in force), active unions (a rate target in force): the
    # same whatever the federations, reports and indicators
    in_force = set(Indicator.objects.filter(active=True).values_list("code", flat=True))
    assert {"coverage", "density"} <= in_force
    with django_assert_num_queries(10):
        rows = progress.league(Federation.objects.all(), period)
        progress.totals(rows, period)
    assert len(rows) == size and all(len(row.metrics) == 12 for row in rows)


def test_the_pages_with_twelve_indicators_keep_their_queries_as_data_grows(client_for, city_staff):
    """The overview, the rankings (all 12 indicators chosen) and a federation page, cold: the same
    number of queries with 2 federations as with 12, each with reports of every indicator."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(city_staff)
    client.get(reverse("overview"))  # the user's permissions, read once and cached

    def measure() -> list[int]:
        cache.clear()
        fed = Federation.objects.order_by("code").first()
        every = {
            "year": 2024,
            "indicator": list(Indicator.objects.filter(active=True).values_list("code", flat=True)),
        }
        counts = []
        for url, query in (
            (reverse("overview"), every),
            (reverse("rankings"), every),
            (reverse("federation_detail", args=[fed.code]), {"year": 2024}),
        ):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url, query).status_code == 200
            counts.append(len(captured))
        return counts

    _twelve_indicators_in_force(2)
    small = measure()
    _twelve_indicators_in_force(10)
    assert Federation.objects.count() == 12
    assert measure() == small


# --- the pages --------------------------------------------------------------------------------------


def test_the_federation_page_shows_a_card_per_indicator_with_a_quota_or_a_report(
    client_for, officer_a, fed_a
):
    QuotaFactory(federation=fed_a, year=2024, metric="new_members", target=10)
    Quota.objects.create(federation=fed_a, year=2024, metric_id="officers_trained", target=1163)
    Quota.objects.create(federation=fed_a, year=2024, metric_id="party_referrals", target=50)
    Report.objects.create(
        federation=fed_a, indicator=ind("officers_trained"), as_of=D(2024, 12, 31), value=1058
    )
    Report.objects.create(federation=fed_a, indicator=ind("party_admissions"), as_of=D(2024, 12, 31), value=7)
    with translation.override("vi"):
        page = client_for(officer_a).get("/federations/fed-a/", {"year": 2024}, HTTP_ACCEPT_LANGUAGE="vi")
    text = page.content.decode()
    assert re.search(r'data-figure="officers_trained">1.058/1.163 người — 91,0%<', text)
    assert re.search(r'data-figure="party_referrals">chưa báo cáo<', text)
    assert re.search(r'data-figure="party_admissions">7 người<', text)
    assert 'data-figure="welfare_value"' not in text  # no quota, no report


def test_rankings_filter_and_csv_columns_per_indicator_in_force(client_for, city_staff, fed_a, fed_b):
    QuotaFactory(federation=fed_a, year=2024, metric="new_members", target=10)
    QuotaFactory(federation=fed_b, year=2024, metric="new_members", target=10)
    Quota.objects.create(federation=fed_a, year=2024, metric_id="party_referrals", target=40)
    Report.objects.create(federation=fed_a, indicator=ind("party_referrals"), as_of=D(2024, 6, 30), value=30)
    client = client_for(city_staff)
    default = client.get(reverse("rankings"), {"year": 2024}).content.decode()
    assert "30/40" not in default  # today's page reads the same: the membership indicators
    chosen = client.get(reverse("rankings"), {"year": 2024, "indicator": "party_referrals"}).content.decode()
    assert "30/40 người — 75,0%" in chosen
    assert re.search(r"<th[^>]*>\s*(<a[^>]*>)?\s*Giới thiệu đoàn viên ưu tú cho Đảng", chosen)
    response = client.get(reverse("rankings_export", args=["csv"]), {"year": 2024})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-4:] == ["score", "party_referrals", "party_referrals_target", "party_referrals_pct"]
    by_code = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert (by_code["fed-a"]["party_referrals"], by_code["fed-a"]["party_referrals_pct"]) == ("30", "75.0")
    assert by_code["fed-b"]["party_referrals"] == ""  # not reported: empty, never 0


# --- bad input, each refused with its message and nothing written -----------------------------------


@pytest.fixture
def closed(db):
    return FederationFactory(code="fed-closed", closed_on=D(2024, 3, 31))


REPORTS = "federation,indicator,as_of,value\n"


@pytest.mark.parametrize(
    "rows, message",
    [
        ("fed-a,party_referrals,2024-06-30,-5", "cannot be negative"),
        ("fed-a,no_such_thing,2024-06-30,5", "No indicator has the code “no_such_thing”."),
        ("fed-a,new_members,2024-06-30,5", "is counted from the records; it cannot be reported."),
        ("fed-closed,party_referrals,2024-06-30,5", "was closed on that date."),
        ("fed-a,party_referrals,2999-06-30,5", "cannot be dated in the future"),
        (
            "fed-a,party_referrals,2024-06-30,5\nfed-a,party_referrals,30/06/2024,6",
            "already on row 2 of the file",
        ),
    ],
)
def test_bad_reports_are_refused_and_nothing_written(rows, message, fed_a, closed):
    result = run("reports", REPORTS + rows + "\n")
    assert any(message in text for text in messages_of(result)), messages_of(result)
    assert not Report.objects.exists()


def test_a_percent_above_100_is_refused(fed_a):
    Indicator.objects.create(code="coverage_pct", name_vi="Tỷ lệ", name_en="Share", unit="percent")
    result = run("reports", REPORTS + "fed-a,coverage_pct,2024-06-30,101\n")
    assert any("cannot be above 100" in text for text in messages_of(result))
    assert not Report.objects.exists()


def test_a_good_reports_file_is_written_with_history(fed_a, admin_user):
    result = run(
        "reports",
        REPORTS + "fed-a,party_referrals,2024-06-30,71\nfed-a,party_admissions,2024-06-30,40\n",
        history_user=admin_user,
    )
    assert result.ok, messages_of(result)
    assert dict(Report.objects.values_list("indicator__code", "value")) == {
        "party_referrals": 71,
        "party_admissions": 40,
    }
    assert Report.history.count() == 2


def test_an_officer_imports_reports_of_their_own_federation_only(fed_a, fed_b, officer_a):
    result = run("reports", REPORTS + "fed-b,party_referrals,2024-06-30,5\n", scope_user=officer_a)
    assert any("is not one of your federations" in text for text in messages_of(result))
    assert not Report.objects.exists()


QUOTAS = "federation,year,metric,target,rate\n"


@pytest.mark.parametrize(
    "rows, message",
    [
        ("fed-a,2024,no_such_thing,5,", "No indicator has the code “no_such_thing”."),
        ("fed-a,2024,rated_good_share,,1", "A rate per grassroots union fits only"),
        ("fed-a,2024,party_referrals,5,1", "not both"),
        ("fed-a,2024,party_referrals,,", "Give a target or a rate"),
    ],
)
def test_bad_quotas_are_refused_and_nothing_written(rows, message, fed_a):
    result = run("quotas", QUOTAS + rows + "\n")
    assert any(message in text for text in messages_of(result)), messages_of(result)
    assert not Quota.objects.exists()


def test_a_quota_of_any_indicator_and_a_rate(fed_a):
    result = run("quotas", QUOTAS + "fed-a,2024,party_referrals,,1\nfed-a,2024,officers_trained,1163,\n")
    assert result.ok, messages_of(result)
    assert set(Quota.objects.values_list("metric", "target", "rate")) == {
        ("party_referrals", None, Decimal("1.000")),
        ("officers_trained", 1163, None),
    }


RATINGS = "union,year,grade\n"


def test_ratings_import_and_a_union_founded_after_the_year(fed_a):
    UnionFactory(code="cdcs-old", federation=fed_a, founded_on=D(2020, 1, 1))
    UnionFactory(code="cdcs-new", federation=fed_a, founded_on=D(2024, 1, 2))
    result = run("ratings", RATINGS + "cdcs-old,2023,tốt\ncdcs-new,2023,good\n")
    assert any("founded after 2023 ended" in text for text in messages_of(result))
    assert not UnionRating.objects.exists()
    result = run("ratings", RATINGS + "cdcs-old,2023,xuất sắc\ncdcs-new,2024,not_completed\n")
    assert result.ok, messages_of(result)
    assert set(UnionRating.objects.values_list("union__code", "grade")) == {
        ("cdcs-old", "excellent"),
        ("cdcs-new", "not_completed"),
    }


# --- the officers' report form ---------------------------------------------------------------------


def test_officer_reports_prefilled_and_a_lower_figure_is_said_and_shown(
    client_for, officer_a, city_staff, fed_a
):
    year = timezone.localdate().year
    report_set(federation=fed_a, indicator=ind("party_referrals"), as_of=D(year, 1, 1), value=30)
    client = client_for(officer_a)
    url = reverse("report_entry", args=["fed-a"])
    form = client.get(url).content.decode()
    assert re.search(r'name="party_referrals"[^>]*value="30"', form)
    response = client.post(
        url,
        {"as_of": timezone.localdate().isoformat(), "party_referrals": "25", "party_admissions": "4"},
        follow=True,
    )
    text = response.content.decode()
    assert "giảm từ 30 xuống 25" in text
    assert dict(
        Report.objects.filter(as_of=timezone.localdate()).values_list("indicator__code", "value")
    ) == {
        "party_referrals": 25,
        "party_admissions": 4,
    }
    assert (
        Report.objects.get(indicator__code="party_referrals", as_of=timezone.localdate()).entered_by
        == officer_a
    )
    staff_page = client_for(city_staff).get(reverse("federation_detail", args=["fed-a"])).content.decode()
    assert 'data-lowered="party_referrals"' in staff_page


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"party_referrals": "-1"}, "party_referrals", "Số liệu báo cáo không được âm."),
        ({"party_referrals": "3", "as_of": "2000-01-01"}, "as_of", "Ngày phải thuộc năm"),
        ({"party_referrals": "3", "as_of": "2999-01-01"}, "as_of", "Ngày báo cáo không được ở tương lai."),
        ({}, None, "Hãy nhập ít nhất một số liệu."),
    ],
)
def test_officer_report_refused_with_its_message_and_nothing_written(
    data, field, message, client_for, officer_a
):
    payload = {"as_of": timezone.localdate().isoformat(), **data}
    response = client_for(officer_a).post(reverse("report_entry", args=["fed-a"]), payload)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in text for text in errors.get(field or "__all__", [])), errors
    assert not Report.objects.exists()


def test_a_new_indicator_from_the_admin_is_reported_without_code(client_for, admin_user, officer_a, fed_a):
    response = client_for(admin_user).post(
        reverse("admin:targets_indicator_add"),
        {
            "code": "blood_donors",
            "name_vi": "Đoàn viên hiến máu",
            "name_en": "Blood donors",
            "unit": "people",
            "source": "reported",
            "order": "130",
            "active": "on",
        },
    )
    assert response.status_code == 302
    client = client_for(officer_a)
    response = client.post(
        reverse("report_entry", args=["fed-a"]),
        {"as_of": timezone.localdate().isoformat(), "blood_donors": "12"},
    )
    assert response.status_code == 302
    page = client.get(reverse("federation_detail", args=["fed-a"])).content.decode()
    assert re.search(r'data-figure="blood_donors">12 người<', page)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("federation_detail", args=["fed-a"])).content.decode()
    assert "Blood donors" in page and re.search(r'data-figure="blood_donors">12 people<', page)


def test_an_admin_cannot_make_a_new_indicator_counted(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("admin:targets_indicator_add"),
        {
            "code": "made_up",
            "name_vi": "Bịa",
            "name_en": "Made up",
            "unit": "people",
            "source": "counted",
            "order": "1",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "Chỉ các chỉ tiêu có sẵn mới được đếm từ dữ liệu" in response.content.decode()
    assert not Indicator.objects.filter(code="made_up").exists()


def test_the_city_counts_the_federations_it_rated_good_or_excellent(client_for, city_staff, fed_a, fed_b):
    from targets.models import FederationRating

    closed = FederationFactory(code="fed-gone", closed_on=D(2022, 6, 30))
    FederationRating.objects.create(federation=fed_a, year=2023, grade="excellent")
    FederationRating.objects.create(federation=fed_b, year=2023, grade="completed")
    rating = FederationRating(federation=closed, year=2023, grade="good")
    with pytest.raises(Exception, match="was closed before 2023"):
        rating.full_clean()
    union = UnionFactory(federation=fed_a, founded_on=D(2020, 1, 1))
    UnionRating.objects.create(union=union, year=2023, grade="good")
    period = progress.make_period(2023)
    totals = progress.totals(progress.league(Federation.objects.all(), period), period)
    assert totals.federations_rated == (1, 2)
    page = client_for(city_staff).get(reverse("overview"), {"year": 2023, "indicator": "rated_good_share"})
    assert re.search(r'data-figure="federations-rated">[^<]*: 1/2<', page.content.decode())


def test_the_xlsx_report_carries_the_indicators_in_force(client_for, city_staff, fed_a, fed_b):
    from openpyxl import load_workbook

    QuotaFactory(federation=fed_a, year=2024, metric="new_members", target=10)
    QuotaFactory(federation=fed_b, year=2024, metric="new_members", target=10)
    Quota.objects.create(federation=fed_a, year=2024, metric_id="party_referrals", target=40)
    Report.objects.create(federation=fed_a, indicator=ind("party_referrals"), as_of=D(2024, 6, 30), value=30)
    response = client_for(city_staff).get(reverse("rankings_export", args=["xlsx"]), {"year": 2024})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    group_row = next(row for row in cells if "Giới thiệu đoàn viên ưu tú cho Đảng" in row)
    start = group_row.index("Giới thiệu đoàn viên ưu tú cho Đảng")
    by_name = {row[1]: row for row in cells if row[1] in ("LĐLĐ quận Ánh Dương", "LĐLĐ huyện Bình Minh")}
    assert by_name["LĐLĐ quận Ánh Dương"][start : start + 3] == [30, 40, 75.0]
    assert by_name["LĐLĐ huyện Bình Minh"][start : start + 3] == [None, None, None]  # not reported: empty


def test_an_officer_grades_the_unions_of_a_year_in_one_form(client_for, officer_a, fed_a):
    """The grades an officer gives in the browser feed the rated-good share; a union founded
    after the year is not offered, one dissolved before it is not either, and an empty
    choice keeps the grade already given."""
    from branches.models import UnionStatus
    from targets.models import Grade

    state = UnionFactory(federation=fed_a, code="a-state", name="Công đoàn Sở Thử", sector="public_service",
                         founded_on=D(2010, 1, 1))
    private = UnionFactory(federation=fed_a, code="a-private", name="Công đoàn Công ty Thử",
                           sector="non_state", founded_on=D(2012, 5, 1))
    UnionFactory(federation=fed_a, code="a-later", name="Công đoàn Mới Lập", founded_on=D(2025, 3, 1))
    UnionFactory(federation=fed_a, code="a-gone", name="Công đoàn Đã Giải Thể", founded_on=D(2011, 1, 1),
                 status=UnionStatus.DISSOLVED, status_on=D(2023, 6, 1))
    UnionRating.objects.create(union=private, year=2024, grade=Grade.COMPLETED)
    client = client_for(officer_a)
    url = reverse("ratings_entry", args=["fed-a"]) + "?year=2024"
    page = client.get(url).content.decode()
    assert "Công đoàn Sở Thử" in page and "Công đoàn Công ty Thử" in page
    assert "Công đoàn Mới Lập" not in page and "Công đoàn Đã Giải Thể" not in page
    assert re.search(rf'name="grade_{private.pk}"[^>]*>.*?<option value="completed" selected', page, re.S)
    response = client.post(url, {f"grade_{state.pk}": "excellent", f"grade_{private.pk}": ""})
    assert response.status_code == 302
    assert dict(UnionRating.objects.filter(year=2024).values_list("union__code", "grade")) == {
        "a-state": "excellent", "a-private": "completed",
    }
    assert UnionRating.history.filter(union=state).get().history_user == officer_a
    row = progress.league(Federation.objects.filter(pk=fed_a.pk), progress.make_period(2024, D(2024, 12, 31)),
                          list(Indicator.objects.filter(code="rated_good_share")))[0]
    assert row.metrics["rated_good_share"].actual == Fraction(50)  # 1 good or excellent of 2 rated


def test_a_grade_the_form_does_not_offer_is_refused_and_nothing_is_written(client_for, officer_a, fed_a):

    union = UnionFactory(federation=fed_a, code="a-one", founded_on=D(2010, 1, 1))
    url = reverse("ratings_entry", args=["fed-a"]) + "?year=2024"
    response = client_for(officer_a).post(url, {f"grade_{union.pk}": "best-ever"})
    assert response.status_code == 200
    assert response.context["form"].errors[f"grade_{union.pk}"]
    assert not UnionRating.objects.exists()
