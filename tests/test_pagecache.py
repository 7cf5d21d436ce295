"""Cached page content is never older than the data, and never crosses users' scopes.

The database triggers of unionboard.revisions replace a token on every write; pages cache
their content under the tokens (unionboard.pagecache) and permissions under the access
token (unionboard.auth). These tests write in every way the application and an
administrator can, and check the next page shows it.
"""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import Federation, GrassrootsUnion
from members.models import Member
from targets import progress
from targets.models import Metric, Quota
from tests.factories import FederationFactory, MemberFactory, QuotaFactory, UnionFactory
from unionboard import roles
from unionboard.models import DataRevision
from unionboard.pagecache import CachedContent
from unionboard.revisions import ACCESS, CITY, ITSELF, QUOTA_YEARS, RECORDS, Reads, fingerprint

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def union_a(fed_a):
    return UnionFactory(code="a-xuan", name="Công đoàn Trường Tiểu học Thanh Xuân", federation=fed_a)


@pytest.fixture
def union_b(fed_b):
    return UnionFactory(code="b-dong", name="Công đoàn Công ty Cổ phần Đông Á", federation=fed_b)


@pytest.fixture
def member_a(union_a):
    return MemberFactory(card_no="A0001", full_name="Nguyễn Thị Hằng", union=union_a)


@pytest.fixture
def member_b(union_b):
    return MemberFactory(card_no="B0001", full_name="Phạm Văn Bình", union=union_b)


def access() -> int:
    return DataRevision.objects.get(federation_id=CITY, year=ACCESS).token


def data_fingerprint() -> str:
    """The digest of every revision of the data: every part of every federation, and the city's."""
    return fingerprint(Reads(), Reads((CITY,)))


WRITES = {
    "member admitted": lambda a, b, m: MemberFactory(union=a),
    "member corrected": lambda a, b, m: Member.objects.filter(pk=m.pk).update(full_name="Nguyễn Thị Hạnh"),
    "member removed": lambda a, b, m: Member.objects.filter(pk=m.pk).delete(),
    "members imported in bulk": lambda a, b, m: Member.objects.bulk_create(
        [Member(card_no=f"BULK{n}", full_name="Lê Thu Hà", gender="female", union=b,
                admitted_federation=b.federation, admitted_on=D(2024, 5, 1)) for n in range(3)]
    ),
    "member moved to another union": lambda a, b, m: Member.objects.filter(pk=m.pk).update(union=b),
    "union founded": lambda a, b, m: UnionFactory(federation=b.federation),
    "union renamed": lambda a, b, m: GrassrootsUnion.objects.filter(pk=b.pk).update(name="Công đoàn Mới"),
    "union dissolved": lambda a, b, m: GrassrootsUnion.objects.filter(pk=b.pk).update(
        status="dissolved", status_on=D(2024, 6, 1)
    ),
    "quota set": lambda a, b, m: QuotaFactory(federation=b.federation, year=2024, metric=Metric.NEW_UNIONS),
    "quota corrected": lambda a, b, m: Quota.objects.filter(federation=a.federation).update(target=7),
    "federation renamed": lambda a, b, m: Federation.objects.filter(pk=b.federation_id).update(
        name="LĐLĐ Mới"
    ),
    "federation added": lambda a, b, m: FederationFactory(code="fed-new"),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_write_to_the_figures_changes_the_fingerprint(write, union_a, union_b, member_a):
    QuotaFactory(federation=union_a.federation, year=2024, target=100)
    before = data_fingerprint()
    WRITES[write](union_a, union_b, member_a)
    assert data_fingerprint() != before


def tokens() -> dict:
    return {(r.federation_id, r.year): r.token for r in DataRevision.objects.all()}


THIS_YEAR = progress.today().year
# What each write must revise, and nothing else: (who, part), "a" and "b" the two federations.
TOUCHES = {
    "member admitted": {("a", 2024), ("a", RECORDS)},
    "member admitted today": {("a", THIS_YEAR), ("a", RECORDS)},
    "member corrected": {("a", RECORDS)},
    "member left": {("a", RECORDS)},
    "member removed": {("a", 2024), ("a", RECORDS)},
    "admission date corrected": {("a", 2024), ("a", 2023), ("a", RECORDS)},
    "members imported in bulk": {("b", 2024), ("b", RECORDS)},
    "member moved to another union": {("a", RECORDS), ("b", RECORDS)},
    "union founded": {("b", 2015), ("b", RECORDS)},
    "union renamed": {("b", RECORDS)},
    "union dissolved": {("b", RECORDS)},
    "union moved to another federation": {("a", RECORDS), ("b", RECORDS)},
    "quota set": {("b", 2024), ("city", QUOTA_YEARS)},
    "quota corrected": {("a", 2024)},
    "quota moved to another year": {("a", 2024), ("a", 2025), ("city", QUOTA_YEARS)},
    "federation renamed": {("b", ITSELF)},
    "federation added": {("new", ITSELF)},
}
MORE_WRITES = {
    "member admitted today": lambda a, b, m: MemberFactory(union=a, admitted_on=progress.today()),
    "member left": lambda a, b, m: Member.objects.filter(pk=m.pk).update(
        status="left", left_on=D(2025, 1, 1)
    ),
    "admission date corrected": lambda a, b, m: Member.objects.filter(pk=m.pk).update(
        admitted_on=D(2023, 5, 5)
    ),
    "union moved to another federation": lambda a, b, m: GrassrootsUnion.objects.filter(pk=b.pk).update(
        federation=a.federation
    ),
    "quota moved to another year": lambda a, b, m: Quota.objects.filter(federation=a.federation).update(
        year=2025
    ),
}


@pytest.mark.parametrize("write", TOUCHES)
def test_a_write_revises_what_it_changed_and_nothing_else(write, union_a, union_b, member_a):
    QuotaFactory(federation=union_a.federation, year=2024, target=100)
    before = tokens()
    {**WRITES, **MORE_WRITES}[write](union_a, union_b, member_a)
    after = tokens()
    names = {union_a.federation_id: "a", union_b.federation_id: "b", CITY: "city"}
    touched = {
        (names.get(fed, "new"), part)
        for (fed, part) in before.keys() | after.keys()
        if before.get((fed, part)) != after.get((fed, part))
    }
    assert touched == TOUCHES[write]


def test_a_read_changes_nothing_and_a_rolled_back_write_leaves_nothing(union_a, member_a):
    before = data_fingerprint()
    list(Member.objects.all())
    assert data_fingerprint() == before
    with pytest.raises(RuntimeError), transaction.atomic():
        MemberFactory(union=union_a)
        inside = data_fingerprint()
        assert inside != before
        raise RuntimeError("rolled back")
    assert data_fingerprint() == before
    MemberFactory(union=union_a)
    assert data_fingerprint() not in (before, inside)  # a random token: never the rolled-back one


ACCESS_WRITES = {
    "user joins a group": lambda user, fed: user.groups.add(Group.objects.get(name=roles.CITY_STAFF_GROUP)),
    "user leaves a group": lambda user, fed: user.groups.clear(),
    "group gains a permission": lambda user, fed: Group.objects.get(name=roles.OFFICER_GROUP).permissions.add(
        Permission.objects.get(codename="view_all_federations")
    ),
    "user gains a permission": lambda user, fed: user.user_permissions.add(
        Permission.objects.get(codename="view_all_federations")
    ),
    "officer linked to a federation": lambda user, fed: fed.officers.add(user),
    "officer unlinked": lambda user, fed: user.federations.clear(),
    "user deactivated": lambda user, fed: type(user).objects.filter(pk=user.pk).update(is_active=False),
    "user made superuser": lambda user, fed: type(user).objects.filter(pk=user.pk).update(is_superuser=True),
}


@pytest.mark.parametrize("write", ACCESS_WRITES)
def test_every_change_of_access_changes_the_access_token(write, officer_a, fed_b):
    before = access()
    ACCESS_WRITES[write](officer_a, fed_b)
    assert access() != before


def test_permissions_are_read_once_per_access_change(city_staff):
    """unionboard.auth: a user's permissions come from the cache until access changes."""
    user_model = type(city_staff)
    assert user_model.objects.get(pk=city_staff.pk).has_perm(roles.CITY_WIDE_PERM)  # fills the cache
    user = user_model.objects.get(pk=city_staff.pk)  # a fresh user object, as on the next request
    with CaptureQueriesContext(connection) as ctx:
        assert user.has_perm(roles.CITY_WIDE_PERM)
        assert user.has_perm("members.view_member")
    assert len(ctx) == 1, [q["sql"] for q in ctx]  # the access token; the permissions are cached
    city_staff.groups.clear()  # moves the access token
    assert not user_model.objects.get(pk=city_staff.pk).has_perm(roles.CITY_WIDE_PERM)


def test_logging_in_is_not_a_change_of_access(client, officer_a):
    officer_a.set_password("a-long-test-password")
    officer_a.save()
    before = access()
    response = client.post(reverse("login"), {"username": "officer_a", "password": "a-long-test-password"})
    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.last_login is not None and access() == before


def test_a_repeat_view_is_served_from_the_cache(client_for, city_staff, union_a, member_a):
    QuotaFactory(federation=union_a.federation, year=2024, target=100)
    client = client_for(city_staff)
    for path in ["/overview/?year=2024", "/rankings/?year=2024", "/federations/fed-a/?year=2024",
                 "/unions/", "/members/"]:
        with CaptureQueriesContext(connection) as first:
            cold = client.get(path)
        with CaptureQueriesContext(connection) as second:
            warm = client.get(path)
        assert cold.status_code == warm.status_code == 200
        assert cold.content == warm.content or _without_csrf(cold) == _without_csrf(warm)
        # session, user, access token, data fingerprint (and the federation the page is
        # about): no figure is computed again
        expected = 5 if path.startswith("/federations/") else 4
        assert len(second) == expected < len(first), (path, len(first), len(second))


def _without_csrf(response) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_the_next_view_after_a_write_shows_it(client_for, city_staff, officer_a, union_a, member_a):
    QuotaFactory(federation=union_a.federation, year=2024, target=100)
    staff = client_for(city_staff)
    staff_page = lambda path: staff.get(path).content.decode()  # noqa: E731
    assert "1/100" in staff_page("/rankings/?year=2024")
    assert "Trần Văn Dũng" not in staff_page("/members/")

    officer = client_for(officer_a)
    response = officer.post("/members/new/", {
        "card_no": "A0100", "full_name": "Trần Văn Dũng", "gender": "male", "birth_date": "01/05/1990",
        "union": union_a.pk, "admitted_on": "01/06/2024",
    })
    assert response.status_code == 302

    staff = client_for(city_staff)
    assert "2/100" in staff_page("/rankings/?year=2024")
    assert "Trần Văn Dũng" in staff_page("/members/")
    assert "2/100" in staff_page("/federations/fed-a/?year=2024")


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _admit_today(client: Client, union, card_no: str) -> None:
    today = progress.today()
    response = client.post("/members/new/", {
        "card_no": card_no, "full_name": "Trần Văn Dũng", "gender": "male", "birth_date": "01/05/1990",
        "union": union.pk, "admitted_on": today.strftime("%d/%m/%Y"),
    })
    assert response.status_code == 302, response.content.decode()[:2000]


def _cache_state(client: Client, path: str) -> tuple[str, str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return response["X-Content-Cache"], response.content.decode()


def test_an_admission_this_year_leaves_the_other_years_and_districts_warm(
    city_staff, officer_b, union_a, union_b
):
    """A drive writes into the current year: last year's pages and other federations' own
    content stay cached; what the admission changes is shown at once."""
    year = THIS_YEAR
    for y in (year - 2, year - 1, year):
        for union in (union_a, union_b):
            QuotaFactory(federation=union.federation, year=y, target=100)
    staff = _logged_in(city_staff)
    pages = {
        y: [f"/overview/?year={y}", f"/rankings/?year={y}", f"/federations/fed-a/?year={y}",
            f"/federations/fed-b/?year={y}"]
        for y in (year - 2, year - 1, year)
    }
    for paths in pages.values():
        for path in paths:
            assert _cache_state(staff, path)[0] == "miss"
    assert "0/100" in _cache_state(staff, f"/federations/fed-b/?year={year}")[1]

    _admit_today(_logged_in(officer_b), union_b, "B0100")

    for y in (year - 2, year - 1):
        for path in pages[y][:3]:
            assert _cache_state(staff, path)[0] == "hit", path
        # B's page of any year lists its unions' members and its quotas by year: its own
        # content changed; its rank that year did not.
        assert _cache_state(staff, pages[y][3])[0] == "partial"
    state, html = _cache_state(staff, f"/rankings/?year={year}")
    assert state == "miss" and "1/100" in html
    state, html = _cache_state(staff, f"/federations/fed-b/?year={year}")
    assert state == "miss" and "1/100" in html
    # A's own figures are cached; only its rank in the city is computed again (B moved up).
    assert "Thứ 1/2" in _cache_state(staff, f"/federations/fed-a/?year={year - 1}")[1]  # a tie
    state, html = _cache_state(staff, f"/federations/fed-a/?year={year}")
    assert state == "partial" and "0/100" in html and "Thứ 2/2" in html


def test_an_officers_lists_stay_warm_while_another_district_writes(
    officer_a, officer_b, city_staff, union_a, union_b, member_a
):
    officer = _logged_in(officer_a)
    staff = _logged_in(city_staff)
    for client in (officer, staff):
        for path in ("/members/", "/unions/"):
            assert _cache_state(client, path)[0] == "miss"

    _admit_today(_logged_in(officer_b), union_b, "B0100")

    for path in ("/members/", "/unions/"):
        assert _cache_state(officer, path)[0] == "hit", path
        state, html = _cache_state(staff, path)
        assert state == "miss", path
    assert "B0100" in _cache_state(staff, "/members/")[1]

    _admit_today(_logged_in(officer_a), union_a, "A0100")
    state, html = _cache_state(officer, "/members/")
    assert state == "miss" and "A0100" in html


@pytest.mark.parametrize("query", ["year=2010", "year=abc", "year=2024x", "year={year}&kind=bogus",
                                   "year={year}&as_of=bogus", "year={year}&as_of=2019-01-01", ""])
@pytest.mark.parametrize("page", ["/rankings/", "/overview/", "/federations/fed-b/"])
def test_a_page_whose_filters_fall_back_to_this_year_is_never_stale(
    page, query, city_staff, officer_b, union_b
):
    """The key reads the years the page shows, even when the form falls back to its defaults."""
    QuotaFactory(federation=union_b.federation, year=THIS_YEAR, target=100)
    staff = _logged_in(city_staff)
    path = f"{page}?{query.format(year=THIS_YEAR)}"
    assert "0/100" in _cache_state(staff, path)[1]
    _admit_today(_logged_in(officer_b), union_b, "B0100")
    assert "1/100" in _cache_state(staff, path)[1]


def test_a_quota_corrected_in_the_admin_shows_at_once(client_for, admin_user, city_staff, fed_a, union_a):
    quota = QuotaFactory(federation=fed_a, year=2024, target=100)
    staff = client_for(city_staff)
    assert "0/100" in staff.get("/rankings/?year=2024").content.decode()
    admin = client_for(admin_user)
    response = admin.post(f"/admin/targets/quota/{quota.pk}/change/", {
        "federation": fed_a.pk, "year": 2024, "metric": Metric.NEW_MEMBERS, "target": 80,
        "reason": "Điều chỉnh giữa năm",
    })
    assert response.status_code == 302
    staff = client_for(city_staff)
    assert "0/80" in staff.get("/rankings/?year=2024").content.decode()


def test_users_with_other_scopes_never_see_each_others_cached_pages(
    client_for, officer_a, officer_b, city_staff, member_a, member_b
):
    assert "A0001" in client_for(officer_a).get("/members/").content.decode()  # cached for A's scope
    page_b = client_for(officer_b).get("/members/").content.decode()
    assert "B0001" in page_b and "A0001" not in page_b
    page_staff = client_for(city_staff).get("/members/").content.decode()
    assert "A0001" in page_staff and "B0001" in page_staff
    assert "B0001" not in client_for(officer_a).get("/members/").content.decode()


def test_an_officer_unlinked_from_a_federation_loses_it_on_the_next_request(client_for, officer_a, member_a):
    client = client_for(officer_a)
    assert "A0001" in client.get("/members/").content.decode()
    assert client.get("/federations/fed-a/").status_code == 200
    officer_a.federations.clear()  # an administrator removes the link
    assert "A0001" not in client.get("/members/").content.decode()
    assert client.get("/federations/fed-a/").status_code == 404


def test_a_user_switching_language_gets_the_page_in_that_language(client_for, city_staff, member_a):
    client = client_for(city_staff)
    assert "Số thẻ đoàn viên" in client.get("/members/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Card number" in client.get("/members/").content.decode()


def _render_cached(request, source: str) -> str:
    from django.middleware.csrf import get_token
    from django.template import engines

    get_token(request)  # as CsrfViewMiddleware does: the request has a token to render
    template = engines["django"].from_string("{% load pagecache %}" + source)
    content = CachedContent(request, "test", [Reads()])
    return template.render({"page_content": content}, request)


def test_a_form_inside_cached_content_cannot_render_its_csrf_token(city_staff):
    """A cached block can never hold a CSRF token: rendering one is refused, loudly."""
    request = RequestFactory().get("/members/")
    request.user = city_staff
    for tag in ("{% csrf_token %}", "{{ csrf_token }}"):
        with pytest.raises(ImproperlyConfigured):
            _render_cached(request, f'{{% cachedcontent page_content %}}<form method="post">{tag}</form>'
                                    "{% endcachedcontent %}")
    # outside the cached block the form gets its token as usual
    html = _render_cached(request, '{% csrf_token %}{% cachedcontent page_content %}x{% endcachedcontent %}')
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.parametrize("where", ["name", "query", "parameter"])
def test_the_word_csrfmiddlewaretoken_in_user_text_never_breaks_a_page(where, client_for, officer_a, union_a):
    """User text that happens to contain the token's field name is only text."""
    MemberFactory(card_no="A0100", full_name="Trần csrfmiddlewaretoken", union=union_a)
    client = client_for(officer_a)
    urls = {
        "name": ["/members/", "/unions/", "/federations/fed-a/", f"/unions/{union_a.code}/"],
        "query": ["/members/?q=csrfmiddlewaretoken", "/unions/?q=csrfmiddlewaretoken"],
        "parameter": ["/rankings/?csrfmiddlewaretoken=x", "/overview/?csrfmiddlewaretoken=x",
                      "/members/?csrfmiddlewaretoken=x"],
    }[where]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403), url  # officers do not see the overview
        if where == "name" and url == "/members/":
            assert "Trần csrfmiddlewaretoken" in response.content.decode()


CACHED_HTML_SOURCES = [
    "targets/cells.py",
    "targets/templatetags/progress.py",
    "targets/tables.py",
    "targets/charts.py",
    "branches/cells.py",
    "branches/templatetags/unions.py",
    "branches/tables.py",
    "members/tables.py",
    "unionboard/tables.py",
    "templates/includes/table.html",
    "templates/cached_page.html",
    "templates/targets/rankings.html",
]


@pytest.mark.parametrize("source", CACHED_HTML_SOURCES)
def test_a_deploy_changing_any_source_of_cached_html_changes_every_key(source, settings, monkeypatch):
    """release() covers every module and template that renders cached HTML, at any depth."""
    import os

    from unionboard import pagecache

    settings.RELEASE = ""
    monkeypatch.setattr(pagecache, "_release", None)
    before = pagecache.release()
    path = pagecache.ROOT / source
    stat = path.stat()
    try:
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        monkeypatch.setattr(pagecache, "_release", None)
        assert pagecache.release() != before
    finally:
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
