"""Who may see and change what: every route of the product, every persona, A's object and B's.

The routes are discovered from the URLconf. Each named route must have a row in ROUTES (the
product's pages, exports, import and sign-in) or be generated from the admin registry (Django
admin); a route that has neither fails its matrix case and `test_every_route_is_in_the_matrix`
with "add it to the matrix", so a new view cannot be forgotten.

Each row says, for the personas in this order:

    anonymous | officer of the object's federation ("own") | officer of the other one
    ("other") | city staff | administrator (a superuser)

what a GET and, for forms, a POST of a valid payload gets. "A"/"B" cases run the route on
federation A's object (or a payload naming it) and on B's, so officer_a is "own" for A's
object and "other" for B's, and officer_b the reverse; on a route without such cases (the
case "-", or a file format) both officers are "own". Outcomes:

    ok            200
    shows / hides 200, and the case's object (its name) is / is not on the page
    login         302 to /accounts/login/?next=<this path>
    admin_login   302 to /admin/login/?next=<this path>, the admin's own sign-in
    redirect      302 anywhere else
    saved         (POST) 302 anywhere but a login page, and the records changed
    invalid       (POST) 200, the form shown again with its errors
    403, 404, 405 that status

Every POST that is not "saved" must leave the records exactly as they were (unions, members,
transfers, quotas, their history, users and their roles): see `snapshot`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from branches.models import Employer, Federation, GrassrootsUnion, UnionStatus
from branches.services import union_set_status
from imports import progress
from imports.schemas import SCHEMAS
from members import services
from members.models import Member, MemberStatus, Transfer
from targets.models import (
    Cluster,
    CoverageThreshold,
    FederationRating,
    Indicator,
    Metric,
    Quota,
    Report,
    UnionRating,
)
from targets.services import cluster_set
from tests.factories import MemberFactory, QuotaFactory, UnionFactory
from unionboard import roles

D = datetime.date
User = get_user_model()
PERSONAS = ("anonymous", "officer_a", "officer_b", "city_staff", "admin")
RELATIONS = ("anonymous", "own", "other", "city_staff", "admin")
SIDES = ("A", "B")
MADE_UP_TOKEN = "A" * 32  # the shape of an import token, never issued
MEMBER_HEADER = "card_no,full_name,gender,birth_date,union,admitted_on,status,left_on"


# --- the records every case starts from ------------------------------------------------------


@dataclass
class World:
    """Federation A's and B's records, keyed "A" / "B", and the personas' users."""

    fed: dict[str, Federation]
    union: dict[str, GrassrootsUnion]
    union2: dict[str, GrassrootsUnion]  # a second active union, to transfer members to
    member: dict[str, Member]
    transfer: dict[str, Transfer]
    quota: dict[str, Quota]
    employer: dict[str, Employer]
    users: dict[str, User]
    admin_objects: dict[str, dict[str, object]] = field(default_factory=dict)


@pytest.fixture
def world(fed_a, fed_b, officer_a, officer_b, city_staff, admin_user) -> World:
    fed = {"A": fed_a, "B": fed_b}
    union = {
        "A": UnionFactory(code="a-union", name="Công đoàn Công ty TNHH Ánh Sáng", federation=fed_a,
                          founded_on=D(2018, 4, 2)),
        "B": UnionFactory(code="b-union", name="Công đoàn Công ty Cổ phần Bến Thành", federation=fed_b,
                          founded_on=D(2017, 1, 1)),
    }
    union2 = {
        side: UnionFactory(code=f"{side.lower()}-union-2", federation=fed[side], founded_on=D(2019, 1, 1))
        for side in SIDES
    }
    member = {
        "A": MemberFactory(card_no="A-0001", full_name="Nguyễn Thị Ánh Hồng", union=union["A"],
                           admitted_on=D(2024, 3, 1)),
        "B": MemberFactory(card_no="B-0001", full_name="Trần Văn Bảo Bình", union=union["B"],
                           admitted_on=D(2024, 3, 1)),
    }
    transfer = {}
    for side in SIDES:
        moved = MemberFactory(card_no=f"{side}-0002", union=union2[side], admitted_on=D(2023, 2, 1))
        transfer[side] = Transfer.objects.create(
            member=moved, from_union=union2[side], to_union=union[side], transferred_on=D(2024, 1, 15)
        )
        moved.union = union[side]
        moved.save()
    year = timezone.localdate().year  # this year's quotas: the overview ranks them
    quota = {side: QuotaFactory(federation=fed[side], year=year, target=50) for side in SIDES}
    employer = {
        "A": Employer.objects.create(
            tax_code="0101234567", name="Công ty TNHH Ánh Sáng", ward="Phường Khương Đình",
            sector="non_state", federation=fed_a, employees=120, counted_on=D(2024, 12, 31), union=union["A"],
        ),
        "B": Employer.objects.create(
            tax_code="0309876543001", name="Công ty Cổ phần Bến Thành", ward="Phường Bến Nghé",
            sector="non_state", federation=fed_b, employees=80, counted_on=D(2024, 12, 31), union=union["B"],
        ),
    }
    users = {"officer_a": officer_a, "officer_b": officer_b, "city_staff": city_staff, "admin": admin_user}
    groups = {
        "A": Group.objects.get(name=roles.OFFICER_GROUP),
        "B": Group.objects.get(name=roles.CITY_STAFF_GROUP),
    }

    def axes_rows(model, **extra):
        return {
            side: model.objects.create(
                username=user.username, ip_address="192.0.2.1", user_agent="test", http_accept="*/*",
                path_info="/accounts/login/", **extra,
            )
            for side, user in (("A", officer_a), ("B", officer_b))
        }

    now = timezone.now()
    indicator = Indicator.objects.get(code="party_referrals")
    reports = {
        side: Report.objects.create(federation=fed[side], indicator=indicator, as_of=D(2024, 6, 30), value=10)
        for side in SIDES
    }
    ratings = {side: UnionRating.objects.create(union=union[side], year=2024, grade="good") for side in SIDES}
    indicators = {"A": indicator, "B": Indicator.objects.get(code="party_admissions")}
    federation_ratings = {
        side: FederationRating.objects.create(federation=fed[side], year=2024, grade="good") for side in SIDES
    }
    # an emulation cluster of each side's federation (this year's, with it as leader)
    clusters = {
        side: cluster_set(name=f"Cụm thi đua {side}", year=year, members=[fed[side]], leader=fed[side])
        for side in SIDES
    }
    for built_in in indicators.values():
        built_in.save()  # a history record to open (the migration wrote the built-ins without one)
    built = World(fed=fed, union=union, union2=union2, member=member, transfer=transfer, quota=quota,
                  employer=employer, users=users)
    # The objects the admin's change, history and delete pages are opened on, per model.
    built.admin_objects = {
        "branches.Federation": fed,
        "branches.GrassrootsUnion": union,
        "branches.Employer": employer,
        "members.Member": member,
        "members.Transfer": transfer,
        "targets.Quota": quota,
        "targets.Indicator": indicators,
        "targets.Report": reports,
        "targets.UnionRating": ratings,
        "targets.FederationRating": federation_ratings,
        # City-wide: the threshold of a year (A 2024, B 2025), kept by administrators alone.
        "targets.CoverageThreshold": {
            side: CoverageThreshold.objects.create(year=year, min_employees=size)
            for side, year, size in (("A", 2024, 30), ("B", 2025, 40))
        },
        "targets.Cluster": clusters,
        "auth.User": {"A": officer_a, "B": officer_b},
        "auth.Group": groups,
        "axes.AccessAttempt": axes_rows(AccessAttempt, attempt_time=now, get_data="", post_data="",
                                        failures_since_start=1),
        "axes.AccessLog": axes_rows(AccessLog, attempt_time=now),
        "axes.AccessFailureLog": axes_rows(AccessFailureLog, attempt_time=now),
    }
    return built


@pytest.fixture(autouse=True)
def fast_and_isolated(settings, tmp_path):
    """A cheap password hash (the personas are created for each of ~1000 cases); uploads waiting
    for confirmation in this test's own folder."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.IMPORT_TEMP_DIR = str(tmp_path / "pending")


def snapshot() -> dict:
    """Everything a refused POST must leave as it was."""
    return {
        "federations": list(
            Federation.objects.order_by("code").values_list("code", "name", "kind", "closed_on")
        ),
        "unions": list(GrassrootsUnion.objects.order_by("code").values_list(
            "code", "name", "federation_id", "founding_federation_id", "sector", "founded_on", "status",
            "status_on", "employees",
        )),
        "members": list(Member.objects.order_by("card_no").values_list(
            "card_no", "full_name", "gender", "birth_date", "union_id", "admitted_on",
            "admitted_federation_id", "status", "left_on",
        )),
        "transfers": list(Transfer.objects.order_by("pk").values_list(
            "member_id", "from_union_id", "to_union_id", "transferred_on"
        )),
        "quotas": list(Quota.objects.order_by("pk").values_list("federation_id", "year", "metric", "target")),
        "employers": list(Employer.objects.order_by("tax_code").values_list(
            "tax_code", "name", "ward", "sector", "federation_id", "employees", "counted_on", "union_id",
        )),
        "reports": list(
            Report.objects.order_by("pk").values_list("federation_id", "indicator_id", "as_of", "value")
        ),
        "ratings": list(UnionRating.objects.order_by("pk").values_list("union_id", "year", "grade")),
        "indicators": list(Indicator.objects.order_by("pk").values_list("code", "name_vi", "active")),
        "history": [GrassrootsUnion.history.count(), Member.history.count(), Quota.history.count(),
                    Report.history.count(), Employer.history.count()],
        "users": list(User.objects.order_by("pk").values_list(
            "username", "password", "is_active", "is_staff", "is_superuser"
        )),
        "groups": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        "officers": sorted(Federation.officers.through.objects.values_list("user_id", "federation_id")),
    }


def members_csv(*union_codes: str) -> bytes:
    rows = [MEMBER_HEADER] + [
        f"IMP-{n:04d},Đỗ Thị Nhập {n},female,1990-01-02,{code},2024-03-01,active,"
        for n, code in enumerate(union_codes, start=1)
    ]
    return ("\n".join(rows) + "\n").encode()


def token_in(response) -> str | None:
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    return match.group(1) if match else None


# --- the matrix table --------------------------------------------------------------------------

Kwargs = Callable[[World, str], dict]
Payload = Callable[[World, str, Client, str], dict]


def no_kwargs(world: World, case: str) -> dict:
    return {}


@dataclass(frozen=True)
class Route:
    """One named route: how to call it for each case and what each relation gets."""

    get: str  # five outcomes, in RELATIONS order
    post: str | None = None  # five outcomes for a valid POST, when the route takes one
    cases: tuple[str, ...] = ("-",)  # "A"/"B": A's or B's object (or a payload naming it)
    kwargs: Kwargs = no_kwargs
    query: Kwargs = no_kwargs  # GET query string
    data: Payload | None = None  # POST payload; may act first with the client (upload before confirm)
    marker: Callable[[World, str], str] | None = None  # what "shows" / "hides" look for (GET)
    post_marker: Callable[[World, str], str] | None = None  # the same for the POST's answer

    def expected(self, method: str, relation: str) -> str:
        line = self.get if method == "GET" else self.post
        outcomes = line.split()
        assert len(outcomes) == len(RELATIONS), f"five outcomes needed, got {line!r}"
        return outcomes[RELATIONS.index(relation)]


def fed_code(world, case):
    return {"code": world.fed[case].code}


def union_code(world, case):
    return {"code": world.union[case].code}


def card_no(world, case):
    return {"card_no": world.member[case].card_no}


def fed_name(world, case):
    return world.fed[case].name


def union_name(world, case):
    return world.union[case].name


def member_name(world, case):
    return world.member[case].full_name


def new_union(world, case, client, persona):
    return {
        "code": f"new-{case.lower()}", "name": "Công đoàn Công ty TNHH Mới Lập",
        "federation": world.fed[case].pk, "sector": "non_state", "founded_on": "2024-05-15",
        "employees": "30",
    }


def edited_union(world, case, client, persona):
    union = world.union[case]
    return {
        "code": union.code, "name": union.name + " (sửa)", "sector": union.sector,
        "founded_on": union.founded_on.isoformat(), "employees": "55",
    }


def tax_code(world, case):
    return {"tax_code": world.employer[case].tax_code}


def employer_name(world, case):
    return world.employer[case].name


def new_employer(world, case, client, persona):
    return {
        "tax_code": f"010555000{'1' if case == 'A' else '2'}-002", "name": "Công ty TNHH Mới Ghi",
        "ward": "Phường Mới", "sector": "non_state", "federation": world.fed[case].pk, "employees": "30",
        "counted_on": "2024-06-30", "union": "",
    }


def edited_employer(world, case, client, persona):
    employer = world.employer[case]
    return {
        "tax_code": employer.tax_code, "name": employer.name + " (sửa)", "ward": employer.ward,
        "sector": employer.sector, "federation": employer.federation_id, "employees": "125",
        "counted_on": "2025-01-31", "union": employer.union_id,
    }


def suspension(world, case, client, persona):
    return {"on": "2024-05-01"}


def new_member(world, case, client, persona):
    return {
        "card_no": f"NEW-{case}", "full_name": "Lê Thị Kết Nạp", "gender": "female",
        "birth_date": "1992-02-02", "union": world.union[case].pk, "admitted_on": "2024-06-01",
    }


def edited_member(world, case, client, persona):
    member = world.member[case]
    return {
        "card_no": member.card_no, "full_name": member.full_name + " Sửa", "gender": member.gender,
        "birth_date": member.birth_date.isoformat(), "admitted_on": member.admitted_on.isoformat(),
    }


def departure(world, case, client, persona):
    return {"left_on": "2024-09-30", "left_reason": "retired"}


def transfer_in_federation(world, case, client, persona):
    return {"to_union": world.union2[case].code, "transferred_on": "2024-10-01",
            "from_union": world.member[case].union_id}


def members_file(world, case, client, persona):
    return {"kind": "members", "file": SimpleUploadedFile("members.csv", members_csv(world.union[case].code))}


def uploaded_then_token(world, case, client, persona):
    """Upload a file naming the case's union as the persona; confirm its token, or a made-up one."""
    response = client.post(reverse("imports:upload"), members_file(world, case, client, persona))
    return {"token": token_in(response) or MADE_UP_TOKEN}


def progress_of_officer(world, case):
    """An import under way, reported for the officer of the case's federation."""
    officer = world.users["officer_a" if case == "A" else "officer_b"]
    token = f"{case}" * 32
    progress.Reporter(officer.pk, token, progress.CHECKING, 10)(4)
    return {"token": token}


def own_credentials(world, case, client, persona):
    username = "officer_a" if persona == "anonymous" else world.users[persona].username
    return {"username": username, "password": f"pw-{username}"}


def new_password(world, case, client, persona):
    username = "officer_a" if persona == "anonymous" else world.users[persona].username
    return {"old_password": f"pw-{username}", "new_password1": "Đổi-mật-khẩu-2024!",
            "new_password2": "Đổi-mật-khẩu-2024!"}


def reported_figures(world, case, client, persona):
    return {"as_of": f"{timezone.localdate().year}-01-01", "party_referrals": "12"}


def union_grade(world, case, client, persona):
    return {f"grade_{world.union[case].pk}": "good"}


def english(world, case, client, persona):
    return {"language": "en", "next": "/"}


def nothing(world, case, client, persona):
    return {}


# Each outcome line reads: anonymous, own officer, other officer, city staff, administrator.
ROUTES: dict[str, Route] = {
    # dashboards: officers see their own federation, the league table shows every federation
    "home": Route("login redirect redirect redirect redirect"),
    "overview": Route("login shows hides shows shows", cases=SIDES, marker=fed_name),
    "rankings": Route("login shows shows shows shows", cases=SIDES, marker=fed_name),
    "rankings_export": Route(
        "login ok ok ok ok", cases=("csv", "xlsx"), kwargs=lambda world, case: {"fmt": case}
    ),
    "federation_detail": Route("login shows 404 shows shows", cases=SIDES, kwargs=fed_code, marker=fed_name),
    # an emulation cluster: every one for city staff, an officer's own clusters only
    "cluster_detail": Route(
        "login shows 404 shows shows", cases=SIDES,
        kwargs=lambda world, case: {"pk": Cluster.objects.get(name=f"Cụm thi đua {case}").pk},
        marker=lambda world, case: f"Cụm thi đua {case}",
    ),
    # officers report their own federation's figures; city staff read them only
    "report_entry": Route(
        "login shows 404 403 shows", post="login saved 404 403 saved", cases=SIDES, kwargs=fed_code,
        data=reported_figures, marker=fed_name,
    ),
    # officers grade their own federation's grassroots unions for a year
    "ratings_entry": Route(
        "login shows 404 403 shows", post="login saved 404 403 saved", cases=SIDES, kwargs=fed_code,
        data=union_grade, marker=fed_name,
    ),
    # grassroots unions: another federation's union is a 404; city staff read but never record
    "branches:union_list": Route("login shows hides shows shows", cases=SIDES, marker=union_name),
    # the lists' exports: scoped like the lists (tests/test_list_exports.py checks their rows)
    "branches:union_export": Route(
        "login ok ok ok ok", cases=("csv", "xlsx"), kwargs=lambda world, case: {"fmt": case}
    ),
    "branches:union_create": Route(
        "login shows hides 403 shows", cases=SIDES, marker=fed_name,
        post="login saved invalid 403 saved", data=new_union,
    ),
    "branches:union_detail": Route(
        "login shows 404 shows shows", cases=SIDES, kwargs=union_code, marker=union_name
    ),
    "branches:union_edit": Route(
        "login shows 404 403 shows", cases=SIDES, kwargs=union_code, marker=union_name,
        post="login saved 404 403 saved", data=edited_union,
    ),
    "branches:union_event": Route(
        "login ok 404 403 ok", cases=SIDES, kwargs=lambda world, case: {**union_code(world, case),
                                                                         "event": "suspend"},
        post="login saved 404 403 saved", data=suspension,
    ),
    # employers: the same rules as unions
    "branches:employer_list": Route("login shows hides shows shows", cases=SIDES, marker=employer_name),
    "branches:employer_create": Route(
        "login shows hides 403 shows", cases=SIDES, marker=fed_name,
        post="login saved invalid 403 saved", data=new_employer,
    ),
    "branches:employer_detail": Route(
        "login shows 404 shows shows", cases=SIDES, kwargs=tax_code, marker=employer_name
    ),
    "branches:employer_edit": Route(
        "login shows 404 403 shows", cases=SIDES, kwargs=tax_code, marker=employer_name,
        post="login saved 404 403 saved", data=edited_employer,
    ),
    # members: the same rules
    "members:member_list": Route("login shows hides shows shows", cases=SIDES, marker=member_name),
    "members:member_export": Route(
        "login ok ok ok ok", cases=("csv", "xlsx"), kwargs=lambda world, case: {"fmt": case}
    ),
    "members:member_create": Route(
        "login shows hides 403 shows", cases=SIDES, marker=union_name,
        query=lambda world, case: {"union": world.union[case].code},
        post="login saved invalid 403 saved", data=new_member,
    ),
    "members:member_detail": Route(
        "login shows 404 shows shows", cases=SIDES, kwargs=card_no, marker=member_name
    ),
    "members:member_edit": Route(
        "login shows 404 403 shows", cases=SIDES, kwargs=card_no, marker=member_name,
        post="login saved 404 403 saved", data=edited_member,
    ),
    "members:member_leave": Route(
        "login ok 404 403 ok", cases=SIDES, kwargs=card_no,
        post="login saved 404 403 saved", data=departure,
    ),
    "members:member_transfer": Route(
        "login ok 404 403 ok", cases=SIDES, kwargs=card_no,
        post="login saved 404 403 saved", data=transfer_in_federation,
    ),
    # the transfers out of a union: read with the union; each member's record up to the transfer
    "members:union_transfers_out": Route(
        "login shows 404 shows shows", cases=SIDES,
        kwargs=lambda world, case: {"code": world.union2[case].code},
        marker=lambda world, case: world.transfer[case].member.card_no,
    ),
    # spreadsheet import: the preview offers a confirmation only for the officer's own unions
    "imports:upload": Route(
        "login ok ok 403 ok", cases=SIDES,
        post="login shows hides 403 shows", data=members_file,
        post_marker=lambda world, case: 'name="token"',
    ),
    "imports:confirm": Route(
        "login 405 405 405 405", cases=SIDES,
        post="login saved redirect 403 saved", data=uploaded_then_token,
    ),
    # an import's progress: answered to the user who sent the form only (the case's officer)
    "imports:progress": Route(
        "login ok 404 403 404", cases=SIDES, kwargs=progress_of_officer,
    ),
    "imports:template": Route(
        "login ok ok 403 ok",
        cases=tuple(f"{kind}.{fmt}" for kind in SCHEMAS for fmt in ("csv", "xlsx")),
        kwargs=lambda world, case: dict(zip(("kind", "fmt"), case.split("."), strict=True)),
    ),
    # signing in and out, password, language
    "login": Route(
        "ok ok ok ok ok", post="redirect redirect redirect redirect redirect", data=own_credentials
    ),
    "logout": Route("login 405 405 405 405", post="login redirect redirect redirect redirect", data=nothing),
    "password_change": Route("login ok ok ok ok", post="login saved saved saved saved", data=new_password),
    "password_change_done": Route("login ok ok ok ok"),
    "set_language": Route(
        "redirect redirect redirect redirect redirect",
        post="redirect redirect redirect redirect redirect", data=english,
    ),
    # the health check: open to a load balancer's probe, it names no record
    "healthz": Route("ok ok ok ok ok"),
    # Django admin: only staff get in; routes per registered model are added below
    # (Django sends the anonymous to the admin's own sign-in from its site-wide pages, to the
    # product's from the model pages; both refuse.)
    "admin:index": Route("admin_login admin_login admin_login admin_login ok"),
    "admin:login": Route("ok ok ok ok redirect"),
    "admin:logout": Route(
        "admin_login redirect redirect redirect 405",
        post="admin_login redirect redirect redirect redirect", data=nothing,
    ),
    "admin:app_list": Route(
        "admin_login admin_login admin_login admin_login ok",
        cases=tuple(sorted({model._meta.app_label for model in admin.site._registry})),
        kwargs=lambda world, case: {"app_label": case},
    ),
}

# Admin's generic pages, the same for every project: not part of the product's own rules.
EXCLUDED = {
    "admin:password_change",  # the product's own password change is in the matrix
    "admin:password_change_done",
    "admin:jsi18n",  # the admin's JavaScript catalogue
    "admin:autocomplete",  # widget data, reached from the admin forms the matrix covers
    "admin:view_on_site",  # a redirect to the object's own page, which the matrix covers
}

STAFF_ONLY = "login admin_login admin_login admin_login"


def admin_object(world: World, label: str, case: str):
    objects = world.admin_objects.get(label)
    assert objects is not None, f"no admin object for {label}: add it to the matrix (World.admin_objects)"
    return objects[case]


def admin_pk(label: str) -> Kwargs:
    return lambda world, case: {"object_id": admin_object(world, label, case).pk}


def admin_history_record(label: str) -> Kwargs:
    """The positional arguments of simple-history's page for one historical record."""

    def kwargs(world, case):
        obj = admin_object(world, label, case)
        return {"args": [obj.pk, obj.history.order_by("history_id").first().history_id]}

    return kwargs


def changelist_row(label: str, info: str) -> Callable[[World, str], str]:
    """A changelist row links to the object's change page."""
    return lambda world, case: reverse(f"admin:{info}_change", args=[admin_object(world, label, case).pk])


def quota_form(world, case, client, persona):
    quota = world.quota[case]
    return {"federation": quota.federation_id, "year": quota.year, "metric": quota.metric, "target": "77",
            "reason": "Điều chỉnh", "_save": "Save"}


def new_quota(world, case, client, persona):
    return {"federation": world.fed[case].pk, "year": "2030", "metric": Metric.NEW_UNIONS, "target": "9",
            "reason": "Kế hoạch", "_save": "Save"}


def confirmed_delete(world, case, client, persona):
    return {"post": "yes"}


# What the superuser gets on each admin page of a model, when it differs from a plain 200.
ADMIN_SPECIAL = {
    ("axes.AccessAttempt", "add"): "403",
    ("targets.Indicator", "delete"): "403",  # retired (active off), never deleted
    ("axes.AccessLog", "add"): "403",
    ("axes.AccessFailureLog", "add"): "403",
}
# Admin forms posted in the matrix: only administrators set quotas.
ADMIN_POSTS = {
    "admin:targets_quota_add": new_quota,
    "admin:targets_quota_change": quota_form,
    "admin:targets_quota_delete": confirmed_delete,
}


def admin_routes() -> dict[str, Route]:
    """Changelist, add, change, history and delete (and simple-history's record page) per model."""
    routes = {}
    for model, model_admin in admin.site._registry.items():
        label, info = model._meta.label, f"{model._meta.app_label}_{model._meta.model_name}"

        def line(page, label=label):
            return f"{STAFF_ONLY} {ADMIN_SPECIAL.get((label, page), 'ok')}"

        routes[f"admin:{info}_changelist"] = Route(
            f"{STAFF_ONLY} shows", cases=SIDES, marker=changelist_row(label, info)
        )
        routes[f"admin:{info}_add"] = Route(line("add"))  # no object yet (quota's POST names A or B)
        for page in ("change", "history", "delete"):
            routes[f"admin:{info}_{page}"] = Route(line(page), cases=SIDES, kwargs=admin_pk(label))
        if isinstance(model_admin, SimpleHistoryAdmin):
            routes[f"admin:{info}_simple_history"] = Route(
                line("simple_history"), cases=SIDES, kwargs=admin_history_record(label)
            )
    routes["admin:auth_user_password_change"] = Route(
        f"{STAFF_ONLY} ok", cases=SIDES,
        kwargs=lambda world, case: {"id": admin_object(world, "auth.User", case).pk},
    )
    for name, data in ADMIN_POSTS.items():
        routes[name] = Route(routes[name].get, post=f"{STAFF_ONLY} saved", cases=SIDES,
                             kwargs=routes[name].kwargs, data=data)
    return routes


ROUTES.update(admin_routes())


# --- discovering the routes ----------------------------------------------------------------------


def discover(patterns=None, namespace: str = ""):
    """(namespace, name or None, pattern) for every route of the URLconf, walking the includes."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from discover(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            name = entry.name and ":".join(part for part in (namespace, entry.name) if part)
            yield namespace, name, str(entry.pattern)


DISCOVERED = list(discover())
ROUTE_NAMES = sorted({name for _, name, _ in DISCOVERED if name} - EXCLUDED)


def matrix_params():
    for name in ROUTE_NAMES:
        route = ROUTES.get(name)
        if route is None:
            yield pytest.param(name, "GET", "-", "anonymous", id=f"{name}-unlisted")
            continue
        for method in ("GET", "POST") if route.post else ("GET",):
            for case in route.cases:
                for persona in PERSONAS:
                    yield pytest.param(name, method, case, persona, id=f"{name}-{method}-{case}-{persona}")


def relation(persona: str, case: str) -> str:
    if persona.startswith("officer_"):
        side = persona[-1].upper()
        return "other" if case in SIDES and case != side else "own"
    return persona


def test_every_route_is_in_the_matrix():
    unlisted = [name for name in ROUTE_NAMES if name not in ROUTES]
    assert not unlisted, f"routes without a row: {unlisted}: add them to the matrix (ROUTES)"
    stale = sorted(set(ROUTES) - set(ROUTE_NAMES))
    assert not stale, f"rows for routes that no longer exist: {stale}"
    # An unnamed route cannot be listed; the admin's own (an object's short URL, its catch-all) are Django's.
    unnamed = [pattern for namespace, name, pattern in DISCOVERED if not name and namespace != "admin"]
    assert not unnamed, f"name these routes and add them to the matrix: {unnamed}"


# --- the matrix ---------------------------------------------------------------------------------


def check(outcome: str, response, path: str, marker: str | None, label: str) -> None:
    status, location = response.status_code, response.get("Location", "")
    if outcome in ("ok", "shows", "hides", "invalid"):
        assert status == 200, f"{label}: expected 200, got {status} {location}"
    elif outcome == "login":
        assert (status, location) == (302, f"{reverse('login')}?next={quote(path)}"), label
    elif outcome == "admin_login":
        assert (status, location) == (302, f"{reverse('admin:login')}?next={quote(path)}"), label
    elif outcome in ("redirect", "saved"):
        assert status == 302, f"{label}: expected a redirect, got {status}"
        assert "?next=" not in location, f"{label}: sent to sign in: {location}"
    else:
        assert status == int(outcome), f"{label}: expected {outcome}, got {status} {location}"
    if outcome in ("shows", "hides"):
        assert marker, f"{label}: no marker to look for"
        page = response.content.decode()
        assert (marker in page) == (outcome == "shows"), f"{label}: {marker!r} should {outcome[:-1]}"
    if outcome == "invalid":
        form = response.context["form"]
        assert form.errors, f"{label}: the form was shown again without errors"


@pytest.mark.parametrize("name, method, case, persona", list(matrix_params()))
def test_matrix(name, method, case, persona, world, client):
    route = ROUTES.get(name)
    assert route is not None, f"{name} is not in the authorization matrix: add it to the matrix (ROUTES)"
    if persona != "anonymous":
        client.force_login(world.users[persona])
    kwargs = route.kwargs(world, case)
    path = reverse(name, args=kwargs.pop("args")) if "args" in kwargs else reverse(name, kwargs=kwargs)
    expected = route.expected(method, relation(persona, case))
    label = f"{method} {path} as {persona}"
    if method == "GET":
        query = route.query(world, case)
        response = client.get(path, query)
        full_path = f"{path}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else path
        marker = route.marker(world, case) if route.marker else None
        check(expected, response, full_path, marker, label)
        return
    data = route.data(world, case, client, persona)
    before = snapshot()
    response = client.post(path, data)
    marker = route.post_marker(world, case) if route.post_marker else None
    check(expected, response, path, marker, label)
    if expected == "saved":
        assert snapshot() != before, f"{label}: answered {response.status_code} but saved nothing"
    else:
        assert snapshot() == before, f"{label}: refused ({response.status_code}) but records changed"


# --- tampering: A's officer names B's records in a form or a file ------------------------------


@pytest.fixture
def officer_a_client(world, client_for):
    return client_for(world.users["officer_a"])


def test_member_form_naming_b_union_is_refused(world, officer_a_client):
    before = snapshot()
    response = officer_a_client.post(reverse("members:member_create"), new_member(world, "B", None, None))
    assert response.status_code == 200 and "union" in response.context["form"].errors
    assert snapshot() == before


def test_union_form_naming_b_federation_is_refused(world, officer_a_client):
    before = snapshot()
    response = officer_a_client.post(reverse("branches:union_create"), new_union(world, "B", None, None))
    assert response.status_code == 200 and "federation" in response.context["form"].errors
    assert snapshot() == before


def test_credits_slipped_into_a_new_record_are_ignored(world, officer_a_client):
    """Fields the forms do not offer (founding and admission credits) cannot be posted in."""
    fed_a, fed_b = world.fed["A"], world.fed["B"]
    union_data = new_union(world, "A", None, None) | {"founding_federation": fed_b.pk}
    assert officer_a_client.post(reverse("branches:union_create"), union_data).status_code == 302
    union = GrassrootsUnion.objects.get(code="new-a")
    assert (union.federation, union.founding_federation) == (fed_a, fed_a)

    member_data = new_member(world, "A", None, None) | {"admitted_federation": fed_b.pk}
    assert officer_a_client.post(reverse("members:member_create"), member_data).status_code == 302
    member = Member.objects.get(card_no="NEW-A")
    assert (member.union, member.admitted_federation) == (world.union["A"], fed_a)


def test_edit_forms_ignore_b_federation_or_union_slipped_in(world, officer_a_client):
    """Editing A's own records cannot move them to B: those fields are not in the edit forms."""
    union, member = world.union["A"], world.member["A"]
    data = edited_union(world, "A", None, None) | {
        "code": "stolen", "federation": world.fed["B"].pk, "founding_federation": world.fed["B"].pk,
    }
    response = officer_a_client.post(reverse("branches:union_edit", args=[union.code]), data)
    assert response.status_code == 302
    union.refresh_from_db()
    assert (union.code, union.federation, union.founding_federation, union.employees) == (
        "a-union", world.fed["A"], world.fed["A"], 55
    )
    data = edited_member(world, "A", None, None) | {
        "union": world.union["B"].pk, "admitted_federation": world.fed["B"].pk,
    }
    response = officer_a_client.post(reverse("members:member_edit", args=[member.card_no]), data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.union, member.admitted_federation) == (world.union["A"], world.fed["A"])
    assert member.full_name.endswith(" Sửa")


def test_transfer_form_for_b_member_is_refused(world, officer_a_client):
    before = snapshot()
    url = reverse("members:member_transfer", args=[world.member["B"].card_no])
    assert officer_a_client.get(url).status_code == 404
    response = officer_a_client.post(url, {"to_union": world.union["A"].code, "transferred_on": "2024-10-01"})
    assert response.status_code == 404
    assert snapshot() == before


def test_a_member_moved_to_b_is_read_not_changed_by_a(world, client_for, officer_a_client):
    """After A's officer moves A's member to B: A reads the record (up to the move), never changes it."""
    member = world.member["A"]
    services.member_transfer(member=member, to_union=world.union["B"], transferred_on=D(2024, 10, 1),
                             user=world.users["officer_a"])
    client, before = officer_a_client, snapshot()
    detail = reverse("members:member_detail", args=[member.card_no])
    page = client.get(detail).content.decode()
    assert member.full_name in page and reverse("members:member_edit", args=[member.card_no]) not in page
    forms = {
        "members:member_edit": edited_member(world, "A", None, None),
        "members:member_leave": departure(world, "A", None, None),
        "members:member_transfer": {"to_union": world.union["A"].code, "transferred_on": "2024-11-01",
                                    "from_union": world.union["B"].pk, "step": "confirm", "confirm": "on"},
    }
    for name, data in forms.items():
        url = reverse(name, args=[member.card_no])
        assert client.get(url).status_code == 403, name
        assert client.post(url, data).status_code == 403, name
    assert snapshot() == before
    # B's officer has the member whole now; a member A never had stays out of A's reach.
    other = client_for(world.users["officer_b"])
    assert other.get(reverse("members:member_edit", args=[member.card_no])).status_code == 200
    client = client_for(world.users["officer_a"])
    assert client.get(reverse("members:member_detail", args=[world.member["B"].card_no])).status_code == 404


@pytest.mark.parametrize("event", ["suspend", "dissolve", "reactivate"])
def test_union_event_for_b_union_is_refused(world, officer_a_client, event):
    union = world.union["B"]
    if event == "reactivate":
        union_set_status(union=union, status=UnionStatus.SUSPENDED, on=D(2024, 2, 1))
    before = snapshot()
    url = reverse("branches:union_event", args=[union.code, event])
    assert officer_a_client.post(url, {"on": "2024-05-01"}).status_code == 404
    assert snapshot() == before


def upload(client, content: bytes, kind: str = "members"):
    file = SimpleUploadedFile(f"{kind}.csv", content)
    return client.post(reverse("imports:upload"), {"kind": kind, "file": file})


def test_import_row_naming_b_union_is_refused_at_upload_and_confirm(world, officer_a_client):
    client, before = officer_a_client, snapshot()
    response = upload(client, members_csv("a-union", "a-union", "b-union"))
    assert response.status_code == 200
    assert "b-union" in response.content.decode() and token_in(response) is None
    response = client.post(reverse("imports:confirm"), {"token": MADE_UP_TOKEN})
    assert response.status_code == 302 and response["Location"] == reverse("imports:upload")
    assert snapshot() == before
    # Without B's row the same file goes through: the refusal above was B's row.
    token = token_in(upload(client, members_csv("a-union", "a-union")))
    assert client.post(reverse("imports:confirm"), {"token": token}).status_code == 302
    assert Member.objects.filter(card_no__startswith="IMP-", union=world.union["A"]).count() == 2


def test_import_row_with_b_member_card_is_refused(world, officer_a_client):
    before = snapshot()
    row = "B-0001,Tên Bị Đổi,male,1980-01-01,a-union,2024-03-01,left,2024-12-01"
    content = f"{MEMBER_HEADER}\n{row}\n".encode()
    response = upload(officer_a_client, content)
    assert "B-0001" in response.content.decode() and token_in(response) is None
    assert snapshot() == before
    member = Member.objects.get(card_no="B-0001")
    assert (member.full_name, member.status) == ("Trần Văn Bảo Bình", MemberStatus.ACTIVE)


@pytest.mark.parametrize(
    "row",
    [
        "b-union,Công đoàn Chiếm Chỗ,fed-a,non_state,2017-01-01",  # take B's union into A
        "new-b,Công đoàn Lập Hộ,fed-b,non_state,2024-01-05",  # found a union in B
    ],
)
def test_union_import_naming_b_is_refused(world, officer_a_client, row):
    before = snapshot()
    response = upload(officer_a_client, f"code,name,federation,sector,founded_on\n{row}\n".encode(), "unions")
    assert response.status_code == 200 and token_in(response) is None
    assert snapshot() == before


def test_import_token_of_another_officer_writes_nothing(world, officer_a_client):
    token = token_in(upload(officer_a_client, members_csv("a-union")))
    assert token
    other = Client()
    other.force_login(world.users["officer_b"])
    before = snapshot()
    response = other.post(reverse("imports:confirm"), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("imports:upload")
    assert snapshot() == before
    # The token itself was good: its own session confirms it.
    assert officer_a_client.post(reverse("imports:confirm"), {"token": token}).status_code == 302
    assert Member.objects.filter(card_no="IMP-0001", union=world.union["A"]).exists()
