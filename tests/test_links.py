"""Links keep their meaning: every link the product draws opens a page that reads it as meant.

A number in a URL is never written the way the interface writes numbers (2.026 for the
year 2026, 12.345 for a record's key), and a drill-down keeps the period it came from.
"""

import datetime
import io
import json
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
from django.utils.html import escape
from openpyxl import load_workbook

from branches.models import FederationKind
from members.models import Gender, Member
from targets import progress
from targets.models import Metric
from tests.factories import FederationFactory, MemberFactory, QuotaFactory, UnionFactory, make_user
from unionboard import roles
from unionboard.text import fold

pytestmark = pytest.mark.django_db
D = datetime.date

# How a page shows a value its form could not read: the period and filter forms write
# each field's errors in an alert; Django's own forms use an error list.
FORM_ERROR = re.compile(r'invalid-feedback|aria-invalid="true"|text-danger" role="alert"|class="errorlist')
# Paths not followed, and why:
# - /admin/: Django's own pages, neither persona may open them;
# - /i18n/: the language switch is a POST form (no link), switching is done with the cookie;
# - /accounts/: the password change and the logout (a POST form) leave the dashboards.
NOT_FOLLOWED = ("/admin/", "/i18n/", "/accounts/")
# A crawl that passes this many pages draws links without end: a failure in itself.
MOST_PAGES = 400


@pytest.fixture
def city(db):
    """Two federations with quotas in 2020 and 2024; record keys past a thousand, so that a key
    written with a thousands separator (12.345) shows in the links."""
    fed_a = FederationFactory(pk=1234, code="fed-a", name="LĐLĐ quận Ánh Dương",
                              kind=FederationKind.URBAN_DISTRICT)
    fed_b = FederationFactory(pk=2345, code="fed-b", name="LĐLĐ huyện Bình Minh",
                              kind=FederationKind.RURAL_DISTRICT)
    for year in (2020, 2024):
        QuotaFactory(federation=fed_a, year=year, metric=Metric.NEW_MEMBERS, target=4)
        QuotaFactory(federation=fed_a, year=year, metric=Metric.NEW_UNIONS, target=2)
        QuotaFactory(federation=fed_b, year=year, metric=Metric.NEW_MEMBERS, target=10)
    union_a = UnionFactory(pk=12345, federation=fed_a, founded_on=D(2020, 3, 1))
    for day in (1, 2, 3):
        MemberFactory(union=union_a, admitted_on=D(2020, 5, day))
        MemberFactory(union=union_a, admitted_on=D(2024, 5, day))
    union_b = UnionFactory(pk=23456, federation=fed_b, founded_on=D(2019, 1, 1))
    MemberFactory(union=union_b, admitted_on=D(2024, 6, 1))
    return fed_a, fed_b


@pytest.fixture
def personas(city):
    return {
        "city_staff": make_user("city_staff", group=roles.CITY_STAFF_GROUP),
        "officer": make_user("officer_a", group=roles.OFFICER_GROUP, federations=[city[0]]),
    }


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links_of(html: str, base: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # another site, mailto:
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def kind_of(url: str) -> str:
    """A link as the crawl tells them apart: the column a table is sorted by does not count,
    every table's sort links are drawn by one function (unionboard.tables), and following
    each column both ways would ask for every page dozens of times."""
    parts = urlsplit(url)
    query = sorted(
        (name, "*" if name.endswith("sort") else value)
        for name, values in parse_qs(parts.query, keep_blank_values=True).items()
        for value in values
    )
    return f"{parts.path}?{query}"


def crawl(client, starts: list[str]) -> dict[str, str]:
    """Every page reachable by links from `starts`, each asked for once: {url: where it was linked}."""
    seen = {url: "(start)" for url in starts}
    kinds = {kind_of(url) for url in starts}
    queue = deque(starts)
    problems = []
    while queue:
        url = queue.popleft()
        assert len(seen) <= MOST_PAGES, "the pages draw links without end"
        response = client.get(url, follow=True)
        if response.status_code != 200:
            problems.append(f"{url} (linked from {seen[url]}) answers {response.status_code}")
            continue
        if not response["Content-Type"].startswith("text/html"):
            continue  # a download (an export, an import's template file): no links to follow
        html = response.content.decode()
        if error := FORM_ERROR.search(html):
            snippet = html[error.start(): error.start() + 200]
            problems.append(f"{url} (linked from {seen[url]}) shows a form error: {snippet}")
        if 'type="date"' in html:  # one date input everywhere: the product's dd/mm/yyyy field
            problems.append(f"{url} (linked from {seen[url]}) has the browser's date picker")
        page_url = response.redirect_chain[-1][0] if response.redirect_chain else url
        for link in links_of(html, page_url):
            if link.startswith(NOT_FOLLOWED) or kind_of(link) in kinds:
                continue
            kinds.add(kind_of(link))
            seen[link] = url
            queue.append(link)
    assert not problems, "\n".join(problems)
    return seen


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("persona", ["city_staff", "officer"])
def test_every_link_of_every_page_opens_without_error(client, personas, persona, language):
    client.force_login(personas[persona])
    client.cookies["unionboard_language"] = language
    seen = crawl(client, ["/", "/overview/?year=2024", "/rankings/?year=2020&as_of=2020-10-31"])
    # the crawl went through every kind of page, down to a member
    paths = {urlsplit(url).path for url in seen}
    assert {"/rankings/", "/federations/fed-a/", "/unions/", "/members/"} <= paths
    assert any(path.startswith("/members/TN") for path in paths)
    # and no number in a link was written with a separator
    grouped = re.compile(r"\d{1,3}([.,]\d{3})+")
    for url in seen:
        for values in parse_qs(urlsplit(url).query).values():
            assert not any(grouped.fullmatch(value) for value in values), url


# -- drill-downs keep the period (Sơn Tây to 31/10/2020: 505 of 410 members, 6 of 6 unions) --------


@pytest.fixture
def son_tay(db):
    """Sơn Tây's 2020 as the report has it to 31/10/2020, and Ba Vì under its quota all year."""
    son_tay = FederationFactory(code="son-tay", name="LĐLĐ thị xã Sơn Tây", kind=FederationKind.TOWN)
    ba_vi = FederationFactory(code="ba-vi", name="LĐLĐ huyện Ba Vì", kind=FederationKind.RURAL_DISTRICT)
    QuotaFactory(federation=son_tay, year=2020, metric=Metric.NEW_MEMBERS, target=410)
    QuotaFactory(federation=son_tay, year=2020, metric=Metric.NEW_UNIONS, target=6)
    QuotaFactory(federation=ba_vi, year=2020, metric=Metric.NEW_MEMBERS, target=300)
    unions = UnionFactory.create_batch(6, federation=son_tay, founded_on=D(2020, 3, 2))
    ba_vi_union = UnionFactory(federation=ba_vi, founded_on=D(2018, 1, 1))
    members = [
        Member(card_no=f"ST{n:06d}", full_name=f"Nguyễn Văn Thử {n}", gender=Gender.MALE,
               union=unions[n % 6], admitted_federation=son_tay,
               admitted_on=D(2020, 1, 2) + datetime.timedelta(days=n % 280))  # up to 8/10
        for n in range(505)
    ] + [
        Member(card_no=f"BV{n:06d}", full_name=f"Trần Thị Thử {n}", gender=Gender.FEMALE,
               union=ba_vi_union, admitted_federation=ba_vi, admitted_on=D(2020, 2, 1))
        for n in range(120)
    ]
    for member in members:
        member.name_search = fold(member.full_name)
    Member.objects.bulk_create(members)
    # the current year's quota too, so that a link dropping the period opens on figures of its own
    QuotaFactory(federation=son_tay, year=progress.today().year, metric=Metric.NEW_MEMBERS, target=410)
    return son_tay, ba_vi


def href_to(html: str, path: str) -> str:
    """The one link of the page's content to `path` (with its query), as a browser follows it."""
    content = html.split('<main id="main"', 1)[1]
    hrefs = {link for link in links_of(content, "/") if urlsplit(link).path == path}
    assert len(hrefs) == 1, hrefs
    return hrefs.pop()


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


SON_TAY_OCTOBER = "Năm 2020, số liệu tính đến ngày 31/10/2020."


def test_the_rankings_link_opens_the_federation_on_the_same_period(client, son_tay):
    client.force_login(make_user("city_staff", group=roles.CITY_STAFF_GROUP))
    html = get(client, "/rankings/?year=2020&as_of=2020-10-31")
    link = href_to(html, "/federations/son-tay/")
    assert link == "/federations/son-tay/?year=2020&as_of=2020-10-31"
    page = get(client, link)
    assert SON_TAY_OCTOBER in page
    assert "505/410 đoàn viên — 123,2%" in page and "6/6 CĐCS — 100,0%" in page
    assert '<option value="2020" selected>2020</option>' in page
    assert 'value="31/10/2020"' in page
    assert not FORM_ERROR.search(page)


def test_the_overview_links_keep_the_period(client, son_tay):
    client.force_login(make_user("city_staff", group=roles.CITY_STAFF_GROUP))
    html = get(client, "/overview/?year=2020&as_of=2020-10-31")
    for path in ("/federations/son-tay/", "/federations/ba-vi/", "/rankings/"):
        link = href_to(html, path)
        assert link == f"{path}?year=2020&as_of=2020-10-31"
        page = get(client, link)
        assert SON_TAY_OCTOBER in page and not FORM_ERROR.search(page), link
    assert "505/410 đoàn viên — 123,2%" in get(client, href_to(html, "/federations/son-tay/"))


def test_an_officer_reads_the_rankings_of_a_year_and_opens_their_own_on_it(client, son_tay):
    client.force_login(make_user("officer_st", group=roles.OFFICER_GROUP, federations=[son_tay[0]]))
    html = get(client, "/rankings/?year=2020&as_of=2020-10-31")
    assert "/federations/ba-vi/" not in html  # another district's totals, never a link into it
    page = get(client, href_to(html, "/federations/son-tay/"))
    assert SON_TAY_OCTOBER in page and "505/410" in page


# -- one date input: dd/mm/yyyy typed, ISO from links, an unreadable date is an error -------------


@pytest.mark.parametrize("as_of", ["31/10/2020", "2020-10-31"])
def test_the_as_of_date_is_typed_as_vietnamese_writes_it_or_read_from_a_link(client, son_tay, as_of):
    client.force_login(make_user("city_staff", group=roles.CITY_STAFF_GROUP))
    for url in ("/rankings/", "/overview/", "/federations/son-tay/"):
        page = get(client, f"{url}?year=2020&as_of={as_of}")
        assert SON_TAY_OCTOBER in page, url
        field = re.search(r'<input[^>]*name="as_of"[^>]*>', page).group(0)
        # the product's text input, written dd/mm/yyyy: not the browser's date picker
        assert 'type="text"' in field and 'value="31/10/2020"' in field, field
        assert 'placeholder="ngày/tháng/năm"' in field, field
        assert 'type="date"' not in page
        assert not FORM_ERROR.search(page)


@pytest.mark.parametrize("as_of", ["31/10/2020", "2020-10-31"])
def test_the_as_of_date_in_english(client, son_tay, as_of):
    client.force_login(make_user("city_staff", group=roles.CITY_STAFF_GROUP))
    client.cookies["unionboard_language"] = "en"
    page = get(client, f"/federations/son-tay/?year=2020&as_of={as_of}")
    assert "Year 2020, figures up to 10/31/2020." in page
    assert "505/410 members — 123.2%" in page
    assert not FORM_ERROR.search(page)


@pytest.mark.parametrize("as_of", ["31/13/2020", "10/31/2020", "hôm qua", "2020-02-30", "31/10/20201"])
def test_a_date_the_field_cannot_read_is_an_error_on_the_field(client, son_tay, as_of):
    client.force_login(make_user("city_staff", group=roles.CITY_STAFF_GROUP))
    for url in ("/rankings/", "/overview/", "/federations/son-tay/"):
        response = client.get(url, {"year": "2020", "as_of": as_of})
        assert response.status_code == 200, url
        page = response.content.decode()
        field = re.search(r'<input[^>]*name="as_of"[^>]*>', page).group(0)
        assert 'aria-invalid="true"' in field and f'value="{escape(as_of)}"' in field, field  # as typed
        error = re.search(r'id="id_as_of_error"[^>]*>\s*<div class="invalid-feedback d-block">([^<]+)<', page)
        assert error and error.group(1) == "Nhập một ngày hợp lệ.", url
        # and the page says which period it shows instead: the whole of 2020
        assert "Năm 2020, số liệu tính đến ngày 31/12/2020." in page, url
    # the export of such a query is not a file of another date: back to the page with the error
    response = client.get("/rankings/export.xlsx", {"year": "2020", "as_of": as_of})
    assert response.status_code == 302
    assert response["Location"] == "/rankings/?" + urlencode({"year": "2020", "as_of": as_of})


def test_a_year_the_menu_does_not_hold_is_an_error_and_the_menu_shows_the_year_shown(client, son_tay):
    client.force_login(make_user("city_staff", group=roles.CITY_STAFF_GROUP))
    this_year = progress.today().year
    response = client.get("/rankings/", {"year": "2.020", "as_of": "2020-10-31"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "2.020" in page and FORM_ERROR.search(page)  # the error names what was asked for
    selected = re.findall(r'<option value="(\d+)" selected>', page)
    assert selected == [str(this_year)]  # the menu shows the year the page shows, not next year's
    assert f"Năm {this_year}," in page


# -- a finished year is met or not met, never behind --------------------------------------------------


MET_VI, NOT_MET_VI = "Hoàn thành chỉ tiêu", "Không hoàn thành chỉ tiêu"
EXCEEDED_VI, BEHIND_VI = "Đạt chỉ tiêu", "Chậm tiến độ"


def badges(html: str) -> list[str]:
    return re.findall(r'status-badge[^"]*"><span aria-hidden="true">.</span> ([^<]+)</span>', html)


def test_a_finished_year_reads_met_or_not_met_on_every_page(client, son_tay):
    client.force_login(make_user("city_staff", group=roles.CITY_STAFF_GROUP))
    # to 31/10/2020: Sơn Tây has reached both quotas, Ba Vì (120 of 300, pace 249,2) is behind
    rankings = get(client, "/rankings/?year=2020&as_of=2020-10-31")
    assert badges(rankings) == [EXCEEDED_VI, EXCEEDED_VI, BEHIND_VI]
    # to 31/12/2020 the year is over: Sơn Tây's 505 of 410 is met, Ba Vì's 120 of 300 not met
    rankings = get(client, "/rankings/?year=2020&as_of=2020-12-31")
    assert badges(rankings) == [MET_VI, MET_VI, NOT_MET_VI]
    assert "505/410 — <strong>123,2%</strong>" in rankings
    assert "120/300 — <strong>40,0%</strong>" in rankings
    # a past year without a date is the whole year
    assert badges(get(client, "/rankings/?year=2020")) == [MET_VI, MET_VI, NOT_MET_VI]

    overview = get(client, "/overview/?year=2020&as_of=2020-12-31")
    assert BEHIND_VI not in overview and EXCEEDED_VI not in overview.replace(MET_VI, "")
    assert MET_VI in overview and NOT_MET_VI in overview
    assert json.dumps(NOT_MET_VI) in overview  # the chart's legend
    page = get(client, "/federations/son-tay/?year=2020&as_of=2020-12-31")
    assert badges(page) == [MET_VI, MET_VI]
    page = get(client, "/federations/ba-vi/?year=2020&as_of=2020-12-31")
    assert badges(page) == [NOT_MET_VI]

    client.cookies["unionboard_language"] = "en"
    rankings = get(client, "/rankings/?year=2020&as_of=2020-12-31")
    assert badges(rankings) == ["Quota met", "Quota met", "Quota not met"]


def test_a_finished_year_reads_met_or_not_met_in_the_export(client, son_tay):
    client.force_login(make_user("city_staff", group=roles.CITY_STAFF_GROUP))

    def statuses(as_of: str) -> list[list]:
        response = client.get("/rankings/export.xlsx", {"year": "2020", "as_of": as_of})
        assert response.status_code == 200
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        return [[row[1], row[6], row[10]] for row in rows[7:]]

    assert statuses("2020-10-31") == [
        ["LĐLĐ thị xã Sơn Tây", EXCEEDED_VI, EXCEEDED_VI], ["LĐLĐ huyện Ba Vì", BEHIND_VI, None],
    ]
    assert statuses("2020-12-31") == [
        ["LĐLĐ thị xã Sơn Tây", MET_VI, MET_VI], ["LĐLĐ huyện Ba Vì", NOT_MET_VI, None],
    ]
