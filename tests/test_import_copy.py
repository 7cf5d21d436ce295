"""New members on PostgreSQL: COPY into a staging table and one INSERT … SELECT (imports.copying).

The same file imported through that path and through the generic one (`bulk_create_with_history`,
SQLite's path) writes the same members, the same history, the same admission tally and touches
the same revision tokens. These tests need PostgreSQL; on SQLite every other import test runs
the generic path.
"""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from imports import copying, service
from members.models import AdmissionTally, Member, MemberStatus
from tests.factories import MemberFactory, UnionFactory
from unionboard.models import DataRevision

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'",
        reason="COPY is PostgreSQL's; on SQLite new members go through bulk_create (the other import tests)",
    ),
]
D = datetime.date
HEADER = "card_no,full_name,gender,birth_date,union,admitted_on,status,left_on,left_reason\n"
# Eight rows over two unions: new members (one without a birth date, one with a day-first
# date, two who have left, one with a reason) and one update of a member already stored.
FILE = HEADER + (
    "CP-001,Trần Thị Thử,female,1990-01-02,cdcs-a1,2024-03-01,active,,\n"
    "CP-002,Lê Văn Mẫu,male,15/07/1988,cdcs-a1,2024-04-10,active,,\n"
    "CP-003,Phạm Thị Kiểm,female,,cdcs-a2,2024-05-20,left,2024-09-30,retired\n"
    "CP-004,Hoàng Minh Đức,male,1979-11-30,cdcs-a2,2023-12-31,active,,\n"
    "OLD-001,Vũ Thị Cũ,female,1995-05-17,cdcs-a1,2024-03-01,left,2024-10-01,job_change\n"
    "CP-005,Đặng Thu Hà,female,2001-02-28,cdcs-a1,2025-01-02,left,2025-06-30,\n"
    "CP-006,Bùi Hữu Nam,male,1985-06-06,cdcs-a2,2024-05-20,active,,\n"
    "CP-007,Đỗ Ngọc Lan,female,1999-09-09,cdcs-a2,2022-01-10,active,,\n"
)
NEW = 7


@pytest.fixture(autouse=True)
def english(settings, tmp_path, monkeypatch):
    """English messages, uploads in this test's folder, and chunks of three rows (three chunks)."""
    settings.IMPORT_TEMP_DIR = str(tmp_path / "pending")
    monkeypatch.setattr(service, "CHUNK_ROWS", 3)
    with translation.override("en"):
        yield


@pytest.fixture
def unions(fed_a):
    a1 = UnionFactory(code="cdcs-a1", federation=fed_a, founded_on=D(2015, 1, 1))
    a2 = UnionFactory(code="cdcs-a2", federation=fed_a, founded_on=D(2015, 1, 1))
    MemberFactory(card_no="OLD-001", full_name="Vũ Thị Cũ", union=a1, admitted_on=D(2024, 3, 1))
    return a1, a2


def import_through_the_browser(client, content: str, name: str = "members.csv"):
    """Upload, preview and confirm, as an officer does; the page after confirming."""
    preview = client.post(
        reverse("imports:upload"), {"kind": "members", "file": SimpleUploadedFile(name, content.encode())}
    )
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    response = client.post(reverse("imports:confirm"), {"token": token})
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


MEMBER_FIELDS = [
    "card_no", "full_name", "gender", "birth_date", "union_id", "admitted_on", "admitted_federation_id",
    "status", "left_on", "left_reason", "name_search",
]
HISTORY_FIELDS = [field for field in MEMBER_FIELDS if field != "name_search"] + [
    "history_type", "history_user_id",
]


def written(client, content: str) -> dict:
    """What importing `content` writes: members, history, tally and the revision parts it
    touches. Rolled back afterwards, so each path starts from the same database."""
    tokens = dict(((row.federation_id, row.year), row.token) for row in DataRevision.objects.all())
    history_before = Member.history.order_by("-history_id").values_list("history_id", flat=True).first()
    with transaction.atomic():
        page = import_through_the_browser(client, content)
        # by member: the generic path writes each chunk's history as it goes, the COPY path
        # the new members' at the end, so the history ids of one change set differ in order
        history = list(Member.history.filter(history_id__gt=history_before).order_by("card_no", "history_id")
                       .values(*HISTORY_FIELDS, "history_date", "history_change_reason"))
        outcome = {
            "page": re.search(r"members\.csv imported: [^<]*", page).group(0),
            # in id order: the ids follow the file's rows on both paths
            "members": list(Member.objects.order_by("id").values_list(*MEMBER_FIELDS)),
            "history": [[row[name] for name in HISTORY_FIELDS] for row in history],
            # one change set per file: one date, one reason (its tag told apart by path)
            "change sets": len({(row["history_date"], row["history_change_reason"]) for row in history}),
            "reasons": {re.sub(r"#\w+$", "#", row["history_change_reason"]) for row in history},
            "tally": set(AdmissionTally.objects.filter(admitted__gt=0).values_list("federation_id", "day",
                                                                                    "admitted")),
            "revisions touched": {
                (row.federation_id, row.year) for row in DataRevision.objects.all()
                if tokens.get((row.federation_id, row.year)) != row.token
            },
        }
        transaction.set_rollback(True)
    return outcome


def test_copy_and_generic_paths_write_the_same_rows_history_tally_and_revisions(
    web_client, monkeypatch, unions, fed_a
):
    by_copy = written(web_client, FILE)
    monkeypatch.setattr(copying, "available", lambda: False)
    generic = written(web_client, FILE)

    assert by_copy == generic
    assert by_copy["page"] == "members.csv imported: 7 created, 1 updated, 0 unchanged."
    assert [row[0] for row in by_copy["members"]] == [  # in id order: the file's order
        "OLD-001", "CP-001", "CP-002", "CP-003", "CP-004", "CP-005", "CP-006", "CP-007",
    ]
    assert [(row[0], row[-2]) for row in by_copy["history"]] == [
        ("CP-001", "+"), ("CP-002", "+"), ("CP-003", "+"), ("CP-004", "+"), ("CP-005", "+"),
        ("CP-006", "+"), ("CP-007", "+"), ("OLD-001", "~"),
    ]
    assert by_copy["change sets"] == 1
    assert by_copy["reasons"] == {"import members from members.csv #"}
    stored = {row[0]: row for row in by_copy["members"]}
    assert stored["CP-003"][MEMBER_FIELDS.index("left_reason")] == "retired"
    assert stored["CP-002"][MEMBER_FIELDS.index("birth_date")] == D(1988, 7, 15)
    assert stored["CP-001"][MEMBER_FIELDS.index("name_search")] == "tran thi thu"
    assert (fed_a.pk, 2024) in by_copy["revisions touched"]
    assert (fed_a.pk, 2025) in by_copy["revisions touched"]


def test_new_members_are_written_by_one_statement_a_chunk(web_client, unions):
    """Three chunks of new members: each written, with its history, by one INSERT … SELECT."""
    with CaptureQueriesContext(connection) as queries:
        page = import_through_the_browser(web_client, FILE)
    assert "members.csv imported: 7 created, 1 updated, 0 unchanged." in page
    inserts = [sql for query in queries if "INSERT INTO" in (sql := query["sql"]) and "member" in sql]
    # chunk 1's new members; the update's history row (bulk_update_with_history, chunk 2);
    # chunk 2's and chunk 3's new members
    assert [sql[:48] for sql in inserts] == [
        'WITH written AS ( INSERT INTO "members_member" (',
        'INSERT INTO "members_historicalmember" ("id", "c',
        'WITH written AS ( INSERT INTO "members_member" (',
        'WITH written AS ( INSERT INTO "members_member" (',
    ]
    assert Member.objects.filter(card_no__startswith="CP-").count() == NEW
    assert Member.history.filter(card_no__startswith="CP-", history_type="+").count() == NEW
    assert Member.objects.get(card_no="OLD-001").status == MemberStatus.LEFT


def test_a_bad_row_after_staged_chunks_writes_nothing(unions):
    """Two chunks staged, the third refused: nothing written, the staging table gone with it."""
    bad = FILE.replace("CP-007,Đỗ Ngọc Lan,female,1999-09-09", "CP-007,Đỗ Ngọc Lan,female,2030-09-09")
    result = service.import_file(kind="members", source=io.BytesIO(bad.encode()), filename="bad.csv",
                                 commit=True)
    assert not result.ok and not result.written
    assert [problem.row for problem in result.problems] == [9]
    assert Member.objects.filter(card_no__startswith="CP-").count() == 0
    assert Member.history.filter(card_no__startswith="CP-").count() == 0
    assert Member.objects.get(card_no="OLD-001").status == MemberStatus.ACTIVE
    assert set(AdmissionTally.objects.filter(admitted__gt=0).values_list("day", "admitted")) == {
        (D(2024, 3, 1), 1)
    }

    # the staging table went with the rolled-back transaction: the good file imports
    result = service.import_file(kind="members", source=io.BytesIO(FILE.encode()), filename="good.csv",
                                 commit=True)
    assert result.written and result.created == NEW


@pytest.mark.parametrize("card, method", [
    ("CP-001", "send"),  # the first chunk, its error read while the next chunk is checked
    ("CP-007", "write"),  # the last chunk, written once the whole file has passed
])
def test_a_card_number_taken_while_the_file_was_written_refuses_the_file(unions, monkeypatch, card, method):
    """A card number admitted by someone else between the checks and the INSERT … SELECT."""
    original = getattr(copying.MemberCopy, method)

    def taken_meanwhile(self):
        if not Member.objects.filter(card_no=card).exists():
            MemberFactory(card_no=card, union=unions[0])
        return original(self)

    monkeypatch.setattr(copying.MemberCopy, method, taken_meanwhile)
    result = service.import_file(kind="members", source=io.BytesIO(FILE.encode()), filename="race.csv",
                                 commit=True)
    assert not result.written
    assert [problem.message for problem in result.problems] == [
        "The records changed while this file was being written, so nothing was written. "
        "Import the file again."
    ]
    assert Member.objects.filter(card_no__startswith="CP-").count() == 0
    assert Member.objects.get(card_no="OLD-001").status == MemberStatus.ACTIVE
    # the connection is usable again, out of pipeline mode: the next import goes through
    monkeypatch.undo()
    result = service.import_file(kind="members", source=io.BytesIO(FILE.replace(card, card + "X").encode()),
                                 filename="again.csv", commit=True)
    assert result.written and result.created == NEW


def test_a_chunk_sent_then_refused_by_the_database_refuses_the_file_even_with_a_bad_row(
    unions, monkeypatch
):
    """Chunk 2's card number taken meanwhile and row 9 refused: the file is refused as
    changed meanwhile (the database's error may come back before row 9 is checked)."""
    send, calls = copying.MemberCopy.send, []

    def taken_meanwhile(self):
        calls.append(self.pending)
        if len(calls) == 3:  # chunk 2 staged, sent once chunk 3 is looked up
            MemberFactory(card_no="CP-004", union=unions[0])
        return send(self)

    monkeypatch.setattr(copying.MemberCopy, "send", taken_meanwhile)
    bad = FILE.replace("CP-007,Đỗ Ngọc Lan,female,1999-09-09", "CP-007,Đỗ Ngọc Lan,female,2030-09-09")
    result = service.import_file(kind="members", source=io.BytesIO(bad.encode()), filename="bad.csv",
                                 commit=True)
    assert calls == [False, True, True]  # nothing staged when chunk 1 is looked up
    assert not result.written
    assert [problem.message for problem in result.problems] == [
        "The records changed while this file was being written, so nothing was written. "
        "Import the file again."
    ]
    assert Member.objects.filter(card_no__startswith="CP-").count() == 0


@pytest.fixture
def web_client(client_for, officer_a):
    client = client_for(officer_a)
    client.cookies["unionboard_language"] = "en"
    return client
