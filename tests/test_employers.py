"""The employer register: one rule a door (form, import, admin), the scoped pages, the import.

Employers are keyed on their tax code, stored as its digits alone (0101234567-001 is kept
as 0101234567001 and shown with the dash); a grassroots union covers one employer and an
employer has at most one union, of its own federation.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from branches.models import (
    EMPLOYEES_ABSURD,
    EMPLOYEES_NEGATIVE,
    TAX_CODE_INVALID,
    TAX_CODE_TAKEN,
    UNION_OTHER_FEDERATION,
    UNION_SECOND,
    UNION_TAKEN,
    Employer,
    GrassrootsUnion,
    Sector,
    UnionStatus,
)
from branches.services import union_set_status
from imports import service
from tests.factories import UnionFactory
from unionboard.rules import NOT_IN_FUTURE

pytestmark = pytest.mark.django_db
D = datetime.date
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)
HEADER = "tax_code,name,ward,sector,employees,counted_on,union"


@dataclass
class World:
    fed: object
    fed_b: object
    union: GrassrootsUnion  # covers `employer`
    spare: GrassrootsUnion  # a union of A that covers no employer
    union_b: GrassrootsUnion  # B's union
    employer: Employer
    officer: object
    admin: object
    client_for: Callable


@pytest.fixture
def world(fed_a, fed_b, officer_a, admin_user, client_for, settings, tmp_path):
    settings.IMPORT_TEMP_DIR = str(tmp_path / "pending")
    union = UnionFactory(code="a-anh-sang", name="Công đoàn Công ty TNHH Ánh Sáng", federation=fed_a)
    spare = UnionFactory(code="a-spare", name="Công đoàn Trường Mầm non Hoa Sen", federation=fed_a)
    union_b = UnionFactory(code="b-ben-thanh", name="Công đoàn Công ty Bến Thành", federation=fed_b)
    employer = Employer.objects.create(
        tax_code="0101234567", name="Công ty TNHH Ánh Sáng", ward="Phường Khương Đình",
        sector=Sector.NON_STATE, federation=fed_a, employees=120, counted_on=D(2024, 12, 31), union=union,
    )
    return World(fed_a, fed_b, union, spare, union_b, employer, officer_a, admin_user, client_for)


def snapshot() -> list:
    """Every employer and its history: a refused record changes none of them."""
    return [
        list(Employer.objects.order_by("pk").values_list(
            "tax_code", "name", "ward", "sector", "federation_id", "employees", "counted_on", "union_id")),
        Employer.history.count(),
    ]


def flat(errors) -> list[str]:
    return [str(message) for messages in errors.values() for message in messages]


# -- the three doors ------------------------------------------------------------------------------


def through_form(world: World, url: str, data: dict, user=None) -> list[str]:
    response = world.client_for(user or world.officer).post(url, data)
    assert response.status_code == 200, f"{url} accepted the record"
    return flat(response.context["form"].errors)


def through_import(world: World, csv: str, scope=True) -> list[str]:
    with translation.override("vi"):
        result = service.import_file(
            kind="employers", source=io.BytesIO(csv.encode()), filename="employers.csv",
            scope_user=world.officer if scope else None, history_user=world.officer, commit=True,
        )
    assert not result.written
    return [problem.message for problem in result.problems]


def through_admin(world: World, url: str, data: dict) -> list[str]:
    response = world.client_for(world.admin).post(url, {**data, "_save": "Lưu"})
    assert response.status_code == 200, f"{url} accepted the record"
    return flat(response.context["adminform"].form.errors)


def new_form(**overrides) -> Callable[[World], dict]:
    return lambda world: {
        "tax_code": "0107654321", "name": "Công ty Cổ phần Mới", "ward": "Phường Mới",
        "sector": "non_state", "federation": world.fed.pk, "employees": "40", "counted_on": "2024-06-30",
        "union": "",
    } | overrides


def edit_form(**overrides) -> Callable[[World], dict]:
    return lambda world: {
        "tax_code": world.employer.tax_code, "name": world.employer.name, "ward": world.employer.ward,
        "sector": world.employer.sector, "federation": world.fed.pk, "employees": "120",
        "counted_on": "2024-12-31", "union": world.union.pk,
    } | overrides


def new_row(tax="0107654321", employees="40", counted="2024-06-30", union="", federation="") -> Callable:
    def row(world):
        head = HEADER + (",federation" if federation else "")
        tail = f",{federation}" if federation else ""
        return f"{head}\n{tax},Công ty Cổ phần Mới,Phường Mới,non_state,{employees},{counted},{union}{tail}\n"
    return row


NEW = lambda world: reverse("branches:employer_create")  # noqa: E731
EDIT = lambda world: reverse("branches:employer_edit", args=[world.employer.tax_code])  # noqa: E731
ADMIN_ADD = lambda world: reverse("admin:branches_employer_add")  # noqa: E731
ADMIN_CHANGE = lambda world: reverse("admin:branches_employer_change", args=[world.employer.pk])  # noqa: E731
def EDIT_ROW(union: str) -> Callable[[World], str]:  # noqa: N802 - read as a constant beside NEW, EDIT
    """The world's employer as a file row, naming `union`."""
    return lambda world: (
        f"{HEADER}\n0101234567,Công ty TNHH Ánh Sáng,Phường Khương Đình,non_state,120,2024-12-31,{union}\n"
    )


@dataclass
class Case:
    message: Callable[[], str]
    form: tuple | None
    import_: Callable[[World], str] | None
    admin: tuple | None
    superuser_form: bool = False  # the form door opened by an administrator (any federation's union)
    scoped_import: bool = True


CASES = {
    "a tax code of 8 digits": Case(
        lambda: str(TAX_CODE_INVALID),
        (NEW, new_form(tax_code="01012345")), new_row(tax="01012345"),
        (ADMIN_ADD, new_form(tax_code="01012345")),
    ),
    "a tax code with letters": Case(
        lambda: str(TAX_CODE_INVALID),
        (NEW, new_form(tax_code="01O1234567")), new_row(tax="01O1234567"),
        (ADMIN_ADD, new_form(tax_code="01O1234567")),
    ),
    "a tax code of 13 digits with the dash misplaced": Case(
        lambda: str(TAX_CODE_INVALID),
        (NEW, new_form(tax_code="010123-4567001")), new_row(tax="010123-4567001"),
        (ADMIN_ADD, new_form(tax_code="010123-4567001")),
    ),
    "a tax code another employer has": Case(
        lambda: str(TAX_CODE_TAKEN),
        (NEW, new_form(tax_code="0101234567")), None,  # the import updates the employer it names
        (ADMIN_ADD, new_form(tax_code="0101234567")),
    ),
    "a union of another federation": Case(
        lambda: str(UNION_OTHER_FEDERATION) % {"federation": "LĐLĐ huyện Bình Minh"},
        (NEW, lambda world: new_form(union=world.union_b.pk)(world)),
        new_row(union="b-ben-thanh", federation="fed-a"),
        (ADMIN_ADD, lambda world: new_form(union=world.union_b.pk)(world)),
        superuser_form=True, scoped_import=False,
    ),
    "a second union for one employer": Case(
        lambda: str(UNION_SECOND) % {"union": "Công đoàn Công ty TNHH Ánh Sáng"},
        (EDIT, lambda world: edit_form(union=world.spare.pk)(world)), EDIT_ROW("a-spare"),
        (ADMIN_CHANGE, lambda world: edit_form(union=world.spare.pk)(world)),
    ),
    "a union that already covers another employer": Case(
        lambda: str(UNION_TAKEN),
        (NEW, lambda world: new_form(union=world.union.pk)(world)), new_row(union="a-anh-sang"),
        (ADMIN_ADD, lambda world: new_form(union=world.union.pk)(world)),
    ),
    "a negative head count": Case(
        lambda: str(EMPLOYEES_NEGATIVE),
        (NEW, new_form(employees="-5")), new_row(employees="-5"), (ADMIN_ADD, new_form(employees="-5")),
    ),
    "an absurd head count": Case(
        lambda: str(EMPLOYEES_ABSURD),
        (NEW, new_form(employees="500001")), new_row(employees="500001"),
        (ADMIN_ADD, new_form(employees="500001")),
    ),
    "a head count counted tomorrow": Case(
        lambda: str(NOT_IN_FUTURE),
        (NEW, new_form(counted_on=TOMORROW.isoformat())), new_row(counted=TOMORROW.isoformat()),
        (ADMIN_ADD, new_form(counted_on=TOMORROW.isoformat())),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_the_same_bad_employer_gets_the_same_message_through_every_door(world, name):
    case = CASES[name]
    with translation.override("vi"):
        expected = case.message()
    with translation.override("en"):
        assert expected != case.message(), "the message has no Vietnamese translation"
    before = snapshot()
    doors = 0
    if case.form:
        url, data = case.form
        user = world.admin if case.superuser_form else None
        assert expected in through_form(world, url(world), data(world), user=user), "form"
        assert snapshot() == before
        doors += 1
    if case.import_:
        assert expected in through_import(world, case.import_(world), scope=case.scoped_import), "import"
        assert snapshot() == before
        doors += 1
    if case.admin:
        url, data = case.admin
        assert expected in through_admin(world, url(world), data(world)), "admin"
        assert snapshot() == before
        doors += 1
    assert doors >= 2


def test_the_database_keeps_one_employer_a_union_and_a_tax_code(world):
    """The rules' last line: the unique constraints, for writes that skip the checks."""
    for taken in ({"tax_code": "0101234567"}, {"tax_code": "0109999999", "union": world.union}):
        fields = {"tax_code": "0109999999", "name": "X", "sector": Sector.NON_STATE, "federation": world.fed,
                  "employees": 30, "counted_on": D(2024, 1, 1)} | taken
        with pytest.raises(IntegrityError), transaction.atomic():
            Employer.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Employer.objects.filter(pk=world.employer.pk).update(employees=500_001)


def test_a_union_dissolved_makes_way_for_another(world):
    """Only a dissolved union is replaced: the employer's next union is linked through the form."""
    union_set_status(union=world.union, status=UnionStatus.DISSOLVED, on=D(2024, 5, 1))
    response = world.client_for(world.officer).post(EDIT(world), edit_form(union=world.spare.pk)(world))
    assert response.status_code == 302
    world.employer.refresh_from_db()
    assert world.employer.union_id == world.spare.pk


def test_the_dash_form_is_stored_as_its_13_digits_and_shown_with_the_dash(world):
    client = world.client_for(world.officer)
    response = client.post(NEW(world), new_form(tax_code="0107654321-002")(world))
    assert response.status_code == 302
    employer = Employer.objects.get(name="Công ty Cổ phần Mới")
    assert employer.tax_code == "0107654321002"
    assert response["Location"] == "/employers/0107654321002/"
    page = client.get(response["Location"]).content.decode()
    assert "0107654321-002" in page
    # the same code typed the other way is the same employer
    assert TAX_CODE_TAKEN_VI in through_form(world, NEW(world), new_form(tax_code="0107654321002")(world))
    with translation.override("vi"):
        csv = (f"{HEADER}\n0107654321-003,A,,non_state,30,2024-01-01,\n"
               f"0107654321003,B,,non_state,30,2024-01-01,\n")
        messages = through_import(world, csv)
    assert messages == ["Mã số thuế này đã có ở dòng 2 của tệp."]


TAX_CODE_TAKEN_VI = "Đã có đơn vị sử dụng lao động khác mang mã số thuế này."


def test_an_officer_cannot_import_over_another_federations_employer(world, officer_b):
    with translation.override("vi"):
        result = service.import_file(
            kind="employers", source=io.BytesIO(EDIT_ROW("")(world).encode()), filename="e.csv",
            scope_user=officer_b, history_user=officer_b, commit=True,
        )
    assert [p.message for p in result.problems] == ["Không dùng được mã số thuế “0101234567”."]
    assert Employer.objects.get().name == "Công ty TNHH Ánh Sáng"


# -- the import ---------------------------------------------------------------------------------------


VI_FILE = (
    "Mã số thuế,Tên doanh nghiệp,Phường,Loại hình,Số lao động,Ngày thống kê,Mã CĐCS\n"
    "0105555555-001,Công ty TNHH May Hoa Sen,Phường Thanh Xuân Trung,ngoài nhà nước,\"1.250\",31/12/2024,"
    "a-spare\n"
    "0106666666,Trường Tiểu học Kim Giang,Phường Kim Giang,hành chính sự nghiệp,45,31/12/2024,\n"
    "0101234567,Công ty TNHH Ánh Sáng,Phường Khương Đình,ngoài nhà nước,130,31/12/2024,\n"
)


def test_the_import_previews_writes_all_or_nothing_and_changes_nothing_the_second_time(world):
    client = world.client_for(world.officer)
    upload = lambda: client.post(reverse("imports:upload"), {  # noqa: E731
        "kind": "employers", "file": SimpleUploadedFile("dn.csv", VI_FILE.encode()),
    })
    preview = upload()
    assert preview.status_code == 200
    result = preview.context["result"]
    assert (result.created, result.updated, result.unchanged, result.problem_count) == (2, 1, 0, 0)
    assert Employer.objects.count() == 1  # the preview writes nothing
    token = preview.context["token"]
    assert client.post(reverse("imports:confirm"), {"token": token}).status_code == 302

    branch = Employer.objects.get(tax_code="0105555555001")
    assert (branch.name, branch.employees, branch.counted_on, branch.union_id, branch.federation_id) == (
        "Công ty TNHH May Hoa Sen", 1250, D(2024, 12, 31), world.spare.pk, world.fed.pk
    )
    assert Employer.objects.get(tax_code="0106666666").sector == Sector.PUBLIC_SERVICE
    world.employer.refresh_from_db()
    assert world.employer.employees == 130
    assert world.employer.union_id == world.union.pk  # an empty union cell unlinks nothing
    record = branch.history.get()
    assert record.history_user == world.officer and "dn.csv" in record.history_change_reason

    history = Employer.history.count()
    again = upload().context["result"]
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert client.post(reverse("imports:confirm"), {"token": upload().context["token"]}).status_code == 302
    assert Employer.history.count() == history


def test_a_file_with_one_bad_row_writes_nothing(world):
    csv = VI_FILE + "0107777777,Công ty Hỏng,,ngoài nhà nước,-3,31/12/2024,\n"
    before = snapshot()
    with translation.override("vi"):
        messages = through_import(world, csv)
    assert messages == ["Số lao động không thể là số âm."]
    assert snapshot() == before


def test_the_command_line_import_needs_a_federation_where_no_union_tells_it(world, tmp_path):
    path = tmp_path / "employers.csv"
    path.write_text(new_row()(world), encoding="utf-8")
    stderr = io.StringIO()
    with pytest.raises(CommandError), translation.override("vi"):
        call_command("import_data", "employers", str(path), stdout=io.StringIO(), stderr=stderr)
    assert "cột “federation”" in stderr.getvalue()
    assert Employer.objects.count() == 1
    path.write_text(new_row(federation="fed-b")(world), encoding="utf-8")
    call_command("import_data", "employers", str(path), stdout=io.StringIO())
    assert Employer.objects.get(tax_code="0107654321").federation == world.fed_b


def test_the_template_file_names_the_columns(world):
    response = world.client_for(world.officer).get(reverse("imports:template", args=["employers", "csv"]))
    assert response.content.decode("utf-8-sig").splitlines()[0] == HEADER + ",federation"


# -- the pages ----------------------------------------------------------------------------------------


@pytest.fixture
def register(world):
    """Three more employers of A (one small, one uncovered and large) and one of B."""
    Employer.objects.create(tax_code="0102000001", name="Hợp tác xã Bình Minh", sector=Sector.NON_STATE,
                            federation=world.fed, employees=12, counted_on=D(2024, 6, 1))
    Employer.objects.create(tax_code="0102000002001", name="Chi nhánh Công ty Đông Á",
                            sector=Sector.FOREIGN_INVESTED, federation=world.fed, employees=300,
                            counted_on=D(2024, 6, 1))
    Employer.objects.create(tax_code="0102000003", name="Trường Mầm non Hoa Sen",
                            sector=Sector.PUBLIC_SERVICE,
                            federation=world.fed, employees=25, counted_on=D(2024, 6, 1), union=world.spare)
    Employer.objects.create(tax_code="0309876543", name="Công ty Cổ phần Bến Thành", sector=Sector.NON_STATE,
                            federation=world.fed_b, employees=80, counted_on=D(2024, 6, 1),
                            union=world.union_b)


def names_on(response) -> list[str]:
    return [row.name for row in response.context["table"].rows]


def test_an_officer_lists_searches_and_filters_their_federations_employers(world, register):
    client = world.client_for(world.officer)
    url = reverse("branches:employer_list")
    listed = names_on(client.get(url))
    assert listed == ["Chi nhánh Công ty Đông Á", "Công ty TNHH Ánh Sáng", "Hợp tác xã Bình Minh",
                      "Trường Mầm non Hoa Sen"]
    assert "Bến Thành" not in client.get(url).content.decode()
    assert names_on(client.get(url, {"q": "anh sang"})) == ["Công ty TNHH Ánh Sáng"]
    assert names_on(client.get(url, {"q": "0102000002-0"})) == ["Chi nhánh Công ty Đông Á"]
    assert names_on(client.get(url, {"q": "ben thanh"})) == []
    uncovered = ["Chi nhánh Công ty Đông Á", "Hợp tác xã Bình Minh"]
    assert names_on(client.get(url, {"covered": "no"})) == uncovered
    assert names_on(client.get(url, {"covered": "no", "large": "on"})) == ["Chi nhánh Công ty Đông Á"]
    large_schools = client.get(url, {"large": "on", "sector": "public_service"})
    assert names_on(large_schools) == ["Trường Mầm non Hoa Sen"]  # 25 counts as 25 or more


def test_city_staff_see_every_employer_and_change_none(world, register, city_staff):
    client = world.client_for(city_staff)
    assert len(names_on(client.get(reverse("branches:employer_list")))) == 5
    page = client.get(reverse("branches:employer_detail", args=["0309876543"])).content.decode()
    assert "Công ty Cổ phần Bến Thành" in page
    assert reverse("branches:employer_edit", args=["0309876543"]) not in page
    assert client.get(reverse("branches:employer_edit", args=["0309876543"])).status_code == 403


@pytest.mark.parametrize("column", ["tax_code", "name", "ward", "federation", "sector", "employees",
                                    "counted_on", "union"])
def test_every_employer_list_column_sorts_both_ways(client_for, city_staff, fed_a, fed_b, column):
    first_union = UnionFactory(code="u-first", name="Công đoàn An Bình", federation=fed_b)
    second_union = UnionFactory(code="u-second", name="Công đoàn Bến Nghé", federation=fed_a)
    Employer.objects.create(tax_code="0100000001", name="Công ty An Bình", ward="Phường An",
                            sector="foreign_invested",
                            federation=fed_b, employees=10, counted_on=D(2023, 1, 1), union=first_union)
    Employer.objects.create(tax_code="0100000002", name="Công ty Bến Nghé", ward="Phường Bến",
                            sector="public_service", federation=fed_a, employees=20, counted_on=D(2024, 1, 1),
                            union=second_union)
    client = client_for(city_staff)
    url = reverse("branches:employer_list")
    ascending = client.get(url, {"sort": column}).content.decode()
    descending = client.get(url, {"sort": f"-{column}"}).content.decode()
    assert ascending.index("0100000001") < ascending.index("0100000002"), column
    assert descending.index("0100000002") < descending.index("0100000001"), column


def test_the_list_costs_the_same_queries_for_ten_times_the_employers(world, register):
    client = world.client_for(world.officer)
    url = reverse("branches:employer_list")
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(transaction.get_connection()) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for n in range(40):
        union = UnionFactory(federation=world.fed)
        Employer.objects.create(tax_code=f"01030000{n:02d}", name=f"Công ty Thêm {n}", sector="non_state",
                                federation=world.fed, employees=30, counted_on=D(2024, 1, 1), union=union)
    assert queries() == few


def test_the_union_page_and_the_employer_page_link_to_each_other(world):
    client = world.client_for(world.officer)
    union_page = client.get(world.union.get_absolute_url()).content.decode()
    assert f'href="{world.employer.get_absolute_url()}"' in union_page
    employer_page = client.get(world.employer.get_absolute_url()).content.decode()
    assert f'href="{world.union.get_absolute_url()}"' in employer_page
    spare_page = client.get(world.spare.get_absolute_url()).content.decode()
    assert "/employers/" not in spare_page.split("<main", 1)[-1]


def test_the_menu_offers_the_employers(world):
    page = world.client_for(world.officer).get(reverse("branches:employer_list")).content.decode()
    with translation.override("vi"):
        assert f'href="{reverse("branches:employer_list")}">{gettext("Employers")}</a>' in page


def test_the_import_page_opened_from_the_employers_list_offers_employers(world):
    page = world.client_for(world.officer).get(reverse("imports:upload"), {"kind": "employers"})
    assert page.context["form"]["kind"].value() == "employers"
    unknown = world.client_for(world.officer).get(reverse("imports:upload"), {"kind": "quotas"})
    assert unknown.context["form"]["kind"].value() == "members"  # not offered in the browser


def test_the_preview_shows_the_union_an_update_replaces_by_its_code(world):
    union_set_status(union=world.union, status=UnionStatus.DISSOLVED, on=D(2024, 5, 1))
    with translation.override("vi"):
        result = service.import_file(
            kind="employers", source=io.BytesIO(EDIT_ROW("a-spare")(world).encode()), filename="e.csv",
            scope_user=world.officer, history_user=world.officer,
        )
    assert result.ok and result.updated == 1
    (change,) = result.changes
    assert [(f.column, f.old, f.new) for f in change.fields] == [("union", "a-anh-sang", "a-spare")]
    assert change.key == "0101234567"


def test_a_tax_code_taken_between_the_check_and_the_write_is_a_message_not_an_error(world, monkeypatch):
    """Two officers saving one tax code at once: the check passed before the other write was
    committed (skipped here), and the write meets the unique constraint."""
    Employer.objects.create(tax_code="0107654321", name="Ghi trước", sector=Sector.NON_STATE,
                            federation=world.fed, employees=5, counted_on=D(2024, 1, 1))
    monkeypatch.setattr(Employer, "validate_unique", lambda self, exclude=None: None)
    before = snapshot()
    with translation.override("vi"):
        messages = through_form(world, NEW(world), new_form()(world))
    assert messages == ["Trong lúc lưu, một đơn vị khác đã dùng mã số thuế hoặc công đoàn cơ sở này: "
                        "hãy kiểm tra rồi lưu lại."]
    assert snapshot() == before
