"""An import never turns one person into another without someone saying so.

A row whose card number matches a member with another name, gender or date of birth is an
identity change: the preview lists it apart, old beside new, and writes it only when ticked;
the command refuses it unless --allow-identity-changes. Every preview lists the rows it
changes, old -> new. Names here are generated, not real people.
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from branches.models import GrassrootsUnion
from imports import service
from members.models import Gender, Member
from targets.models import Quota
from tests.factories import MemberFactory, UnionFactory

pytestmark = pytest.mark.django_db
D = datetime.date
HEADER = "card_no,full_name,gender,birth_date,union,admitted_on\n"


@pytest.fixture(autouse=True)
def english(settings, tmp_path):
    settings.IMPORT_TEMP_DIR = str(tmp_path / "pending")
    with translation.override("en"):
        yield


@pytest.fixture
def union(fed_a):
    return UnionFactory(code="cdcs-a1", federation=fed_a)


@pytest.fixture
def woman(union):
    return MemberFactory(
        card_no="TN-0001", full_name="Trần Thị Thử", gender=Gender.FEMALE, birth_date=D(1990, 1, 2),
        union=union, admitted_on=D(2024, 3, 1),
    )


@pytest.fixture
def web(client_for, officer_a):
    client = client_for(officer_a)
    client.cookies["unionboard_language"] = "en"
    return client


def upload(client, text: str, name: str = "members.csv", kind: str = "members"):
    return client.post(
        reverse("imports:upload"), {"kind": kind, "file": SimpleUploadedFile(name, text.encode())}
    )


def counts(response) -> dict[str, int]:
    html = response.content.decode()
    return {key: int(value) for key, value in re.findall(r'data-count="(\w+)">([\d.,]+)<', html)}


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def approvals(response) -> list[str]:
    return re.findall(r'name="identity" value="([^"]+)"', response.content.decode())


def member_state(card_no: str) -> tuple:
    member = Member.objects.get(card_no=card_no)
    return member.full_name, member.gender, member.birth_date


A_MAN = HEADER + "TN-0001,Lê Văn Mẫu,male,1988-07-15,cdcs-a1,2024-03-01\n"


def test_a_mistyped_card_number_is_listed_apart_and_left_alone_unticked(web, woman):
    response = upload(web, A_MAN)
    html = response.content.decode()
    assert counts(response) == {"created": 0, "updated": 0, "unchanged": 0, "identity": 1}
    section = html[html.index('id="identity-changes"'):html.index("Confirm and write")]
    assert "1 row would change who a member is" in section
    assert "Trần Thị Thử" in section and "Lê Văn Mẫu" in section  # old beside new
    assert re.search(r"Female</span>\s*<span aria-hidden=\"true\">→</span>.*?Male</span>", section, re.S)
    assert "02/01/1990" in section or "01/02/1990" in section
    assert len(approvals(response)) == 1

    history = Member.history.count()
    response = web.post(reverse("imports:confirm"), {"token": token_of(response)}, follow=True)
    page = response.content.decode()
    assert "0 created, 0 updated, 0 unchanged" in page
    assert "1 identity change was not approved: that member was left as they were." in page
    assert member_state("TN-0001") == ("Trần Thị Thử", "female", D(1990, 1, 2))
    assert Member.history.count() == history


def test_a_ticked_identity_change_is_written(web, woman):
    response = upload(web, A_MAN)
    web.post(reverse("imports:confirm"), {"token": token_of(response), "identity": approvals(response)})
    assert member_state("TN-0001") == ("Lê Văn Mẫu", "male", D(1988, 7, 15))


def test_a_tick_approves_that_change_and_no_other(web, woman):
    response = upload(web, A_MAN)
    web.post(reverse("imports:confirm"), {"token": token_of(response), "identity": ["0" * 20]})
    assert member_state("TN-0001")[0] == "Trần Thị Thử"

    # ticked, but the record changed between preview and confirmation: the tick was for
    # the old record, so nothing is written over the new one
    response = upload(web, A_MAN)
    Member.objects.filter(card_no="TN-0001").update(full_name="Trần Thị Khác")
    web.post(reverse("imports:confirm"), {"token": token_of(response), "identity": approvals(response)})
    assert member_state("TN-0001")[0] == "Trần Thị Khác"


@pytest.mark.parametrize("row, identity", [
    ("TN-0001,Lê Văn Mẫu,female,1990-01-02,cdcs-a1,2024-03-01", True),  # another name
    ("TN-0001,Trần Thị Thử,male,1990-01-02,cdcs-a1,2024-03-01", True),  # another gender
    ("TN-0001,Trần Thị Thử,female,1991-01-02,cdcs-a1,2024-03-01", True),  # another birth date
    ("TN-0001,TRẦN THỊ THỬ,female,1990-01-02,cdcs-a1,2024-03-01", False),  # case
    ("TN-0001,Tran Thi Thu,female,1990-01-02,cdcs-a1,2024-03-01", False),  # accents
    ("TN-0001,Trần  Thị Thử ,female,1990-01-02,cdcs-a1,2024-03-01", False),  # spacing
    ("TN-0001,Trần Thị Thử,female,,cdcs-a1,2024-03-01", False),  # birth date cleared
    ("TN-0001,Trần Thị Thử,female,1990-01-02,cdcs-a1,2024-02-01", False),  # admission date
], ids=["name", "gender", "birth-date", "case", "accents", "spacing", "birth-date-cleared", "admission"])
def test_which_changes_are_identity_changes(woman, row, identity):
    result = service.import_file(
        kind="members", source=io.BytesIO((HEADER + row + "\n").encode()), filename="m.csv",
        approved_identity_changes=(),
    )
    assert result.ok
    assert result.identity_count == int(identity)
    assert result.updated == int(not identity)


def test_filling_in_a_birth_date_is_an_update(union):
    MemberFactory(card_no="TN-0002", full_name="Lê Văn Mẫu", gender=Gender.MALE, birth_date=None,
                  union=union, admitted_on=D(2024, 3, 1))
    row = "TN-0002,Lê Văn Mẫu,male,1988-07-15,cdcs-a1,2024-03-01\n"
    result = service.import_file(kind="members", source=io.BytesIO((HEADER + row).encode()),
                                 filename="m.csv", commit=True)
    assert result.ok and result.updated == 1 and result.identity_count == 0
    assert [(f.column, f.old, f.new) for f in result.changes[0].fields] == [
        ("birth_date", None, D(1988, 7, 15))
    ]


def test_the_command_refuses_identity_changes_unless_allowed(tmp_path, woman):
    path = tmp_path / "members.csv"
    path.write_text(A_MAN, encoding="utf-8")
    tables = (Member.objects.count(), Member.history.count())
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_data", "members", str(path), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0] == (
        "row 2, column card_no: The card number “TN-0001” belongs to Trần Thị Thử (female, born "
        "1990-01-02); this row names Lê Văn Mẫu (male, born 1988-07-15). If it is the same person, "
        "the change must be approved; if not, correct the card number."
    )
    assert "--allow-identity-changes" in lines[1]
    assert (Member.objects.count(), Member.history.count()) == tables
    assert member_state("TN-0001")[0] == "Trần Thị Thử"

    with pytest.raises(CommandError):  # a dry run refuses it too
        call_command("import_data", "members", str(path), "--dry-run", stdout=io.StringIO(),
                     stderr=io.StringIO())

    out = io.StringIO()
    call_command("import_data", "members", str(path), "--allow-identity-changes", stdout=out)
    assert out.getvalue().splitlines() == [
        "members: importing: 1/1 rows (100%)",
        "row 2, TN-0001 (Trần Thị Thử) [identity change]: full_name “Trần Thị Thử” -> “Lê Văn Mẫu”; "
        "gender “Female” -> “Male”; birth_date 1990-01-02 -> 1988-07-15",
        "members: 0 created, 1 updated, 0 unchanged (1 rows)",
    ]
    assert member_state("TN-0001") == ("Lê Văn Mẫu", "male", D(1988, 7, 15))


def test_the_command_prints_each_change_old_and_new(tmp_path, fed_a, fed_b):
    UnionFactory(code="cdcs-mv", federation=fed_a, name="Công đoàn Thử", employees=40,
                 founded_on=D(2015, 1, 1), sector="non_state")
    Quota.objects.create(federation=fed_a, year=2025, metric_id="new_members", target=300)
    unions = tmp_path / "unions.csv"
    unions.write_text("code,name,federation,sector,founded_on,employees\n"
                      "cdcs-mv,Công đoàn Thử,fed-b,non_state,2015-01-01,45\n", encoding="utf-8")
    quotas = tmp_path / "quotas.csv"
    quotas.write_text("federation,year,metric,target\nfed-a,2025,new_members,350\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_data", "unions", str(unions), "--dry-run", stdout=out)
    assert out.getvalue().splitlines()[1] == (  # after the line saying how far the check went
        "row 2, cdcs-mv (Công đoàn Thử): federation “fed-a” -> “fed-b”; employees 40 -> 45"
    )
    out = io.StringIO()
    call_command("import_data", "quotas", str(quotas), stdout=out)
    assert out.getvalue().splitlines()[1] == "row 2, fed-a · 2025 · new_members: target 300 -> 350"
    assert GrassrootsUnion.objects.get(code="cdcs-mv").federation == fed_a  # the dry run wrote nothing


def test_every_preview_lists_the_rows_it_changes(web, union, monkeypatch):
    monkeypatch.setattr(service, "MAX_CHANGES_SHOWN", 2)
    for number in range(1, 4):
        MemberFactory(card_no=f"TN-00{number}", full_name=f"Người Thử {number}", gender=Gender.MALE,
                      birth_date=None, union=union, admitted_on=D(2024, 3, 1))
    rows = "".join(
        f"TN-00{number},Người Thử {number},male,,cdcs-a1,2024-04-0{number}\n" for number in range(1, 4)
    )
    response = upload(web, HEADER + rows)
    html = response.content.decode()
    assert counts(response) == {"created": 0, "updated": 3, "unchanged": 0}
    table = html[html.index('id="import-changes"'):]
    table = table[:table.index("</table>")]
    assert "The first 2 of 3 changes are listed." in html
    assert table.count("<tr>") == 3  # the header and two changes
    assert "TN-001" in table and "TN-002" in table and "TN-003" not in table
    assert "admitted_on:" in table and "03/01/2024" in table and "04/01/2024" in table  # English


def test_identity_changes_beyond_the_list_are_never_written(web, union, monkeypatch):
    monkeypatch.setattr(service, "MAX_CHANGES_SHOWN", 1)
    for number in (1, 2):
        MemberFactory(card_no=f"TN-00{number}", full_name=f"Người Thử {number}", gender=Gender.MALE,
                      birth_date=None, union=union, admitted_on=D(2024, 3, 1))
    rows = "".join(f"TN-00{number},Người Khác {number},male,,cdcs-a1,2024-03-01\n" for number in (1, 2))
    response = upload(web, HEADER + rows)
    assert "…and 1 more identity change, not listed here: it is not written." in response.content.decode()
    web.post(reverse("imports:confirm"), {"token": token_of(response), "identity": approvals(response)})
    assert member_state("TN-001")[0] == "Người Khác 1"
    assert member_state("TN-002")[0] == "Người Thử 2"


def test_the_identity_change_preview_in_vietnamese(client_for, officer_a, woman):
    client = client_for(officer_a)  # Vietnamese, the default
    html = upload(client, A_MAN).content.decode()
    assert "1 dòng sẽ đổi danh tính của đoàn viên" in html
    assert "Nữ" in html and "Nam" in html
