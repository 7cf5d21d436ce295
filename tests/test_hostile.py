"""Hostile input never costs a page: a fixed corpus of hostile values in every query parameter,
every path argument and every form field of every route, as each persona who can reach it.

No answer may be a server error (500), and no hostile markup may come back unescaped. The
routes, their path arguments and a valid payload for every form are the authorization
matrix's (tests/test_authorization.py: a new route must be listed there, so it is covered
here too); the query parameters are discovered from the project's filtersets plus the
tables' paging and sorting fields. One request per (route, parameter, value), so the run
stays short; run it under xdist (`-n 2`) with the rest of the suite.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
from collections.abc import Iterator
from urllib.parse import quote

import django_filters
import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from branches.filters import UnionFilter
from branches.models import GrassrootsUnion
from imports.schemas import SCHEMAS
from members.filters import MemberFilter
from members.models import AdmissionTally, Member, validate_card_no
from targets.filters import LeagueFilter, PeriodFilter, RankingFilter
from targets.models import Quota
from tests import test_authorization as matrix
from tests.factories import UnionFactory
from tests.test_authorization import ROUTES, World, relation
from unionboard.pagecache import CachedContentView
from unionboard.tables import MAX_PER_PAGE, Table

# The matrix's records and its settings (a cheap password hash, a private upload folder).
world = matrix.world
fast_and_isolated = matrix.fast_and_isolated


# The corpus: each value once, named so that a failure says which.
HOSTILE: dict[str, str] = {
    "nul": "A\x00B",
    "huge": str(10**30),
    "int64": str(2**63),
    "negative": "-1",
    "zero": "0",
    "long": "9" * 10_000,  # 10.000 characters, and past Python's 4.300-digit limit for int()
    "controls": "\u202e\u200f\u0007\u001b[31m\r\n",  # RTL override and mark, bell, escape, CR LF
    "unicode": "Nguyễn Thị 𝔘𝔫𝔦 🚩\ufeff",
    "sql": "' OR 1=1 --",
    "template": "{{ request }}{% debug %}",
    "script": "<script>alert(1)</script>",
}
ESCAPED_MARKUP = HOSTILE["script"]  # must never come back as is in a page
PERSONAS = ("officer_a", "city_staff", "admin")


def filter_parameters(filterset: type[django_filters.FilterSet]) -> list[str]:
    return list(filterset.base_filters)


def table_parameters(prefix: str = "") -> list[str]:
    """A table's paging and sorting fields (unionboard.tables), with its prefix; and the page
    size a query once chose."""
    return [f"{prefix}page", f"{prefix}per_page", f"{prefix}sort"]


def admin_parameters(model) -> list[str]:
    """The admin changelist's search, page, ordering and the query fields of its list filters."""
    model_admin = admin.site._registry[model]
    names = ["q", "p", "o", "e", "all"]
    for entry in model_admin.list_filter:
        path = entry[0] if isinstance(entry, tuple) else entry
        field = get_fields_from_path(model, path)[-1]
        names.append(f"{path}__isempty" if isinstance(entry, tuple) else
                     f"{path}__id__exact" if field.is_relation else f"{path}__exact")
    return names


# The query parameters each page reads. A list or dashboard (a CachedContentView) missing here
# fails test_every_list_reads_listed_parameters; the filters come from the filtersets themselves.
QUERY_PARAMETERS: dict[str, list[str]] = {
    "overview": filter_parameters(RankingFilter),
    "rankings": filter_parameters(LeagueFilter) + table_parameters(),
    "rankings_export": filter_parameters(LeagueFilter),
    "cluster_detail": filter_parameters(PeriodFilter) + table_parameters(),
    "federation_detail": filter_parameters(PeriodFilter) + table_parameters("u-"),
    "branches:union_list": filter_parameters(UnionFilter) + table_parameters(),
    "members:member_list": filter_parameters(MemberFilter) + table_parameters(),
    "members:member_create": ["union"],
    "login": ["next"],
    "set_language": ["next"],
    "admin:members_member_changelist": admin_parameters(Member),
    "admin:branches_grassrootsunion_changelist": admin_parameters(GrassrootsUnion),
    "admin:targets_quota_changelist": admin_parameters(Quota),
}
# The admin's forms of the product's own models (the rest of the admin is Django's).
ADMIN_FORMS = {"admin:targets_quota_add", "admin:targets_quota_change"}
EVERY_PARAMETER = sorted({name for names in QUERY_PARAMETERS.values() for name in names})


def product_routes() -> list[str]:
    """The product's routes, and the admin pages of its own models that read a query or take a form."""
    return sorted(
        name for name in ROUTES
        if not name.startswith("admin:") or name in QUERY_PARAMETERS or name in ADMIN_FORMS
    )


def test_every_list_reads_listed_parameters():
    """Each list and dashboard has its parameters listed, and the filtersets were found."""
    lists = {name for name, view in view_classes().items() if view and issubclass(view, CachedContentView)}
    assert lists <= set(QUERY_PARAMETERS), f"add to QUERY_PARAMETERS: {sorted(lists - set(QUERY_PARAMETERS))}"
    assert {"year", "as_of", "kind", "federation", "union", "status", "sector", "gender", "q",
            "admitted_year", "founded_year", "u-page", "u-sort"} <= set(EVERY_PARAMETER)


def view_classes(patterns=None, namespace: str = "") -> dict[str, type | None]:
    """The class-based view behind each named route (None for a function view)."""
    found: dict[str, type | None] = {}
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            found |= view_classes(entry.url_patterns, ":".join(p for p in (namespace, entry.namespace) if p))
        elif isinstance(entry, URLPattern) and entry.name:
            name = ":".join(part for part in (namespace, entry.name) if part)
            found[name] = getattr(entry.callback, "view_class", None)
    return found


def case_for(name: str) -> str:
    """Federation A's object where the route has sides, else its first case."""
    cases = ROUTES[name].cases
    return "A" if "A" in cases else cases[0]


def path_for(name: str, world: World) -> str:
    kwargs = ROUTES[name].kwargs(world, case_for(name))
    return reverse(name, args=kwargs.pop("args")) if "args" in kwargs else reverse(name, kwargs=kwargs)


def first_persona(name: str, method: str, personas=PERSONAS) -> str:
    """The first of these personas the route serves (not a sign-in, 403 or 404) for A's object."""
    refused = ("login", "admin_login", "403", "404", "405")
    for persona in personas:
        if ROUTES[name].expected(method, relation(persona, case_for(name))) not in refused:
            return persona
    return personas[-1]


def signed_in(client: Client, world: World, persona: str) -> Client:
    client.force_login(world.users[persona])
    return client


def assert_no_server_error(response, label: str) -> str | None:
    """None when the answer is fine, else what went wrong."""
    if response.status_code >= 500:
        return f"{label}: {response.status_code}"
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html") and ESCAPED_MARKUP.encode() in response.content:
        return f"{label}: the markup came back unescaped"
    return None


def run(requests: Iterator[tuple[str, object]]) -> None:
    """Send every request (a label and a thunk), then report every failure at once."""
    failures = []
    for label, send in requests:
        try:
            with transaction.atomic():  # a failed query must not hide the requests after it
                response = send()
        except Exception as exc:  # the test client re-raises a view's exception: a 500
            failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        if problem := assert_no_server_error(response, label):
            failures.append(problem)
    assert not failures, "\n".join(failures)


# --- query strings ----------------------------------------------------------------------------


def query_cases():
    for name in product_routes():
        for parameter in QUERY_PARAMETERS.get(name, []):
            yield pytest.param(name, parameter, id=f"{name}-{parameter}")
        yield pytest.param(name, "*", id=f"{name}-every-parameter")


@pytest.mark.parametrize("name, parameter", list(query_cases()))
def test_hostile_query_parameters(name, parameter, world, client):
    """Each value in one parameter the page reads, as city staff where they may see it (the
    city-wide paths); or ("*") in every known parameter at once, as the officer."""
    path = path_for(name, world)
    extra = dict(ROUTES[name].query(world, case_for(name)))
    every = parameter == "*"
    persona = first_persona(name, "GET", PERSONAS if every else ("city_staff", "officer_a", "admin"))
    signed_in(client, world, persona)

    def requests():
        for value_name, value in HOSTILE.items():
            query = extra | (dict.fromkeys(EVERY_PARAMETER, value) if every else {parameter: value})
            label = f"GET {path} {parameter}={value_name} as {persona}"
            yield label, lambda query=query: client.get(path, query)
    run(requests())


# --- path arguments ----------------------------------------------------------------------------


def path_cases():
    for name in product_routes():
        if ROUTES[name].kwargs.__name__ != "no_kwargs" and not name.startswith("admin:"):
            yield pytest.param(name, id=name)


@pytest.mark.parametrize("name", list(path_cases()))
def test_hostile_path_arguments(name, world, client):
    """Each path argument (a code, a card number, a format) replaced by each value, as a browser
    would send it: quoted, whether or not the route's converter matches it."""
    kwargs = ROUTES[name].kwargs(world, case_for(name))
    valid = reverse(name, kwargs=kwargs)

    def requests():
        signed_in(client, world, "officer_a")
        for argument, original in kwargs.items():
            for value_name, value in HOSTILE.items():
                path = valid.replace(quote(str(original)), quote(value, safe=""), 1)
                yield f"GET {path[:80]} ({argument}={value_name})", lambda path=path: client.get(path)
    run(requests())


# --- forms ------------------------------------------------------------------------------------


def form_cases():
    for name in product_routes():
        if ROUTES[name].post:
            yield pytest.param(name, id=name)


@pytest.mark.parametrize("name", list(form_cases()))
def test_hostile_form_fields(name, world, client):
    """Every field of a valid payload replaced, one at a time, by each value, as the first persona
    whose POST the route takes (the officer on the product's forms, the administrator on the admin's)."""
    route = ROUTES[name]
    path = path_for(name, world)
    persona = first_persona(name, "POST")

    def requests():
        signed_in(client, world, persona)
        for field in route.data(world, case_for(name), client, persona):
            for value_name, value in HOSTILE.items():
                signed_in(client, world, persona)  # a password change or a sign-in may end the session
                data = route.data(world, case_for(name), client, persona) | {field: value}
                label = f"POST {path} {field}={value_name} as {persona}"
                yield label, lambda data=data: client.post(path, data)
    run(requests())


# --- spreadsheet cells -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["members", "unions"])
def test_hostile_spreadsheet_cells(kind, world, client):
    """Every column of an import file (CSV) holding each value: a preview that lists the problem,
    or, when the value is acceptable, a confirmation that writes it; never a 500."""
    signed_in(client, world, "officer_a")
    schema = SCHEMAS[kind]
    example = dict(zip(schema.names, schema.example_rows()[1], strict=True))
    example.update(union=world.union["A"].code, federation=world.fed["A"].code)

    def upload_and_confirm(content: bytes):
        upload = SimpleUploadedFile(f"{kind}.csv", content)
        response = client.post(reverse("imports:upload"), {"kind": kind, "file": upload})
        token = matrix.token_in(response)
        return client.post(reverse("imports:confirm"), {"token": token}) if token else response

    def requests():
        for column in schema.names:
            for value_name, value in HOSTILE.items():
                buffer = io.StringIO()
                writer = csv.writer(buffer)
                writer.writerow(schema.names)
                writer.writerow([value if name == column else example[name] for name in schema.names])
                content = buffer.getvalue().encode()
                label = f"import {kind} {column}={value_name}"
                yield label, lambda content=content: upload_and_confirm(content)
    run(requests())


# --- card numbers: the alphabet of a path segment ---------------------------------------------

# Each character class that broke a member's page, or would: "/" (no URL could be built: the list
# and the union page answered 500 for everyone), "?", "#", "%", a space, letters with accents,
# NUL, a control character, dot segments, a leading "-", the word the URLs use for a new member.
BAD_CARD_NUMBERS = [
    "HN/2024/001", "A?1", "A#1", "A%1", "A 1", "ĐV001", "A\x00", "A\x07", "..", ".", "-A1", "new", "A1/",
    "A\u202e1",
]
GOOD_CARD_NUMBERS = ["A0001", "hn-2024.001", "9", "A.", "A..B", "1-2-3", "NEW"]


def admission(world: World, card_no: str) -> dict:
    return matrix.new_member(world, "A", None, None) | {"card_no": card_no}


@pytest.mark.parametrize("card_no", BAD_CARD_NUMBERS)
def test_the_member_form_refuses_card_numbers_outside_the_alphabet(card_no, world, client):
    signed_in(client, world, "officer_a")
    response = client.post(reverse("members:member_create"), admission(world, card_no))
    assert response.status_code == 200 and "card_no" in response.context["form"].errors
    assert not Member.objects.filter(full_name="Lê Thị Kết Nạp").exists()


@pytest.mark.parametrize("card_no", GOOD_CARD_NUMBERS)
def test_every_card_number_of_the_alphabet_has_working_pages(card_no, world, client):
    """Admitted through the form, the member is on the list, the union page and their own pages."""
    signed_in(client, world, "officer_a")
    response = client.post(reverse("members:member_create"), admission(world, card_no))
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    member = Member.objects.get(card_no=card_no)
    detail = member.get_absolute_url()
    assert response["Location"] == detail
    for page in (reverse("members:member_list"), world.union["A"].get_absolute_url()):
        html = client.get(page).content.decode()
        assert f'href="{detail}"' in html, page
    for name in ("member_detail", "member_edit", "member_leave", "member_transfer"):
        assert client.get(reverse(f"members:{name}", args=[card_no])).status_code == 200, name


@pytest.mark.parametrize("card_no", BAD_CARD_NUMBERS)
def test_an_import_refuses_card_numbers_outside_the_alphabet(card_no, world, client):
    signed_in(client, world, "officer_a")
    content = f"{matrix.MEMBER_HEADER}\n{card_no},Đỗ Thị Nhập,female,1990-01-02,a-union,2024-03-01,active,\n"
    response = client.post(reverse("imports:upload"),
                           {"kind": "members", "file": SimpleUploadedFile("m.csv", content.encode())})
    assert response.status_code == 200 and matrix.token_in(response) is None
    assert "card_no" in response.content.decode()


@pytest.mark.parametrize("card_no", BAD_CARD_NUMBERS)
def test_the_database_refuses_card_numbers_outside_the_alphabet(card_no, world):
    """Whatever writes (a bulk loader, a shell, a future form), the table holds none."""
    member = Member(card_no=card_no, full_name="Ngô Văn Thẻ", gender="male", union=world.union["A"],
                    admitted_on=datetime.date(2024, 3, 1))
    with pytest.raises(DatabaseError), transaction.atomic():
        member.save()


@pytest.mark.django_db(transaction=True)
def test_the_migration_repairs_card_numbers_already_stored():
    """Rows written before the alphabet existed are given a card number inside it (kept unique,
    with a history row naming the old one), so the check can be added and every page works."""
    executor = MigrationExecutor(connection)
    before, after = [("members", "0006_member_left_reason")], [("members", "0007_card_no_alphabet")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    federation = old.get_model("branches", "Federation").objects.create(code="fed-m", name="M", kind="town")
    union = old.get_model("branches", "GrassrootsUnion").objects.create(
        code="u-m", name="U", federation=federation, founding_federation=federation, sector="non_state",
        founded_on=datetime.date(2020, 1, 1),
    )
    stored = ["HN/2024/001", "HN-2024-001", "ĐV 7", "new", "..", "A\u202e", "ok-1"]
    pks = {}
    for card in stored:
        pks[card] = old.get_model("members", "Member").objects.create(
            card_no=card, full_name="Tên", gender="female", union=union, admitted_federation=federation,
            admitted_on=datetime.date(2024, 1, 1),
        ).pk
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    cards = dict(Member.objects.values_list("pk", "card_no"))
    assert cards[pks["ok-1"]] == "ok-1" and cards[pks["HN-2024-001"]] == "HN-2024-001"
    assert cards[pks["HN/2024/001"]] == f"HN-2024-001-{pks['HN/2024/001']}"  # the plain repair was taken
    assert cards[pks["ĐV 7"]] == "DV-7"
    assert cards[pks["new"]] == f"new-{pks['new']}"
    assert cards[pks[".."]] == f"M-{pks['..']}"
    assert len(set(cards.values())) == len(stored)
    for card in cards.values():
        validate_card_no(card)
    reasons = Member.history.filter(id=pks["HN/2024/001"]).values_list("history_change_reason", flat=True)
    assert any("HN/2024/001" in (reason or "") for reason in reasons)
    # The triggers survived the table's copy (SQLite): a new admission is counted.
    Member.objects.create(card_no="T-1", full_name="Mới", gender="male", union_id=union.pk,
                          admitted_on=datetime.date(2024, 1, 1))
    tally = AdmissionTally.objects.get(federation_id=federation.pk, day=datetime.date(2024, 1, 1))
    assert tally.admitted == len(stored) + 1


# --- paging: a size and a number that cannot be turned against the server ---------------------


@pytest.fixture
def many(world) -> World:
    """120 unions and 120 members in federation A, so that pages are full."""
    unions = UnionFactory.create_batch(120, federation=world.fed["A"], founded_on=datetime.date(2019, 1, 1))
    Member.objects.bulk_create(
        Member(card_no=f"P{number:04d}", full_name=f"Đoàn Viên {number}", gender="female",
               union=unions[number], admitted_federation=world.fed["A"],
               admitted_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=number))
        for number in range(120)
    )
    return world


def page_of(response, table: str = "table") -> tuple[int, int]:
    """(the page's number, its rows)."""
    drawn = response.context[table]
    return drawn.number, len(drawn.rows)


def test_no_table_pages_more_than_100_rows():
    tables = list(Table.__subclasses__())
    assert {table.__name__ for table in tables} >= {"MemberTable", "UnionTable", "RankingTable",
                                                    "FederationUnionTable"}
    assert all(table.per_page <= MAX_PER_PAGE == 100 for table in tables)


@pytest.mark.parametrize("path, table, size", [
    ("/members/", "table", 50), ("/unions/", "table", 50), ("/federations/fed-a/", "union_table", 20),
])
@pytest.mark.parametrize("per_page", ["100000", "101", "7", "-1", "0", "abc", str(10**30)])
def test_the_query_cannot_change_the_page_size(path, table, size, per_page, many, client):
    """`?per_page=100000` held a worker until it was killed: a page is the table's own size."""
    signed_in(client, many, "officer_a")
    prefix = "u-" if table == "union_table" else ""
    response = client.get(path, {f"{prefix}per_page": per_page})
    assert response.status_code == 200
    assert page_of(response, table)[1] == size


@pytest.mark.parametrize("path, table, size", [
    ("/members/", "table", 50), ("/unions/", "table", 50), ("/federations/fed-a/", "union_table", 20),
])
@pytest.mark.parametrize("page, nearest", [
    ("-1", "first"), ("0", "first"), ("abc", "first"), ("", "first"), ("1.5", "first"), ("2", 2),
    ("3", 3), ("99", "last"), (str(2**63), "last"), (str(10**30), "last"), ("9" * 10_000, "last"),
])
def test_a_page_number_that_is_no_page_answers_the_nearest(path, table, size, page, nearest, many, client):
    """Some 120 members or unions, in pages of 50 (the federation page: of 20)."""
    officer = signed_in(client, many, "officer_a") and many.users["officer_a"]
    prefix = "u-" if table == "union_table" else ""
    response = client.get(path, {f"{prefix}page": page})
    assert response.status_code == 200
    model = Member if path == "/members/" else GrassrootsUnion
    last = math.ceil(model.objects.visible_to(officer).count() / size)
    expected = {"first": 1, "last": last}.get(nearest, nearest)
    assert page_of(response, table)[0] == expected


# --- NUL: refused before anything reads it ------------------------------------------------------


@pytest.mark.parametrize("where", ["path", "query", "query-name", "cookie"])
def test_nul_anywhere_in_the_request_answers_400_with_the_product_page(where, world, client):
    """PostgreSQL refuses NUL in any text it compares; no page has a use for one."""
    signed_in(client, world, "officer_a")
    path, query = "/members/", {}
    if where == "path":
        path = "/members/A-0001%00/"
    elif where == "query":
        query = {"status": "active\x00"}
    elif where == "query-name":
        query = {"sta\x00tus": "active"}
    else:
        client.cookies["unionboard_language"] = "vi\x00"
    response = client.get(path, query)
    assert response.status_code == 400
    assert [template.name for template in response.templates] == ["400.html"]
    assert 'class="error-code' in response.content.decode()
