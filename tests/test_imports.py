"""Spreadsheet imports: the browser flow (preview, confirm), the command, and every bad file.

Files are built in each test from generated names (never real people). Messages are
checked in English; every refused file is also checked to have written nothing.
"""

import codecs
import csv
import datetime
import io
import re
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from branches.models import GrassrootsUnion, UnionStatus
from imports import service
from imports.reading import normalise_header
from imports.schemas import SCHEMAS
from members import services as members_services
from members.models import Member, MemberStatus, Transfer
from targets.models import Metric, Quota
from tests.factories import MemberFactory, UnionFactory, make_user
from unionboard import roles

pytestmark = pytest.mark.django_db
D = datetime.date
MEMBER_HEADER = "card_no,full_name,gender,birth_date,union,admitted_on,status,left_on"
MEMBERS_OF_A = (
    MEMBER_HEADER + "\n"
    "TN-0001,Trần Thị Thử,female,1990-01-02,cdcs-a1,2024-03-01,active,\n"
    "TN-0002,Lê Văn Mẫu,male,1988-07-15,cdcs-a1,2024-04-10,active,\n"
    "TN-0003,Phạm Thị Kiểm,female,,cdcs-a2,2024-05-20,left,2024-09-30\n"
)


@pytest.fixture(autouse=True)
def english(settings, tmp_path):
    """English messages; waiting uploads in this test's own temporary folder."""
    settings.IMPORT_TEMP_DIR = str(tmp_path / "pending")
    with translation.override("en"):
        yield


@pytest.fixture
def unions(fed_a, fed_b):
    return {
        "a1": UnionFactory(code="cdcs-a1", federation=fed_a),
        "a2": UnionFactory(code="cdcs-a2", federation=fed_a),
        "b1": UnionFactory(code="cdcs-b1", federation=fed_b),
    }


@pytest.fixture
def web(client_for):
    """A logged-in client that reads the pages in English."""

    def _login(user):
        client = client_for(user)
        client.cookies["unionboard_language"] = "en"
        return client

    return _login


def upload(client, content: bytes, name: str = "members.csv", kind: str = "members"):
    return client.post(
        reverse("imports:upload"), {"kind": kind, "file": SimpleUploadedFile(name, content)}
    )


def counts(response) -> dict[str, int]:
    html = response.content.decode()
    return {
        key: int(value)
        for key, value in re.findall(r'data-count="(\w+)">([\d.,]+)<', html)
    }


def token_of(response) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert match, "the preview offers no confirmation"
    return match.group(1)


def approvals(response) -> list[str]:
    """The values of the identity-change checkboxes of a preview (ticking them all)."""
    return re.findall(r'name="identity" value="([^"]+)"', response.content.decode())


def run(kind: str, content: bytes, name: str = "file.csv", **options) -> service.ImportResult:
    return service.import_file(kind=kind, source=io.BytesIO(content), filename=name, **options)


def messages_of(result: service.ImportResult) -> list[str]:
    return [str(problem) for problem in result.problems]


def command(kind: str, path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_data", kind, str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def to_cp1258(text: str) -> bytes:
    """Text as Vietnamese Windows writes it: base letters precomposed, tone marks apart."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out.append((base + "".join(c for c in parts if c in tones)).encode("cp1258"))
    return b"".join(out)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the browser flow ------------------------------------------------------------------------


def test_officer_previews_then_confirms_a_members_file(web, officer_a, fed_a, unions):
    client = web(officer_a)
    response = upload(client, MEMBERS_OF_A.encode())
    assert response.status_code == 200
    assert counts(response) == {"created": 3, "updated": 0, "unchanged": 0}
    assert Member.objects.count() == 0  # the preview writes nothing

    response = client.post(reverse("imports:confirm"), {"token": token_of(response)})
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:upload")
    page = client.get(response["Location"]).content.decode()
    assert "members.csv imported: 3 created, 0 updated, 0 unchanged." in page

    members = {member.card_no: member for member in Member.objects.all()}
    assert set(members) == {"TN-0001", "TN-0002", "TN-0003"}
    assert all(member.admitted_federation_id == fed_a.pk for member in members.values())
    assert members["TN-0001"].name_search == "tran thi thu"
    assert members["TN-0003"].status == MemberStatus.LEFT
    assert members["TN-0003"].left_on == D(2024, 9, 30)
    assert members["TN-0003"].birth_date is None
    assert members["TN-0002"].union == unions["a1"]


def test_reimporting_the_same_file_changes_nothing(web, officer_a, unions):
    client = web(officer_a)
    client.post(reverse("imports:confirm"), {"token": token_of(upload(client, MEMBERS_OF_A.encode()))})
    history_before = Member.history.count()

    response = upload(client, MEMBERS_OF_A.encode())
    assert counts(response) == {"created": 0, "updated": 0, "unchanged": 3}
    response = client.post(reverse("imports:confirm"), {"token": token_of(response)})
    assert "0 created, 0 updated, 3 unchanged" in client.get(response["Location"]).content.decode()
    assert Member.objects.count() == 3
    assert Member.history.count() == history_before  # no new change set at all


def test_a_changed_row_is_an_update_and_keeps_the_admission_credit(web, officer_a, fed_a, fed_b, unions):
    client = web(officer_a)
    client.post(reverse("imports:confirm"), {"token": token_of(upload(client, MEMBERS_OF_A.encode()))})
    # The union moved to B since (districts merge); the admission stays credited to A.
    GrassrootsUnion.objects.filter(pk=unions["a1"].pk).update(federation=fed_b)
    officer_a.federations.add(fed_b)
    client = web(officer_a)

    changed = MEMBERS_OF_A.replace("Lê Văn Mẫu", "Lê Văn Mẫu Mới")
    response = upload(client, changed.encode())
    # another name is an identity change: written only once ticked
    assert counts(response) == {"created": 0, "updated": 0, "unchanged": 2, "identity": 1}
    client.post(reverse("imports:confirm"), {"token": token_of(response), "identity": approvals(response)})
    member = Member.objects.get(card_no="TN-0002")
    assert member.full_name == "Lê Văn Mẫu Mới"
    assert member.name_search == "le van mau moi"
    assert member.admitted_federation == fed_a


def test_one_change_set_per_file_with_the_importing_user(web, officer_a, unions):
    client = web(officer_a)
    client.post(reverse("imports:confirm"), {"token": token_of(upload(client, MEMBERS_OF_A.encode()))})
    records = list(Member.history.all())
    assert len(records) == 3
    assert {record.history_user_id for record in records} == {officer_a.pk}
    assert {record.history_type for record in records} == {"+"}
    reasons = {record.history_change_reason for record in records}
    assert len(reasons) == 1 and "members.csv" in reasons.pop()
    assert len({record.history_date for record in records}) == 1

    response = upload(client, MEMBERS_OF_A.replace("Kiểm", "Kiểm Tra").encode(), "fix.csv")
    client.post(reverse("imports:confirm"), {"token": token_of(response), "identity": approvals(response)})
    update = Member.history.filter(history_type="~").get()
    assert update.history_user_id == officer_a.pk
    assert "fix.csv" in update.history_change_reason


def test_officer_imports_unions_of_their_federation(web, officer_a, fed_a):
    content = (
        "code,name,federation,sector,founded_on,status,status_on,employees\n"
        "cdcs-new-1,Công đoàn Công ty TNHH Ví Dụ Một,fed-a,non_state,15/03/2024,,,45\n"
        "cdcs-new-2,Công đoàn Trường Mầm non Thử,fed-a,public_service,2019-09-01,dissolved,2024-06-30,\n"
    ).encode()
    client = web(officer_a)
    response = upload(client, content, "unions.csv", kind="unions")
    assert counts(response) == {"created": 2, "updated": 0, "unchanged": 0}
    client.post(reverse("imports:confirm"), {"token": token_of(response)})
    first = GrassrootsUnion.objects.get(code="cdcs-new-1")
    assert first.founding_federation == fed_a and first.federation == fed_a
    assert first.founded_on == D(2024, 3, 15) and first.employees == 45
    assert first.status == UnionStatus.ACTIVE and first.name_search.startswith("cong doan cong ty")
    assert first.name_sort
    second = GrassrootsUnion.objects.get(code="cdcs-new-2")
    assert second.status == UnionStatus.DISSOLVED and second.status_on == D(2024, 6, 30)
    assert {record.history_user_id for record in GrassrootsUnion.history.all()} == {officer_a.pk}

    assert counts(upload(client, content, "unions.csv", kind="unions")) == {
        "created": 0, "updated": 0, "unchanged": 2
    }


def test_union_file_naming_another_federation_is_refused(web, officer_a, fed_b):
    content = (
        "code,name,federation,sector,founded_on\n"
        "cdcs-x,Công đoàn Thử,fed-b,non_state,2024-01-05\n"
    ).encode()
    response = upload(web(officer_a), content, "unions.csv", kind="unions")
    assert "“fed-b” is not one of your federations." in response.content.decode()
    assert 'name="token"' not in response.content.decode()
    assert not GrassrootsUnion.objects.filter(code="cdcs-x").exists()


def test_tampering_a_row_for_b_union_by_a_officer_is_refused_and_writes_nothing(web, officer_a, unions):
    content = (MEMBERS_OF_A + "TN-0004,Đỗ Thị Lạ,female,,cdcs-b1,2024-06-01,,\n").encode()
    client = web(officer_a)
    response = upload(client, content)
    html = response.content.decode()
    assert response.status_code == 200
    assert "“cdcs-b1” is not a grassroots union of your federations." in html
    assert "<td>5</td><td>union</td>" in html
    assert 'name="token"' not in html
    # No waiting file to confirm, and a made-up token writes nothing either.
    response = client.post(reverse("imports:confirm"), {"token": "A" * 32})
    assert response.status_code == 302
    assert Member.objects.count() == 0


def test_card_number_of_another_federations_member_is_refused(web, officer_a, unions):
    MemberFactory(card_no="TN-0002", union=unions["b1"])
    response = upload(web(officer_a), MEMBERS_OF_A.encode())
    html = response.content.decode()
    assert "The card number “TN-0002” cannot be used." in html
    assert unions["b1"].federation.name not in html and unions["b1"].code not in html  # nor where it is
    assert Member.objects.count() == 1


# -- probing other federations: an officer's file learns nothing of what is not theirs ---------------


def row_messages(officer, kind: str, header: str, row: str, key: str) -> list[str]:
    """The problems an officer's file of one row gets, with `key` (the probed code) blanked out."""
    result = run(kind, f"{header}\n{row}\n".encode(), scope_user=officer)
    assert not result.ok and result.created == 0
    return [message.replace(key, "KEY") for message in messages_of(result)]


def test_a_union_code_answers_alike_unknown_other_federations_or_inactive(officer_a, unions, fed_b):
    """A member row naming a union: unknown, B's active, B's suspended all get one message."""
    UnionFactory(code="cdcs-b-ngung", federation=fed_b, status=UnionStatus.SUSPENDED, status_on=D(2023, 1, 1))
    answers = {
        code: row_messages(officer_a, "members", MEMBER_HEADER,
                           f"TN-9,Trần Thị Thử,female,,{code},2024-03-01,,", code)
        for code in ("cdcs-khong-co", "cdcs-b1", "cdcs-b-ngung")
    }
    unknown = "row 2, column union: “KEY” is not a grassroots union of your federations."
    assert answers["cdcs-khong-co"] == [unknown]
    assert answers["cdcs-b1"] == answers["cdcs-khong-co"] == answers["cdcs-b-ngung"]


def test_a_card_number_of_another_federation_answers_alike_whatever_that_member_is(
    officer_a, unions, fed_b
):
    """B's member, B's member who left, a member A moved to B: "cannot be used", nothing more."""
    MemberFactory(card_no="TN-B-ACTIVE", union=unions["b1"])
    MemberFactory(card_no="TN-B-LEFT", union=unions["b1"], status=MemberStatus.LEFT, left_on=D(2024, 5, 1))
    moved = MemberFactory(card_no="TN-B-MOVED", union=unions["a1"], admitted_on=D(2024, 3, 1))
    members_services.member_transfer(member=moved, to_union=unions["b1"], transferred_on=D(2024, 4, 1))
    answers = {
        card: row_messages(officer_a, "members", MEMBER_HEADER,
                           f"{card},Trần Thị Thử,female,,cdcs-a1,2024-03-01,,", card)
        for card in ("TN-B-ACTIVE", "TN-B-LEFT", "TN-B-MOVED")
    }
    assert answers["TN-B-ACTIVE"] == ["row 2, column card_no: The card number “KEY” cannot be used."]
    assert answers["TN-B-LEFT"] == answers["TN-B-ACTIVE"] == answers["TN-B-MOVED"]


def test_a_union_code_of_another_federation_answers_alike_active_or_dissolved(officer_a, unions, fed_b):
    UnionFactory(code="cdcs-b-tan", federation=fed_b, status=UnionStatus.DISSOLVED, status_on=D(2023, 1, 1))
    header = "code,name,federation,sector,founded_on"
    answers = {
        code: row_messages(officer_a, "unions", header, f"{code},Công đoàn Thử,fed-a,non_state,2024-01-05",
                           code)
        for code in ("cdcs-b1", "cdcs-b-tan")
    }
    assert answers["cdcs-b1"] == ["row 2, column code: The code “KEY” cannot be used; choose another code."]
    assert answers["cdcs-b-tan"] == answers["cdcs-b1"]


def test_confirmation_checks_the_file_again(web, officer_a, unions):
    client = web(officer_a)
    token = token_of(upload(client, MEMBERS_OF_A.encode()))
    # Between preview and confirmation, B records a member with one of the card numbers.
    MemberFactory(card_no="TN-0003", union=unions["b1"])
    response = client.post(reverse("imports:confirm"), {"token": token})
    assert response.status_code == 200
    assert "The card number “TN-0003” cannot be used." in response.content.decode()
    assert Member.objects.count() == 1


def test_a_token_works_once_and_only_for_its_session(web, client, officer_a, unions, fed_a):
    token = token_of(upload(web(officer_a), MEMBERS_OF_A.encode()))
    other = make_user("officer_a2", group=roles.OFFICER_GROUP, federations=[fed_a])
    client.logout()
    response = web(other).post(reverse("imports:confirm"), {"token": token})
    assert response.status_code == 302
    assert Member.objects.count() == 0

    client.logout()
    client = web(officer_a)
    token = token_of(upload(client, MEMBERS_OF_A.encode()))
    assert client.post(reverse("imports:confirm"), {"token": token}).status_code == 302
    assert Member.objects.count() == 3
    response = client.post(reverse("imports:confirm"), {"token": token}, follow=True)
    assert "This file has already been imported." in response.content.decode()  # not written twice
    assert Member.objects.count() == 3


def test_member_union_change_is_not_a_transfer(web, officer_a, unions):
    MemberFactory(card_no="TN-0001", union=unions["a2"], full_name="Trần Thị Thử")
    response = upload(web(officer_a), MEMBERS_OF_A.encode())
    assert "an import does not move members: use the transfer form." in response.content.decode()
    assert Member.objects.get(card_no="TN-0001").union == unions["a2"]


@pytest.mark.parametrize(
    "method, name, args",
    [
        ("get", "imports:upload", ()),
        ("post", "imports:upload", ()),
        ("post", "imports:confirm", ()),
        ("get", "imports:template", ("members", "csv")),
    ],
)
def test_city_staff_may_not_import(web, client, city_staff, method, name, args):
    response = getattr(web(city_staff), method)(reverse(name, args=args))
    assert response.status_code == 403
    client.logout()
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_superuser_imports_anywhere(web, admin_user, unions):
    content = MEMBERS_OF_A + "TN-0004,Đỗ Thị Lạ,female,,cdcs-b1,2024-06-01,,\n"
    response = upload(web(admin_user), content.encode())
    assert counts(response) == {"created": 4, "updated": 0, "unchanged": 0}


def test_upload_page_lists_columns_and_templates(web, officer_a):
    html = web(officer_a).get(reverse("imports:upload")).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "Họ và tên" in html and "Số thẻ" in html
    assert reverse("imports:template", args=["members", "xlsx"]) in html


@pytest.mark.parametrize("kind", ["members", "unions"])
def test_templates_have_the_header_and_one_example(web, officer_a, kind):
    client = web(officer_a)
    response = client.get(reverse("imports:template", args=[kind, "csv"]))
    assert response.status_code == 200
    assert response.content.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == SCHEMAS[kind].names and len(rows) == 2

    response = client.get(reverse("imports:template", args=[kind, "xlsx"]))
    assert response["Content-Disposition"] == f'attachment; filename="unionboard-{kind}.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == SCHEMAS[kind].names and len(values) == 2


def test_template_example_imports_once_its_union_exists(fed_a):
    UnionFactory(code="cdcs-hm-0001", federation=fed_a)
    rows = SCHEMAS["members"].example_rows()
    result = run("members", xlsx_bytes(rows), "unionboard-members.xlsx", commit=True)
    assert result.ok, messages_of(result)
    assert result.created == 1


# --- bad files: a clear message, nothing written ---------------------------------------------


def test_empty_file(web, officer_a):
    response = upload(web(officer_a), b"")
    assert "The file is empty." in response.content.decode()
    assert run("members", b"\r\n  \n").problems[0].message == "The file is empty."
    assert Member.objects.count() == 0


def test_header_without_rows(unions):
    result = run("members", (MEMBER_HEADER + "\n").encode(), commit=True)
    assert messages_of(result) == ["The file has a header row but no data rows."]


def test_missing_required_column(unions):
    content = "card_no,full_name,gender,union\nTN-1,Trần Thị Thử,female,cdcs-a1\n".encode()
    result = run("members", content, commit=True)
    assert len(result.problems) == 1
    assert result.problems[0].column == "admitted_on"
    assert result.problems[0].message.startswith("The required column “admitted_on” is missing.")
    assert Member.objects.count() == 0


@pytest.mark.parametrize(
    "content, kind_name",
    [
        (xlsx_bytes([["card_no"], ["TN-1"]]), "ZIP / Excel (.xlsx)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
    ],
)
def test_other_file_types_named_csv(web, officer_a, content, kind_name):
    response = upload(web(officer_a), content, "members.csv")
    html = response.content.decode()
    assert f"This file is named as a CSV file but is really a {kind_name} file." in html
    assert Member.objects.count() == 0


def test_binary_named_csv_and_text_named_xlsx():
    result = run("members", b"card_no\x00\x01\x02\x03" * 50, "members.csv")
    assert "is not text" in result.problems[0].message
    result = run("members", MEMBERS_OF_A.encode(), "members.xlsx")
    assert result.problems[0].message == "This file is named .xlsx but is not an Excel workbook."
    result = run("members", MEMBERS_OF_A.encode(), "members.pdf")
    assert result.problems[0].message.startswith("Files named “.pdf” cannot be imported")


def test_unknown_union_code(tmp_path, unions):
    path = tmp_path / "members.csv"
    path.write_text(MEMBER_HEADER + "\nTN-1,Trần Thị Thử,female,,cdcs-nope,2024-03-01,,\n")
    with pytest.raises(CommandError, match="1 problem"):
        command("members", path)
    assert Member.objects.count() == 0
    # the officer gets the same refusal whether the union is unknown or another federation's
    result = run("members", path.read_bytes(), scope_user=make_user(
        "officer_c", group=roles.OFFICER_GROUP, federations=[unions["a1"].federation]
    ))
    assert messages_of(result) == [
        "row 2, column union: “cdcs-nope” is not a grassroots union of your federations."
    ]


def test_unknown_federation_code(tmp_path, fed_a):
    path = tmp_path / "unions.csv"
    path.write_text(
        "code,name,federation,sector,founded_on\ncdcs-z,Công đoàn Thử,fed-zz,non_state,2024-01-05\n"
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_data", "unions", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().strip() == "row 2, column federation: No federation has the code “fed-zz”."
    assert not GrassrootsUnion.objects.filter(code="cdcs-z").exists()


def test_a_row_with_a_bad_cell_still_has_its_union_checked(unions):
    content = MEMBER_HEADER + "\nTN-1,Trần Thị Thử,female,,cdcs-nope,31/02/2024,,\n"
    result = run("members", content.encode())
    assert messages_of(result) == [
        "row 2, column admitted_on: “31/02/2024” is not a real date.",
        "row 2, column union: No grassroots union has the code “cdcs-nope”.",
    ]


def test_duplicate_card_number_in_the_file(unions):
    content = MEMBERS_OF_A + "TN-0002,Lê Văn Khác,male,,cdcs-a1,2024-06-01,,\n"
    result = run("members", content.encode(), commit=True)
    assert messages_of(result) == ["row 5, column card_no: This card number is already on row 3 of the file."]
    assert Member.objects.count() == 0


def test_a_date_that_does_not_exist(unions):
    content = MEMBER_HEADER + "\nTN-1,Trần Thị Thử,female,,cdcs-a1,31/02/2024,,\n"
    result = run("members", content.encode(), commit=True)
    assert messages_of(result) == ["row 2, column admitted_on: “31/02/2024” is not a real date."]
    result = run("members", content.replace("31/02/2024", "2024.02.03").encode(), commit=True)
    assert messages_of(result) == [
        "row 2, column admitted_on: “2024.02.03” is not a date: write YYYY-MM-DD or DD/MM/YYYY."
    ]
    assert Member.objects.count() == 0


def test_admission_in_the_future(unions):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    content = MEMBER_HEADER + f"\nTN-1,Trần Thị Thử,female,,cdcs-a1,{tomorrow:%d/%m/%Y},,\n"
    result = run("members", content.encode(), commit=True)
    assert messages_of(result) == [
        "row 2, column admitted_on: The date cannot be in the future."
    ]
    assert Member.objects.count() == 0


def test_leaving_before_admission(unions):
    content = MEMBER_HEADER + "\nTN-1,Trần Thị Thử,female,,cdcs-a1,2024-03-01,left,2024-02-28\n"
    result = run("members", content.encode(), commit=True)
    assert messages_of(result) == [
        "row 2, column left_on: The leaving date cannot precede the admission."
    ]
    assert Member.objects.count() == 0


def test_status_and_leaving_date_must_agree(unions):
    content = (
        MEMBER_HEADER + "\n"
        "TN-1,Trần Thị Thử,female,,cdcs-a1,2024-03-01,left,\n"
        "TN-2,Lê Văn Mẫu,male,,cdcs-a1,2024-03-01,active,2024-05-01\n"
        "TN-3,Phạm Thị Kiểm,female,,cdcs-a1,2024-03-01,,2024-05-01\n"
    )
    result = run("members", content.encode())
    assert messages_of(result) == [
        "row 2, column left_on: A member who has left needs the leaving date (left_on).",
        "row 3, column status: A leaving date goes with the status “left”; an active member has none.",
    ]
    # without a status, the leaving date decides it
    result = run("members", (MEMBER_HEADER + "\n" + content.splitlines()[3] + "\n").encode(), commit=True)
    assert result.ok and Member.objects.get().status == MemberStatus.LEFT


@pytest.mark.parametrize(
    "target, message",
    # 0 and -5 break the one rule of the model (targets.Quota.target), with its one message
    [("-5", "The target must be a positive whole number."),
     ("0", "The target must be a positive whole number."),
     ("sáu nghìn", "“sáu nghìn” is not a whole number."),
     ("6,5", "“6,5” is not a whole number.")],
)
def test_bad_quota_targets(tmp_path, fed_a, target, message):
    path = tmp_path / "quotas.csv"
    path.write_text(f'federation,year,metric,target\nfed-a,2025,new_members,"{target}"\n')
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_data", "quotas", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().strip() == f"row 2, column target: {message}"
    assert Quota.objects.count() == 0


def test_file_over_the_size_limit(settings, web, officer_a, unions):
    settings.IMPORT_MAX_BYTES = 200
    content = (MEMBERS_OF_A * 3).encode()
    response = upload(web(officer_a), content)
    assert "the limit is 200\xa0bytes" in response.content.decode()
    assert Member.objects.count() == 0


def test_a_25_mb_upload_gets_the_message_not_an_http_error(web, officer_a):
    content = b"card_no,full_name\n" + b"TN-0,x\n" * (25 * 1024 * 1024 // 7)
    response = upload(web(officer_a), content)
    assert response.status_code == 200
    assert "the limit is 20.0\xa0MB" in response.content.decode()


def test_file_over_the_row_limit(settings, unions):
    settings.IMPORT_MAX_ROWS = 2
    result = run("members", MEMBERS_OF_A.encode(), commit=True)
    assert messages_of(result) == ["The file has more than 2 rows. Split it into files of at most 2 rows."]
    assert Member.objects.count() == 0


def test_a_problem_late_in_the_file_undoes_the_chunks_already_written(monkeypatch, unions):
    monkeypatch.setattr(service, "CHUNK_ROWS", 2)
    content = MEMBERS_OF_A + "".join(
        f"TN-1{n:03d},Người Thử {n},male,,cdcs-a1,2024-02-0{n},,\n" for n in range(1, 6)
    ) + "TN-9999,Người Cuối,male,,cdcs-a1,2024-02-30,,\n"
    result = run("members", content.encode(), commit=True)
    assert messages_of(result) == ["row 10, column admitted_on: “2024-02-30” is not a real date."]
    assert not result.written
    assert Member.objects.count() == 0 and Member.history.count() == 0


def test_a_database_refusal_mid_file_writes_nothing(monkeypatch, unions):
    monkeypatch.setattr(service, "CHUNK_ROWS", 2)
    original = service.MemberImporter.save
    calls = []

    def save_then_fail(self, creates, updates):
        calls.append(len(creates))
        original(self, creates, updates)
        if len(calls) == 2:
            raise IntegrityError("simulated: another import took a card number")

    monkeypatch.setattr(service.MemberImporter, "save", save_then_fail)
    result = run("members", MEMBERS_OF_A.encode(), commit=True)
    assert calls == [2, 1]
    assert result.problems[0].message.startswith("The records changed while this file was being written")
    assert Member.objects.count() == 0


# --- encodings, dialects, aliases ------------------------------------------------------------

VI_HEADER = "Số thẻ,Họ và tên,Giới tính,Ngày sinh,Mã CĐCS,Ngày kết nạp"
VI_ROW = "TN-0101,Nguyễn Thị Hương Thử,Nữ,02/01/1990,cdcs-a1,01/03/2024"


@pytest.mark.parametrize(
    "encode, encoding",
    [
        (lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), "utf-8-sig"),
        (lambda text: text.encode("utf-8"), "utf-8"),
        (lambda text: text.replace(",", "\t").encode("utf-16"), "utf-16"),  # Excel "Unicode Text"
        (lambda text: text.encode("utf-16-le"), "utf-16-le"),
        (to_cp1258, "cp1258"),
        (lambda text: unicodedata.normalize("NFD", text).encode("utf-8"), "utf-8"),
    ],
    ids=["utf8-bom", "utf8", "utf16-unicode-text", "utf16le-no-bom", "cp1258", "utf8-decomposed"],
)
def test_encodings_vietnamese_headers_and_dates(unions, encode, encoding):
    content = encode(f"{VI_HEADER}\r\n{VI_ROW}\r\n")
    result = run("members", content, "members.txt", commit=True)
    assert result.ok, messages_of(result)
    assert result.encoding == encoding
    member = Member.objects.get(card_no="TN-0101")
    assert member.full_name == "Nguyễn Thị Hương Thử"  # NFC, whatever the file used
    assert member.gender == "female"
    assert member.birth_date == D(1990, 1, 2) and member.admitted_on == D(2024, 3, 1)


def test_semicolons_and_header_spelling(unions):
    content = (
        "SO THE;ho va ten (*);Gioi_tinh;cong doan co so;ngay ket nap;Ghi chú\n"
        "TN-0201;Lê Văn Mẫu;Nam;cdcs-a1;2024-03-01;bất kỳ\n"
    ).encode()
    result = run("members", content, commit=True)
    assert result.ok, messages_of(result)
    assert result.ignored_columns == ["Ghi chú"]
    assert Member.objects.get().gender == "male"


def test_unknown_encoding_is_refused():
    content = "Số thẻ,名前\nTN-1,山田\n".encode("shift_jis", errors="replace") + bytes(range(0x80, 0xA0))
    result = run("members", content)
    assert result.problems[0].message.startswith(
        "The character encoding of the file could not be recognised."
    )


def test_header_aliases_are_matched_without_case_or_accents():
    header, problems = SCHEMAS["members"].map_header(
        ["HỌ VÀ TÊN", "so the", "Giới Tính", "CĐCS", "Ngày kết nạp", "Trạng thái", "ngay ra"]
    )
    assert problems == []
    assert header.positions == {
        "full_name": 0, "card_no": 1, "gender": 2, "union": 3, "admitted_on": 4, "status": 5, "left_on": 6,
    }
    assert normalise_header("Họ và tên (*)") == "ho va ten"
    _, problems = SCHEMAS["members"].map_header(["card_no", "Số thẻ"])
    assert "both mean “card_no”" in problems[0].message


def test_xlsx_with_date_cells_and_numeric_card_numbers(unions):
    content = xlsx_bytes([
        ["Số thẻ", "Họ và tên", "Giới tính", "Ngày sinh", "Mã CĐCS", "Ngày kết nạp"],
        [100234, "Trần Thị Thử", "nữ", datetime.datetime(1991, 4, 5), "cdcs-a1", D(2024, 3, 1)],
        [None, None, None, None, None, None],
        [100235, "Lê Văn Mẫu", "male", "05/04/1991", "cdcs-a2", "2024-03-02"],
    ])
    result = run("members", content, "members.xlsx", commit=True)
    assert result.ok, messages_of(result)
    assert result.created == 2 and result.rows == 2
    member = Member.objects.get(card_no="100234")
    assert member.birth_date == D(1991, 4, 5) and member.admitted_on == D(2024, 3, 1)


def test_xlsx_problem_rows_are_sheet_rows(unions):
    content = xlsx_bytes([
        ["card_no", "full_name", "gender", "union", "admitted_on"],
        ["TN-1", "Trần Thị Thử", "female", "cdcs-a1", "2024-03-01"],
        [None] * 5,
        ["TN-2", "Lê Văn Mẫu", "unknown", "cdcs-a1", "2024-03-01"],
    ])
    result = run("members", content, "members.xlsx")
    assert messages_of(result) == ["row 4, column gender: “unknown” is not one of: female, male."]


# --- the command -----------------------------------------------------------------------------


def test_command_loads_each_kind_and_reloads_without_change(tmp_path):
    files = {
        "federations": "code,name,kind\n"
                       "ld-thu,LĐLĐ quận Thử Nghiệm,quận\nld-mau,LĐLĐ huyện Mẫu,rural_district\n",
        "unions": "code,name,federation,sector,founded_on,status,status_on,employees\n"
                  "cdcs-t1,Công đoàn Công ty Thử,ld-thu,FDI,2024-02-01,,,1.200\n"
                  "cdcs-m1,Công đoàn Trường Mẫu,ld-mau,public_service,2010-09-05,tạm dừng,2024-05-01,30\n",
        "members": MEMBER_HEADER + "\nTN-1,Trần Thị Thử,female,,cdcs-t1,2024-03-01,,\n"
                                  "TN-2,Lê Văn Mẫu,male,,cdcs-m1,2024-03-05,,\n",
        "quotas": "federation,year,metric,target\nld-thu,2024,new_members,6.500\nld-thu,2024,new_unions,20\n",
    }
    expected = {"federations": 2, "unions": 2, "members": 2, "quotas": 2}
    for kind, text in files.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        out, _ = command(kind, path)
        count = expected[kind]
        assert out.splitlines() == [
            f"{kind}: importing: {count}/{count} rows (100%)",  # how far it is, then what it did
            f"{kind}: {count} created, 0 updated, 0 unchanged ({count} rows)",
        ]
    for kind in files:
        out, _ = command(kind, tmp_path / f"{kind}.csv")
        assert f"0 created, 0 updated, {expected[kind]} unchanged" in out

    union = GrassrootsUnion.objects.get(code="cdcs-t1")
    assert union.sector == "foreign_invested" and union.employees == 1200
    assert GrassrootsUnion.objects.get(code="cdcs-m1").status == UnionStatus.SUSPENDED
    assert Quota.objects.get(metric=Metric.NEW_MEMBERS).target == 6500
    assert Member.objects.get(card_no="TN-1").admitted_federation.code == "ld-thu"


def test_command_dry_run_writes_nothing(tmp_path, unions):
    path = tmp_path / "members.csv"
    path.write_text(MEMBERS_OF_A, encoding="utf-8")
    out, _ = command("members", path, "--dry-run")
    assert out.splitlines() == [
        "members: checking: 3/3 rows (100%)",
        "members: 3 created, 0 updated, 0 unchanged (3 rows) — dry run, nothing was written",
    ]
    assert Member.objects.count() == 0


def test_command_prints_every_problem_and_exits_non_zero(tmp_path, unions):
    path = tmp_path / "members.csv"
    path.write_text(
        MEMBER_HEADER + "\n"
        "TN-1,Trần Thị Thử,female,,cdcs-a1,31/02/2024,,\n"
        "TN-2,,male,,cdcs-a1,2024-03-01,,\n"
        "TN-3,Lê Văn Mẫu,male,,cdcs-a1,2024-03-01,,\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_data", "members", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "row 2, column admitted_on: “31/02/2024” is not a real date.",
        "row 3, column full_name: A value is required.",
    ]
    assert Member.objects.count() == 0


def test_command_history_user_and_reason(tmp_path, admin_user, fed_a):
    path = tmp_path / "quotas-2025.csv"
    path.write_text("federation,year,metric,target\nfed-a,2025,new_members,300\n")
    command("quotas", path, "--user", "admin")
    record = Quota.history.get()
    assert record.history_user == admin_user
    assert "quotas-2025.csv" in record.history_change_reason
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        command("quotas", path, "--user", "nobody")


def test_command_moves_a_union_and_keeps_its_founding_credit(tmp_path, fed_a, fed_b):
    union = UnionFactory(code="cdcs-mv", federation=fed_a, name="Công đoàn Thử", founded_on=D(2015, 1, 1))
    path = tmp_path / "unions.csv"
    path.write_text(
        "code,name,federation,sector,founded_on\ncdcs-mv,Công đoàn Thử,fed-b,non_state,2015-01-01\n"
    )
    out, _ = command("unions", path)
    assert "0 created, 1 updated, 0 unchanged" in out
    union.refresh_from_db()
    assert union.federation == fed_b and union.founding_federation == fed_a


def test_command_refuses_missing_file_and_unknown_kind(tmp_path):
    with pytest.raises(CommandError, match="no file at"):
        command("members", tmp_path / "missing.csv")
    with pytest.raises(CommandError):
        command("transfers", tmp_path / "missing.csv")


# --- cost ------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [30, 300])
def test_preview_queries_do_not_grow_with_the_rows(django_assert_max_num_queries, officer_a, unions, rows):
    content = MEMBER_HEADER + "\n" + "".join(
        f"TN-{n:05d},Người Thử {n},female,,cdcs-a{1 + n % 2},2024-03-01,,\n" for n in range(rows)
    )
    # the access token and the officer's federations (then cached); the unions named; members by
    # card number; the same through editable_by. (Writing adds a transaction and INSERTs in
    # batches of BATCH_SIZE rows, fewer per statement on SQLite, which caps a statement's
    # parameters.)
    with django_assert_max_num_queries(5):
        result = run("members", content.encode(), scope_user=officer_a)
    assert result.created == rows


def test_the_reason_for_leaving_in_vietnamese_words(unions):
    content = (
        "Số thẻ,Họ và tên,Giới tính,Mã CĐCS,Ngày kết nạp,Trạng thái,Ngày ra,Lý do ra\n"
        "TN-1,Trần Thị Thử,Nữ,cdcs-a1,01/03/2024,đã ra,30/09/2024,Nghỉ hưu\n"
        "TN-2,Lê Văn Mẫu,Nam,cdcs-a1,01/03/2024,đã ra,30/09/2024,tu nguyen ra khoi to chuc\n"
        "TN-3,Phạm Thị Kiểm,Nữ,cdcs-a1,01/03/2024,đã ra,30/09/2024,\n"
    )
    result = run("members", content.encode(), commit=True)
    assert result.ok, messages_of(result)
    assert dict(Member.objects.values_list("card_no", "left_reason")) == {
        "TN-1": "retired", "TN-2": "voluntary", "TN-3": "",
    }
    # A reason with an active member is refused; a member made active again loses the stored one.
    bad = run("members", (MEMBER_HEADER + ",left_reason\nTN-9,Tên,male,,cdcs-a1,2024-03-01,active,,retired\n")
              .encode())
    assert messages_of(bad) == [
        "row 2, column left_reason: A reason for leaving goes with the status “left”, only."
    ]
    again = run("members", (MEMBER_HEADER + "\nTN-1,Trần Thị Thử,female,,cdcs-a1,2024-03-01,active,\n")
                .encode(), commit=True)
    assert again.ok and Member.objects.get(card_no="TN-1").left_reason == ""


def test_a_change_of_union_status_follows_the_event_rules(unions):
    header = "code,name,federation,sector,founded_on,status,status_on\n"
    row = "cdcs-a1,Công đoàn Thử,fed-a,non_state,2015-01-01,{status},{on}\n"
    assert run("unions", (header + row.format(status="dissolved", on="2024-05-01")).encode(), commit=True).ok
    result = run("unions", (header + row.format(status="active", on="2024-06-01")).encode(), commit=True)
    assert messages_of(result) == [
        "row 2, column status: This union is dissolved: that change is not possible."
    ]
    result = run("unions", (header + row.format(status="dissolved", on="2024-05-01")).encode())
    assert result.ok and result.unchanged == 1  # the same status again is no change


# --- the row checks at their edges: a date equal to today, to the admission or founding ------


def _days(offset: int) -> str:
    return "" if offset is None else (timezone.localdate() + datetime.timedelta(days=offset)).isoformat()


@pytest.mark.parametrize(
    ("born", "admitted", "status", "left", "problem"),
    [
        (None, 0, "active", None, None),  # admitted today
        (-1, 0, "active", None, None),  # born the day before the admission
        (0, 0, "active", None, "birth_date: The date of birth must precede the admission."),
        (1, 0, "active", None, "birth_date: The date cannot be in the future."),
        (-9, -2, "active", None, None),
        (-9, -2, "left", -2, None),  # left on the day of the admission
        (-9, -2, "left", -3, "left_on: The leaving date cannot precede the admission."),
        (-9, -2, "left", 0, None),  # left today
        (-9, -2, "left", 1, "left_on: The date cannot be in the future."),
        (-9, 1, "active", None, "admitted_on: The date cannot be in the future."),
        (-9, -2, "", -1, None),  # no status: the leaving date makes it "left"
    ],
)
def test_member_dates_at_the_edges(unions, born, admitted, status, left, problem):
    row = f"TN-1,Trần Thị Thử,female,{_days(born)},cdcs-a1,{_days(admitted)},{status},{_days(left)}"
    result = run("members", f"{MEMBER_HEADER}\n{row}\n".encode(), commit=True)
    if problem is None:
        assert result.ok, messages_of(result)
        assert Member.objects.get().admitted_on.isoformat() == _days(admitted)
    else:
        problem = re.sub(r"\{(-?\d+)\}", lambda match: _days(int(match.group(1))), problem)
        assert messages_of(result) == [f"row 2, column {problem}"]
        assert Member.objects.count() == 0


@pytest.mark.parametrize(
    ("founded", "status", "status_on", "employees", "problem"),
    [
        (0, "active", None, "0", None),  # founded today, no employees yet
        (1, "active", None, "", "founded_on: The date cannot be in the future."),
        (-5, "suspended", -5, "", None),  # suspended on the founding day
        (-5, "dissolved", 0, "", None),  # dissolved today
        (-5, "suspended", -6, "", "status_on: The status date cannot precede the founding."),
        (-5, "dissolved", 1, "", "status_on: The date cannot be in the future."),
        (-5, "suspended", None, "",
         "status_on: A suspended or dissolved union needs the date."),
        (-5, "active", None, "-1", "employees: “-1” cannot be negative."),
    ],
)
def test_union_dates_at_the_edges(fed_a, founded, status, status_on, employees, problem):
    content = (
        "code,name,federation,sector,founded_on,status,status_on,employees\n"
        f"cdcs-e,Công đoàn Thử,fed-a,non_state,{_days(founded)},{status},{_days(status_on)},{employees}\n"
    )
    result = run("unions", content.encode(), commit=True)
    if problem is None:
        assert result.ok, messages_of(result)
        assert GrassrootsUnion.objects.get(code="cdcs-e").founded_on.isoformat() == _days(founded)
    else:
        assert messages_of(result) == [f"row 2, column {problem}"]
        assert not GrassrootsUnion.objects.filter(code="cdcs-e").exists()


@pytest.mark.parametrize(
    ("year", "target", "ok"),
    [(2000, 1, True), (2100, 1, True), (1999, 1, False), (2101, 1, False)],
)
def test_quota_years_from_2000_to_2100(fed_a, year, target, ok):
    result = run("quotas", f"federation,year,metric,target\nfed-a,{year},new_members,{target}\n".encode(),
                 commit=True)
    if ok:
        assert result.ok and Quota.objects.get().year == year
    else:
        assert messages_of(result) == ["row 2, column year: The year must be between 2000 and 2100."]
        assert Quota.objects.count() == 0


@pytest.mark.parametrize(
    ("admitted", "status", "problem"),
    [
        ("2024-03-10", "active", None),  # on the union's founding day
        ("2024-03-09", "active", "admitted_on: The admission cannot precede the union's founding."),
        ("2024-06-29", "suspended", None),  # the day before the union was suspended
        ("2024-06-30", "suspended",
         "admitted_on: The union was already suspended or dissolved on that date."),
    ],
)
def test_admission_within_the_life_of_its_union(fed_a, admitted, status, problem):
    UnionFactory(code="cdcs-life", federation=fed_a, founded_on=D(2024, 3, 10), status=status,
                 status_on=D(2024, 6, 30) if status != "active" else None)
    row = f"TN-1,Trần Thị Thử,female,,cdcs-life,{admitted},,"
    result = run("members", f"{MEMBER_HEADER}\n{row}\n".encode(), commit=True)
    if problem is None:
        assert result.ok, messages_of(result)
        assert Member.objects.get().admitted_on.isoformat() == admitted
    else:
        assert messages_of(result) == [f"row 2, column {problem}"]
        assert Member.objects.count() == 0


def test_a_reimport_does_not_check_an_unchanged_admission_again(fed_a):
    """The admission is checked when it is written or changed: a union's founding date
    corrected later does not stop the member's other details from being imported."""
    union = UnionFactory(code="cdcs-old", federation=fed_a, founded_on=D(2024, 3, 10))
    row = "TN-1,Trần Thị Thử,female,,cdcs-old,2024-04-01,,"
    assert run("members", f"{MEMBER_HEADER}\n{row}\n".encode(), commit=True).ok
    union.founded_on = D(2024, 5, 1)
    union.save()
    renamed = row.replace("Trần Thị Thử", "Trần Thị Thư")
    result = run("members", f"{MEMBER_HEADER}\n{renamed}\n".encode(), commit=True)
    assert result.ok, messages_of(result)
    assert Member.objects.get().full_name == "Trần Thị Thư"
    moved = renamed.replace("2024-04-01", "2024-04-02")  # a changed admission is checked
    assert messages_of(run("members", f"{MEMBER_HEADER}\n{moved}\n".encode(), commit=True)) == [
        "row 2, column admitted_on: The admission cannot precede the union's founding."
    ]


@pytest.mark.parametrize(("left", "ok"), [("2024-06-01", True), ("2024-05-31", False)])
def test_leaving_not_before_the_last_transfer(fed_a, left, ok):
    first = UnionFactory(code="cdcs-from", federation=fed_a, founded_on=D(2020, 1, 1))
    second = UnionFactory(code="cdcs-to", federation=fed_a, founded_on=D(2020, 1, 1))
    member = MemberFactory(card_no="TN-1", union=first, admitted_on=D(2024, 1, 10))
    # there and back: the leaving date is held to the last move, not the first recorded
    for day, (from_union, to_union) in ((D(2024, 3, 1), (first, second)), (D(2024, 6, 1), (second, first))):
        Transfer.objects.create(member=member, from_union=from_union, to_union=to_union, transferred_on=day)
    row = f"TN-1,{member.full_name},female,,cdcs-from,2024-01-10,left,{left}"
    result = run("members", f"{MEMBER_HEADER}\n{row}\n".encode(), commit=True)
    if ok:
        assert result.ok, messages_of(result)
        assert Member.objects.get().left_on.isoformat() == left
    else:
        assert messages_of(result) == [
            "row 2, column left_on: The leaving date cannot precede the member's last transfer."
        ]
