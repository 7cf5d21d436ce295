"""One rule, one message, every door: the same bad record through a form, an import and the admin.

Each case feeds one bad record to the officers' form (an HTTP POST), to a CSV import
(imports.service) and to the Django admin (a POST to its add or change page), and
expects the same Vietnamese message from each and nothing written. A rule that drifts
apart in one door — a check the import forgets, a message the admin words otherwise —
fails here.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from branches.models import GrassrootsUnion, UnionStatus
from branches.services import CHANGE_NOT_POSSIBLE, union_set_status
from imports import service
from members.models import Member, Transfer
from members.services import member_transfer
from targets.models import Quota
from tests.factories import MemberFactory, UnionFactory

pytestmark = pytest.mark.django_db
D = datetime.date
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)
MEMBER_HEADER = "card_no,full_name,gender,birth_date,union,admitted_on,status,left_on,left_reason"
UNION_HEADER = "code,name,federation,sector,founded_on,status,status_on,employees"


@dataclass
class World:
    fed: object
    union: GrassrootsUnion
    member: Member
    officer: object
    admin: object
    client_for: Callable


@pytest.fixture
def world(fed_a, officer_a, admin_user, client_for, settings, tmp_path):
    settings.IMPORT_TEMP_DIR = str(tmp_path / "pending")
    union = UnionFactory(
        code="a-xuan", name="Công đoàn Trường Thử", federation=fed_a, founded_on=D(2018, 4, 2)
    )
    member = MemberFactory(
        card_no="A0001", full_name="Nguyễn Thị Hằng", union=union, birth_date=D(1995, 5, 17),
        admitted_on=D(2024, 3, 1),
    )
    return World(fed_a, union, member, officer_a, admin_user, client_for)


def snapshot() -> list:
    """Every record and history row the rules protect: a refused record changes none of them."""
    return [
        list(Member.objects.order_by("pk").values_list(
            "card_no", "union_id", "admitted_on", "birth_date", "status", "left_on", "left_reason")),
        list(GrassrootsUnion.objects.order_by("pk").values_list("code", "founded_on", "status", "status_on")),
        list(Quota.objects.order_by("pk").values_list("federation_id", "year", "metric", "target")),
        list(Transfer.objects.values_list("pk")),
        Member.history.count(), GrassrootsUnion.history.count(), Quota.history.count(),
    ]


def flat(errors) -> list[str]:
    return [str(message) for messages in errors.values() for message in messages]


# -- the three doors ------------------------------------------------------------------------------


def through_form(world: World, url: str, data: dict) -> list[str]:
    response = world.client_for(world.officer).post(url, data)
    assert response.status_code == 200, f"{url} accepted the record"
    return flat(response.context["form"].errors)


def through_import(world: World, kind: str, csv: str) -> list[str]:
    scope = world.officer if kind in service.WEB_KINDS else None
    with translation.override("vi"):
        result = service.import_file(
            kind=kind, source=io.BytesIO(csv.encode()), filename=f"{kind}.csv",
            scope_user=scope, history_user=world.officer, commit=True,
        )
    assert not result.written
    return [problem.message for problem in result.problems]


def through_admin(world: World, url: str, data: dict) -> list[str]:
    response = world.client_for(world.admin).post(url, {**data, "_save": "Lưu"})
    assert response.status_code == 200, f"{url} accepted the record"
    return flat(response.context["adminform"].form.errors)


def member_admin_data(world: World, **overrides) -> dict:
    member = world.member
    return {
        "card_no": member.card_no, "full_name": member.full_name, "gender": member.gender,
        "birth_date": member.birth_date.isoformat(), "union": member.union_id,
        "admitted_on": member.admitted_on.isoformat(), "status": "active", "left_on": "",
        "left_reason": "",
    } | overrides


def union_admin_data(world: World, **overrides) -> dict:
    union = world.union
    return {
        "code": union.code, "name": union.name, "federation": union.federation_id,
        "founding_federation": union.founding_federation_id, "sector": union.sector,
        "founded_on": union.founded_on.isoformat(), "status": union.status,
        "status_on": union.status_on.isoformat() if union.status_on else "", "employees": "40",
    } | overrides


def new_member_form(**overrides) -> Callable[[World], dict]:
    return lambda world: {
        "card_no": "R-0001", "full_name": "Trần Văn Thử", "gender": "male", "birth_date": "1990-01-01",
        "union": world.union.pk, "admitted_on": "2024-06-01",
    } | overrides


def new_member_row(birth="1990-01-01", admitted="2024-06-01") -> str:
    return f"{MEMBER_HEADER}\nR-0001,Trần Văn Thử,male,{birth},a-xuan,{admitted},,,\n"


def member_row(
    status: str, left_on: str, reason: str, union: str = "a-xuan", admitted: str = "2024-03-01"
) -> str:
    """The world's member A0001 as a file row, with another status."""
    row = f"A0001,Nguyễn Thị Hằng,female,1995-05-17,{union},{admitted},{status},{left_on},{reason}"
    return f"{MEMBER_HEADER}\n{row}\n"


def member_edit_form(world: World, **overrides) -> dict:
    member = world.member
    return {
        "card_no": member.card_no, "full_name": member.full_name, "gender": member.gender,
        "birth_date": member.birth_date.isoformat(), "admitted_on": member.admitted_on.isoformat(),
    } | overrides


def union_row(status: str, status_on: str, founded: str = "2018-04-02", code: str = "a-xuan") -> str:
    return f"{UNION_HEADER}\n{code},Công đoàn Trường Thử,fed-a,non_state,{founded},{status},{status_on},40\n"


def dissolve(world: World) -> None:
    union_set_status(union=world.union, status=UnionStatus.DISSOLVED, on=D(2024, 5, 1))


def transfer_away(world: World) -> None:
    """A0001, admitted into a-xuan (founded 2018) on 1/3/2024, moves on 1/6/2024 to a-moi (founded 2020)."""
    moved_to = UnionFactory(
        code="a-moi", name="Công đoàn Mới", federation=world.fed, founded_on=D(2020, 1, 6)
    )
    member_transfer(member=world.member, to_union=moved_to, transferred_on=D(2024, 6, 1))


def moved_admission(admitted: str) -> dict:
    """The transferred member's admission date changed, through the three doors."""
    return {
        "form": (MEMBER_EDIT, lambda world: member_edit_form(world, admitted_on=admitted)),
        "import_": ("members", lambda world: member_row("", "", "", union="a-moi", admitted=admitted)),
        "admin": (MEMBER_CHANGE, lambda world: member_admin_data(world, admitted_on=admitted)),
    }


@dataclass
class Case:
    """One bad record as each door takes it, and the message every door must give."""

    message: Callable[[], str]  # called in the language the doors answer in
    form: tuple[Callable[[World], str], Callable[[World], dict]] | None
    import_: tuple[str, Callable[[World], str]] | None
    admin: tuple[Callable[[World], str], Callable[[World], dict]] | None
    setup: Callable[[World], None] | None = None


MEMBER_ADD = lambda world: reverse("admin:members_member_add")  # noqa: E731
MEMBER_CHANGE = lambda world: reverse("admin:members_member_change", args=[world.member.pk])  # noqa: E731
UNION_CHANGE = lambda world: reverse("admin:branches_grassrootsunion_change", args=[world.union.pk])  # noqa: E731
NEW_MEMBER = lambda world: reverse("members:member_create")  # noqa: E731
MEMBER_EDIT = lambda world: reverse("members:member_edit", args=["A0001"])  # noqa: E731

CASES = {
    "admission before the union's founding": Case(
        lambda: gettext("The admission cannot precede the union's founding."),
        (NEW_MEMBER, new_member_form(admitted_on="2017-01-01")),
        ("members", lambda world: new_member_row(admitted="2017-01-01")),
        (MEMBER_ADD, lambda world: member_admin_data(world, card_no="R-0001", admitted_on="2017-01-01")),
    ),
    "admission into a union already dissolved": Case(
        lambda: gettext("The union was already suspended or dissolved on that date."),
        None,  # the form offers active unions only
        ("members", lambda world: new_member_row(admitted="2024-06-01")),
        (MEMBER_ADD, lambda world: member_admin_data(world, card_no="R-0001", admitted_on="2024-06-01")),
        setup=dissolve,
    ),
    # A member who has moved since: the admission is judged in the union admitted into (the
    # first transfer's origin), and it cannot follow that transfer.
    "an admission moved past the member's transfer": Case(
        lambda: gettext("The transfer cannot precede the admission."),
        **moved_admission("2024-06-02"), setup=transfer_away,
    ),
    "an admission moved before the founding of the union admitted into": Case(
        lambda: gettext("The admission cannot precede the union's founding."),
        **moved_admission("2018-04-01"), setup=transfer_away,
    ),
    "birth after the admission": Case(
        lambda: gettext("The date of birth must precede the admission."),
        (NEW_MEMBER, new_member_form(birth_date="2024-07-01")),
        ("members", lambda world: new_member_row(birth="2024-07-01")),
        (MEMBER_ADD, lambda world: member_admin_data(world, card_no="R-0001", birth_date="2024-07-01")),
    ),
    "admission in the future": Case(
        lambda: gettext("The date cannot be in the future."),
        (NEW_MEMBER, new_member_form(admitted_on=TOMORROW.isoformat())),
        ("members", lambda world: new_member_row(admitted=TOMORROW.isoformat())),
        (MEMBER_ADD,
         lambda world: member_admin_data(world, card_no="R-0001", admitted_on=TOMORROW.isoformat())),
    ),
    "leaving before the admission": Case(
        lambda: gettext("The leaving date cannot precede the admission."),
        (lambda world: reverse("members:member_leave", args=["A0001"]),
         lambda world: {"left_on": "2024-02-01", "left_reason": "retired"}),
        ("members", lambda world: member_row("left", "2024-02-01", "retired")),
        (MEMBER_CHANGE, lambda world: member_admin_data(
            world, status="left", left_on="2024-02-01", left_reason="retired")),
    ),
    "a reason for leaving without leaving": Case(
        lambda: gettext("A reason for leaving goes with the status “left”, only."),
        None,  # the departure form always records a departure
        ("members", lambda world: member_row("active", "", "retired")),
        (MEMBER_CHANGE, lambda world: member_admin_data(world, left_reason="retired")),
    ),
    "founding in the future": Case(
        lambda: gettext("The date cannot be in the future."),
        (lambda world: reverse("branches:union_create"),
         lambda world: {"code": "a-moi", "name": "Công đoàn Mới", "federation": world.fed.pk,
                        "sector": "non_state", "founded_on": TOMORROW.isoformat()}),
        ("unions", lambda world: union_row("", "", founded=TOMORROW.isoformat(), code="a-moi")),
        (lambda world: reverse("admin:branches_grassrootsunion_add"),
         lambda world: union_admin_data(world, code="a-moi", founding_federation="",
                                        founded_on=TOMORROW.isoformat())),
    ),
    "status dated before the founding": Case(
        lambda: gettext("The status date cannot precede the founding."),
        (lambda world: reverse("branches:union_event", args=["a-xuan", "suspend"]),
         lambda world: {"on": "2018-01-01"}),
        ("unions", lambda world: union_row("suspended", "2018-01-01")),
        (UNION_CHANGE, lambda world: union_admin_data(world, status="suspended", status_on="2018-01-01")),
    ),
    "a dissolved union made active again": Case(
        lambda: str(CHANGE_NOT_POSSIBLE) % {"status": str(UnionStatus.DISSOLVED.label).lower()},
        (lambda world: reverse("branches:union_event", args=["a-xuan", "reactivate"]),
         lambda world: {"on": "2024-06-01"}),
        ("unions", lambda world: union_row("active", "2024-06-01")),
        (UNION_CHANGE, lambda world: union_admin_data(world, status="active", status_on="2024-06-01")),
        setup=dissolve,
    ),
    "a quota of nothing": Case(
        lambda: gettext("The target must be a positive whole number."),
        None,  # quotas are set by administrators: the admin and the command-line import
        ("quotas", lambda world: "federation,year,metric,target\nfed-a,2025,new_members,0\n"),
        (lambda world: reverse("admin:targets_quota_add"),
         lambda world: {"federation": world.fed.pk, "year": "2025", "metric": "new_members", "target": "0",
                        "reason": "Kế hoạch"}),
    ),
    "a negative quota": Case(
        lambda: gettext("The target must be a positive whole number."),
        None,
        ("quotas", lambda world: "federation,year,metric,target\nfed-a,2025,new_members,-5\n"),
        (lambda world: reverse("admin:targets_quota_add"),
         lambda world: {"federation": world.fed.pk, "year": "2025", "metric": "new_members", "target": "-5",
                        "reason": "Kế hoạch"}),
    ),
    "a quota for another century": Case(
        lambda: gettext("The year must be between 2000 and 2100."),
        None,
        ("quotas", lambda world: "federation,year,metric,target\nfed-a,1999,new_members,100\n"),
        (lambda world: reverse("admin:targets_quota_add"),
         lambda world: {"federation": world.fed.pk, "year": "1999", "metric": "new_members",
                        "target": "100", "reason": "Kế hoạch"}),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_the_same_bad_record_gets_the_same_message_through_every_door(world, name):
    case = CASES[name]
    if case.setup:
        case.setup(world)
    with translation.override("vi"):
        expected = case.message()
    with translation.override("en"):
        assert expected != case.message(), "the message has no Vietnamese translation"
    before = snapshot()
    doors = 0
    if case.form:
        url, data = case.form
        assert expected in through_form(world, url(world), data(world)), "form"
        assert snapshot() == before
        doors += 1
    if case.import_:
        kind, csv = case.import_
        assert expected in through_import(world, kind, csv(world)), "import"
        assert snapshot() == before
        doors += 1
    if case.admin:
        url, data = case.admin
        assert expected in through_admin(world, url(world), data(world)), "admin"
        assert snapshot() == before
        doors += 1
    assert doors >= 2


def test_the_doors_let_a_good_record_through(world):
    """The other side of the cases above: the same records, corrected, are written by each door."""
    client = world.client_for(world.officer)
    assert client.post(reverse("members:member_create"), new_member_form()(world)).status_code == 302
    with translation.override("vi"):
        result = service.import_file(
            kind="members", source=io.BytesIO(new_member_row().replace("R-0001", "R-0002").encode()),
            filename="members.csv", scope_user=world.officer, history_user=world.officer, commit=True,
        )
    assert result.written, result.problems
    response = world.client_for(world.admin).post(
        reverse("admin:members_member_add"), {**member_admin_data(world, card_no="R-0003"), "_save": "Lưu"}
    )
    assert response.status_code == 302
    assert set(Member.objects.filter(card_no__startswith="R-").values_list("card_no", flat=True)) == {
        "R-0001", "R-0002", "R-0003",
    }


@pytest.mark.parametrize(("admitted", "message"), [
    ("2024-06-02", "The transfer cannot precede the admission."),
    ("2018-04-01", "The admission cannot precede the union's founding."),
])
def test_a_moved_admission_is_refused_on_its_own_field(world, admitted, message):
    transfer_away(world)
    doors = moved_admission(admitted)
    with translation.override("vi"):
        expected = gettext(message)
    url, data = doors["form"]
    form = world.client_for(world.officer).post(url(world), data(world)).context["form"]
    assert form.errors["admitted_on"] == [expected]
    url, data = doors["admin"]
    response = world.client_for(world.admin).post(url(world), {**data(world), "_save": "Lưu"})
    assert response.context["adminform"].form.errors["admitted_on"] == [expected]


@pytest.mark.parametrize("admitted", [
    "2019-05-01",  # after the founding of a-xuan, admitted into; before a-moi's, moved to
    "2024-06-01",  # the day of the transfer itself
])
def test_a_moved_admission_within_its_first_union_is_written_by_every_door(world, admitted):
    transfer_away(world)
    doors = moved_admission(admitted)

    def admission() -> datetime.date:
        return Member.objects.values_list("admitted_on", flat=True).get(card_no="A0001")

    url, data = doors["form"]
    assert world.client_for(world.officer).post(url(world), data(world)).status_code == 302
    assert admission() == D.fromisoformat(admitted)
    world.member.refresh_from_db()
    Member.objects.filter(card_no="A0001").update(admitted_on=D(2024, 3, 1))
    kind, csv = doors["import_"]
    with translation.override("vi"):
        result = service.import_file(
            kind=kind, source=io.BytesIO(csv(world).encode()), filename="members.csv",
            scope_user=world.officer, history_user=world.officer, commit=True,
        )
    assert result.written, result.problems
    assert admission() == D.fromisoformat(admitted)
    Member.objects.filter(card_no="A0001").update(admitted_on=D(2024, 3, 1))
    world.member.refresh_from_db()
    url, data = doors["admin"]
    response = world.client_for(world.admin).post(url(world), {**data(world), "_save": "Lưu"})
    assert response.status_code == 302
    assert admission() == D.fromisoformat(admitted)
