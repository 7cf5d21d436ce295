"""What an upload may cost, and what a cell may hold: hostile files are refused or read cheaply.

Each class of "bomb" is built here, in the test: a workbook whose shared strings, declared
size, padding, empty or repeated cells, lying ZIP headers or sheets would make a naive
reader spend gigabytes or minutes. Each is refused with a message, or read with a memory
peak (tracemalloc) and counted cells and bytes that do not grow with what the file claims.
No assertion is on wall-clock time: time is bounded by a budget the reader checks, and the
budget is tested by setting it to nothing.

Every refused file is also imported with `commit=True` and must leave every table as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import struct
import tracemalloc
import zipfile
from collections.abc import Iterable, Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.backends.base.operations import BaseDatabaseOperations
from django.urls import reverse
from django.utils import translation

from branches.models import CODE_INVALID, TAX_CODE_INVALID, Employer, Federation, GrassrootsUnion
from imports import reading, service, xlsx
from imports.schemas import SCHEMAS
from members.models import Member
from targets.models import Cluster, Indicator, Quota, Report, UnionRating
from tests.factories import UnionFactory

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MEMBER_HEADER = ["card_no", "full_name", "gender", "union", "admitted_on"]
MEMBER_ROW = ["TN-0001", "Trần Thị Thử", "female", "cdcs-a1", "2024-03-01"]


@pytest.fixture(autouse=True)
def english(settings):
    """English messages, and time enough for tracemalloc, which slows every allocation."""
    settings.IMPORT_MAX_READ_SECONDS = 600
    with translation.override("en"):
        yield


# --- building workbooks ------------------------------------------------------------------------


def inline_row(number: int, values: list[str]) -> bytes:
    cells = "".join(
        f'<c r="{xlsx._column_letters(index)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for index, value in enumerate(values, start=1)
    )
    return f'<row r="{number}">{cells}</row>'.encode()


def sheet_xml(
    rows: Iterable[bytes], *, dimension: str = "A1:E3", between: bytes = b""
) -> Iterator[bytes]:
    """A worksheet part as chunks; `between` goes before each row (padding)."""
    yield f'<worksheet xmlns="{MAIN_NS}"><dimension ref="{dimension}"/><sheetData>'.encode()
    for row in rows:
        if between:
            yield between
        yield row
    yield b"</sheetData></worksheet>"


def member_rows() -> list[bytes]:
    return [inline_row(1, MEMBER_HEADER), inline_row(2, MEMBER_ROW)]


def chunked(data: bytes, times: int) -> Iterator[bytes]:
    for _ in range(times):
        yield data


def workbook(
    sheet: Iterable[bytes] | None = None,
    *,
    strings: Iterable[bytes] | None = None,
    sheets: int = 1,
    listed_sheets: int | None = None,
    extra_parts: int = 0,
) -> bytes:
    """An .xlsx file, its parts streamed into the ZIP so a huge part never sits in memory.

    `sheets` real worksheet parts (the first is `sheet`); `listed_sheets` names that many
    in workbook.xml (all but the first pointing nowhere); `extra_parts` empty parts more.
    """
    listed = listed_sheets or sheets
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in range(1, sheets + 1)
        )
        if strings is not None:
            overrides += (
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            )
        archive.writestr("[Content_Types].xml", (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>"
        ))
        archive.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ))
        links = "".join(
            f'<Relationship Id="rId{n}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, sheets + 1)
        )
        if strings is not None:
            links += f'<Relationship Id="rIdS" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{links}</Relationships>",
        )
        with archive.open("xl/workbook.xml", "w") as part:
            part.write(f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'.encode())
            for n in range(1, listed + 1):
                part.write(f'<sheet name="Sheet{n}" sheetId="{n}" r:id="rId{n}"/>'.encode())
            part.write(b"</sheets></workbook>")
        for n in range(1, sheets + 1):
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as part:
                for chunk in (sheet if n == 1 and sheet is not None else sheet_xml(member_rows())):
                    part.write(chunk)
        if strings is not None:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                part.write(f'<sst xmlns="{MAIN_NS}">'.encode())
                for chunk in strings:
                    part.write(chunk)
                part.write(b"</sst>")
        for n in range(extra_parts):
            archive.writestr(f"xl/media/empty{n}.bin", b"")
    return buffer.getvalue()


def claiming(data: bytes, name: str, claimed: int) -> bytes:
    """The ZIP with part `name` claiming to unpack to `claimed` bytes (local and central header)."""
    data = bytearray(data)
    encoded = name.encode()
    # local file header: signature, then uncompressed size at offset 22 (4 bytes)
    local = data.find(b"PK\x03\x04")
    while local >= 0:
        name_length = struct.unpack("<H", data[local + 26:local + 28])[0]
        if bytes(data[local + 30:local + 30 + name_length]) == encoded:
            data[local + 22:local + 26] = struct.pack("<I", claimed)
            break
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack("<H", data[central + 28:central + 30])[0]
        if bytes(data[central + 46:central + 46 + name_length]) == encoded:
            data[central + 24:central + 28] = struct.pack("<I", claimed)
            break
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


@contextlib.contextmanager
def peak_memory() -> Iterator[dict]:
    """The peak of Python memory (every allocator tracemalloc sees) while the block ran."""
    box: dict = {}
    tracemalloc.start()
    try:
        yield box
    finally:
        box["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def read_all(content: bytes, name: str = "members.xlsx") -> tuple:
    """(sheet, rows read, refusal message or "", cost) of reading the whole file."""
    cost = reading.ReadCost()
    rows: list = []
    sheet = None
    try:
        sheet = reading.open_sheet(io.BytesIO(content), name, cost=cost)
        rows.extend(sheet.rows)
    except reading.FileRefused as exc:
        return sheet, rows, exc.message, cost
    return sheet, rows, "", cost


TABLES = (
    Federation.objects, GrassrootsUnion.objects, GrassrootsUnion.history, Member.objects,
    Member.history, Quota.objects, Quota.history, Employer.objects, Employer.history,
)


def table_counts() -> list[int]:
    return [manager.count() for manager in TABLES]


def assert_refused_and_nothing_written(content: bytes, name: str, kind: str = "members") -> str:
    before = table_counts()
    result = service.import_file(kind=kind, source=io.BytesIO(content), filename=name, commit=True)
    assert not result.ok and not result.written
    assert table_counts() == before
    return result.problems[0].message


@pytest.fixture
def unions(fed_a):
    return {"a1": UnionFactory(code="cdcs-a1", federation=fed_a)}


@pytest.fixture
def small_limits(monkeypatch):
    """Limits small enough to reach in a test; the mechanism is the one the real limits use."""

    def _set(**limits):
        monkeypatch.setattr(xlsx, "LIMITS", dataclasses.replace(xlsx.LIMITS, **limits))

    return _set


# --- the declared size is never trusted --------------------------------------------------------


def test_a_forged_sheet_size_costs_only_the_real_cells(unions):
    content = workbook(sheet_xml(member_rows(), dimension="A1:XFD1048576"))
    assert len(content) < 3000
    with peak_memory() as memory:
        sheet, rows, refused, cost = read_all(content)
    assert not refused
    assert sheet.header == MEMBER_HEADER  # not 16.384 columns
    assert rows == [(2, MEMBER_ROW)]
    assert cost.cells == 10 and cost.unpacked < 5000
    assert memory["peak"] < 5 * MB
    result = service.import_file(kind="members", source=io.BytesIO(content), filename="m.xlsx")
    assert result.ok and result.created == 1


# --- shared strings ------------------------------------------------------------------------------


def test_shared_strings_that_unpack_beyond_their_limit_are_refused_unread():
    # 140 MB of strings in a file of a few hundred kilobytes; the header says so honestly
    strings = chunked(b"<si><t>x</t></si>" * 4096, 140 * MB // (17 * 4096))
    content = workbook(sheet_xml(member_rows()), strings=strings)
    assert len(content) < 2 * MB
    with peak_memory() as memory:
        _, rows, refused, cost = read_all(content)
    assert refused == "The Excel workbook unpacks to far more data than a real one."
    assert cost.unpacked < 10_000  # refused on the part's header: not a byte of it unpacked
    assert memory["peak"] < 5 * MB
    assert assert_refused_and_nothing_written(content, "m.xlsx") == refused


def test_shared_strings_are_counted_and_kept_compactly(small_limits):
    small_limits(strings=1000)
    word = "<si><t>Người</t></si>".encode()
    content = workbook(sheet_xml(member_rows()), strings=chunked(word, 1001))
    _, _, refused, _ = read_all(content)
    assert refused == "The Excel workbook holds more than 1,000 different texts; split it into smaller files."

    small_limits(strings=1_000_000, string_bytes=10_000)
    content = workbook(sheet_xml(member_rows()), strings=chunked(b"<si><t>" + b"a" * 999 + b"</t></si>", 11))
    _, _, refused, cost = read_all(content)
    assert refused == "The Excel workbook unpacks to far more data than a real one."


def test_shared_strings_cost_their_text_not_an_object_each():
    count = 200_000
    strings = chunked("<si><t>Nguyễn Thị</t></si>".encode(), count)  # 15 bytes of UTF-8
    content = workbook(sheet_xml(member_rows()), strings=strings)
    with peak_memory() as memory:
        _, rows, refused, cost = read_all(content)
    assert not refused and rows == [(2, MEMBER_ROW)]
    # its text and an 8-byte offset a string (a str object would be 94 bytes), and buffers
    assert memory["peak"] < count * 40 + 2 * MB


def test_a_cell_longer_than_excel_allows_is_refused():
    long_string = b"<si><t>" + b"a" * 40_000 + b"</t></si>"
    for content in (
        workbook(sheet_xml(member_rows()), strings=[long_string]),
        workbook(sheet_xml([inline_row(1, MEMBER_HEADER), inline_row(2, ["x" * 40_000])])),
    ):
        _, _, refused, _ = read_all(content)
        assert refused == (
            "A cell of the Excel workbook holds more than 32,767 characters, more than Excel allows."
        )


# --- padding -------------------------------------------------------------------------------------


def test_whitespace_padding_is_streamed_past_at_no_memory_cost(unions):
    # 200 MB of spaces between two rows: under the sheet's limit, so it is read
    padding = chunked(b" " * MB, 200)

    def rows() -> Iterator[bytes]:
        yield inline_row(1, MEMBER_HEADER)
        yield from padding
        yield inline_row(2, MEMBER_ROW)

    content = workbook(sheet_xml(rows()))
    assert len(content) < 1 * MB
    with peak_memory() as memory:
        _, read, refused, cost = read_all(content)
    assert not refused and read == [(2, MEMBER_ROW)]
    assert cost.unpacked > 200 * MB  # every byte unpacked was counted
    assert memory["peak"] < 5 * MB


def test_padding_beyond_the_sheet_limit_is_refused_before_reading():
    padding = chunked(b"\n" * MB, xlsx.LIMITS.sheet_bytes // MB + 1)
    content = workbook(sheet_xml([inline_row(1, MEMBER_HEADER), *padding]))
    with peak_memory() as memory:
        _, _, refused, cost = read_all(content)
    assert refused == "The Excel workbook unpacks to far more data than a real one."
    assert cost.unpacked < 10_000
    assert memory["peak"] < 5 * MB
    assert assert_refused_and_nothing_written(content, "m.xlsx") == refused


def test_a_part_that_claims_a_small_size_is_read_no_further_than_its_claim():
    padding = chunked(b" " * MB, 50)
    content = workbook(sheet_xml([inline_row(1, MEMBER_HEADER), *padding, inline_row(2, MEMBER_ROW)]))
    lying = claiming(content, "xl/worksheets/sheet1.xml", 4096)
    with peak_memory() as memory:
        _, _, refused, cost = read_all(lying)
    assert refused == "The Excel workbook is damaged and cannot be read."
    assert cost.unpacked < 10_000  # what it claimed, not the 50 MB it holds
    assert memory["peak"] < 5 * MB
    assert assert_refused_and_nothing_written(lying, "m.xlsx") == refused


# --- empty, repeated and nested cells ------------------------------------------------------------


def test_many_empty_rows_cost_their_xml_only(unions):
    def rows() -> Iterator[bytes]:
        yield inline_row(1, MEMBER_HEADER)
        for number in range(2, xlsx.EXCEL_ROWS, 5):
            yield b'<row r="%d" spans="1:16384" s="1" customFormat="1"/>' % number
        yield inline_row(xlsx.EXCEL_ROWS, MEMBER_ROW)

    content = workbook(sheet_xml(rows(), dimension="A1:E1048576"))
    with peak_memory() as memory:
        _, read, refused, cost = read_all(content)
    assert not refused and read == [(xlsx.EXCEL_ROWS, MEMBER_ROW)]
    assert cost.cells == 10 and cost.elements > xlsx.EXCEL_ROWS // 5
    assert memory["peak"] < 5 * MB


def test_empty_cells_count_and_stop_the_reading(small_limits):
    # styled empty cells out to the last column: no value, so no width; but each one counts
    empty = b"".join(b'<c r="%s1" s="0"/>' % xlsx._column_letters(n).encode() for n in range(6, 16_385))
    header = inline_row(1, MEMBER_HEADER).replace(b"</row>", empty + b"</row>")
    content = workbook(sheet_xml([header, inline_row(2, MEMBER_ROW)]))
    sheet, read, refused, cost = read_all(content)
    assert not refused and sheet.header == MEMBER_HEADER and read == [(2, MEMBER_ROW)]
    assert cost.cells == 16_384 + 5

    small_limits(cells=10_000)
    _, _, refused, cost = read_all(content)
    assert refused == (
        "The sheet has more than 10,000 cells (empty ones count too). Delete the unused rows and "
        "columns, or save the sheet as CSV."
    )
    assert cost.cells == 10_001  # it stopped at the first cell over the limit


def test_a_value_far_to_the_right_is_refused_not_padded():
    far = b'<c r="XFD2" t="inlineStr"><is><t>x</t></is></c>'
    row = inline_row(2, MEMBER_ROW).replace(b"</row>", far + b"</row>")
    content = workbook(sheet_xml([inline_row(1, MEMBER_HEADER), row]))
    with peak_memory() as memory:
        _, _, refused, _ = read_all(content)
    assert refused.startswith("The sheet has values beyond column IV: an import reads at most 256 columns.")
    assert memory["peak"] < 5 * MB


def test_a_cell_repeated_many_times_is_one_cell(unions):
    repeated = b'<c r="A2" t="inlineStr"><is><t>TN-0001</t></is></c>' * 1000
    row = b'<row r="2">' + repeated * 200 + inline_row(2, MEMBER_ROW)[len(b'<row r="2">'):]
    content = workbook(sheet_xml([inline_row(1, MEMBER_HEADER), row]))
    with peak_memory() as memory:
        _, read, refused, cost = read_all(content)
    assert not refused and read == [(2, MEMBER_ROW)]
    assert cost.cells == 200_000 + 10
    assert memory["peak"] < 5 * MB


def test_deeply_nested_xml_is_refused():
    nested = b"<is>" * 100_000 + b"</is>" * 100_000
    row = b'<row r="2"><c r="A2" t="inlineStr">' + nested + b"</c></row>"
    content = workbook(sheet_xml([inline_row(1, MEMBER_HEADER), row]))
    with peak_memory() as memory:
        _, _, refused, _ = read_all(content)
    assert refused == "The Excel workbook is damaged and cannot be read."
    assert memory["peak"] < 5 * MB


def test_entities_are_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    content = workbook([laughs, *sheet_xml(member_rows())])
    _, _, refused, _ = read_all(content)
    assert refused == "The Excel workbook is damaged and cannot be read."


# --- many sheets and parts -----------------------------------------------------------------------


def test_a_workbook_of_many_parts_is_refused_before_the_zip_is_opened():
    content = workbook(sheet_xml(member_rows()), extra_parts=xlsx.LIMITS.entries)
    with peak_memory() as memory:
        _, _, refused, cost = read_all(content)
    assert refused == "The Excel workbook has more than 10,000 parts; a real one has far fewer."
    assert cost.unpacked == 0
    assert memory["peak"] < 2 * MB  # the ZIP's directory was never read into objects


def test_a_workbook_listing_many_sheets_reads_the_first(unions):
    content = workbook(sheet_xml(member_rows()), sheets=3, listed_sheets=200_000)
    with peak_memory() as memory:
        sheet, read, refused, cost = read_all(content)
    assert not refused and read == [(2, MEMBER_ROW)]
    assert sheet.notes == ["Only the first sheet (“Sheet1”) is read."]
    assert cost.elements < 100  # workbook.xml was read to its second sheet, no further
    assert memory["peak"] < 5 * MB


# --- time --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, content", [
    ("members.xlsx", workbook(sheet_xml(member_rows()))),
    ("members.csv", b"card_no,full_name\nTN-1,x\n"),
])
def test_reading_stops_when_its_time_budget_is_spent(settings, name, content):
    settings.IMPORT_MAX_READ_SECONDS = 0
    _, _, refused, cost = read_all(content, name)
    assert refused.startswith("Reading the file took more than 0 seconds")
    assert cost.seconds > 0
    assert assert_refused_and_nothing_written(content, name).startswith("Reading the file took")


def test_time_spent_by_the_caller_between_rows_is_not_the_readers():
    cost = reading.ReadCost(seconds=1000)
    sheet = reading.open_sheet(io.BytesIO(b"a,b\n1,2\n3,4\n"), "x.csv", cost=cost)
    next(sheet.rows)
    spent = cost.seconds
    sum(range(3_000_000))  # the caller works; the reader's clock is stopped
    assert cost.seconds == spent
    assert len(list(sheet.rows)) == 1


# --- CSV -----------------------------------------------------------------------------------------


CSV_HEADER = ",".join(MEMBER_HEADER).encode() + b"\n"


@pytest.mark.parametrize("content, message", [
    (CSV_HEADER + b"," * (19 * MB) + b"x\n",
     "Line 2 has more than 16,384 fields, more than a spreadsheet holds."),
    (CSV_HEADER + (b'"\n"' + b"," * 16_000) * 1200 + b"\n",
     "Line 4 has more than 16,384 fields, more than a spreadsheet holds."),
    (CSV_HEADER + b"\n" * (19 * MB),
     "The file has more than 1,048,576 lines, more than a spreadsheet holds. Delete the empty "
     "lines, or split it into smaller files."),
    (CSV_HEADER + b"\r" * (19 * MB),
     "The file has more than 1,048,576 lines, more than a spreadsheet holds. Delete the empty "
     "lines, or split it into smaller files."),
], ids=["one-row-of-commas", "quoted-line-ends-chaining-fields", "blank-lines", "carriage-returns"])
def test_csv_files_beyond_a_spreadsheet_are_refused_cheaply(content, message):
    with peak_memory() as memory:
        _, _, refused, cost = read_all(content, "members.csv")
    assert refused == message
    assert cost.lines <= 4
    assert memory["peak"] < 3 * len(content) + 10 * MB  # the text, never a row of millions
    assert assert_refused_and_nothing_written(content, "members.csv") == message


def test_csv_rows_lose_their_trailing_empty_fields(unions):
    # as Excel saves a sheet with a stray format in its last column: 16.383 commas a row
    tail = b"," * 16_000
    content = (
        b"card_no,full_name,gender,union,admitted_on" + tail + b"\n"
        + "TN-0001,Trần Thị Thử,female,cdcs-a1,2024-03-01".encode() + tail + b"\n"
    ) * 1
    with peak_memory() as memory:
        sheet, read, refused, _ = read_all(content, "members.csv")
    assert not refused and sheet.header == MEMBER_HEADER and read == [(2, MEMBER_ROW)]
    assert memory["peak"] < 5 * MB


# --- the database's limits, for every column of every kind ---------------------------------------


def column_cases() -> Iterator[tuple[str, str, str, str]]:
    """(kind, column, value one past the column's limit, message) for every limited column."""
    for kind, schema in SCHEMAS.items():
        for column in schema.columns:
            field = column.field
            if field.max_length is not None and not field.choices:
                over = "a" * (field.max_length + 1)
                yield kind, column.name, over, (
                    # a tax code's pattern holds its length (branches.models.TaxCodeField)
                    TAX_CODE_INVALID if column.name == "tax_code"
                    else f"At most {field.max_length} characters (this one has {field.max_length + 1})."
                )
            low, high = BaseDatabaseOperations.integer_field_ranges.get(
                field.get_internal_type(), (None, None)
            )
            if high is not None:
                yield kind, column.name, str(high + 1), (
                    f"“{high + 1}” is more than this column can hold (at most {high})."
                )
                yield kind, column.name, str(low - 1), (
                    f"“{low - 1}” cannot be negative." if low == 0
                    else f"“{low - 1}” is below the smallest value this column holds ({low})."
                )


GOOD_ROWS = {
    "federations": {"code": "fed-new", "name": "LĐLĐ phường Thử", "kind": "ward"},
    "unions": {"code": "cdcs-new", "name": "Công đoàn Thử", "federation": "fed-a",
               "sector": "non_state", "founded_on": "2020-01-01", "employees": "45"},
    "members": {"card_no": "TN-9", "full_name": "Lê Văn Mẫu", "gender": "male", "union": "cdcs-a1",
                "admitted_on": "2024-03-01"},
    "quotas": {"federation": "fed-a", "year": "2025", "metric": "new_members", "target": "100"},
    "employers": {"tax_code": "0101234567", "name": "Công ty Thử", "ward": "Phường Thử",
                  "sector": "non_state", "employees": "30", "counted_on": "2024-01-01", "union": "cdcs-a1",
                  "federation": "fed-a"},
    "reports": {"federation": "fed-a", "indicator": "party_referrals", "as_of": "2024-06-30", "value": "71"},
    "ratings": {"union": "cdcs-a1", "year": "2024", "grade": "good"},
    "clusters": {"cluster": "Cụm Thử", "year": "2024", "federation": "fed-a", "leader": "fed-a"},
}


def csv_of(kind: str, **values: str) -> bytes:
    row = {**GOOD_ROWS[kind], **values}
    header = ",".join(row)
    return (header + "\n" + ",".join(f'"{value}"' for value in row.values()) + "\n").encode()


@pytest.mark.parametrize("kind, column, value, message", list(column_cases()),
                         ids=lambda case: str(case)[:30])
def test_every_column_is_held_to_its_database_limit_at_preview(unions, kind, column, value, message):
    before = table_counts()
    result = service.import_file(kind=kind, source=io.BytesIO(csv_of(kind, **{column: value})),
                                 filename=f"{kind}.csv")
    assert [str(problem) for problem in result.problems] == [f"row 2, column {column}: {message}"]
    result = service.import_file(kind=kind, source=io.BytesIO(csv_of(kind, **{column: value})),
                                 filename=f"{kind}.csv", commit=True)
    assert not result.written and table_counts() == before


def test_the_limits_come_from_the_model_fields():
    """Each column names the field it is stored in; so a longer column in a migration is
    a longer column in the import, and no limit is written twice."""
    stored_in = {
        "federations": Federation, "unions": GrassrootsUnion, "members": Member, "quotas": Quota,
        "reports": Report, "ratings": UnionRating, "employers": Employer, "clusters": Cluster,
    }
    references = {
        "federation": Federation, "union": GrassrootsUnion, "metric": Indicator, "indicator": Indicator,
        "leader": Federation,
    }
    stored_as = {("clusters", "cluster"): "name"}
    for kind, schema in SCHEMAS.items():
        for column in schema.columns:
            model = references.get(column.name, stored_in[kind])
            name = "code" if column.name in references else stored_as.get((kind, column.name), column.name)
            assert column.field is model._meta.get_field(name), (kind, column.name)


@pytest.mark.parametrize("kind, column", [
    (kind, column.name) for kind, schema in SCHEMAS.items() for column in schema.columns
    if column.field.get_internal_type() in ("CharField", "SlugField") and not column.field.choices
])
@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x85", "\ud800"])
def test_no_text_column_takes_a_character_it_cannot_store(kind, column, character):
    """Whatever the file format brought: NUL (PostgreSQL refuses it), other control
    characters, a lone surrogate (no encoding can write it)."""
    schema = SCHEMAS[kind]
    header, _ = schema.map_header(list(GOOD_ROWS[kind]))
    value = GOOD_ROWS[kind][column][:3] + character + "x"
    cells = [value if name == column else good for name, good in GOOD_ROWS[kind].items()]
    values, problems = schema.read_row(2, cells, header)
    assert column not in values
    assert [problem.column for problem in problems] == [column]
    assert problems[0].message in (
        f"The text holds a control character (U+{ord(character):04X}) that cannot be stored: remove it.",
        str(CODE_INVALID),
        str(TAX_CODE_INVALID),
        # a card number has an alphabet of its own (members.Member.card_no), refused first
        "A card number holds only letters without accents, digits, “-” and “.”, and starts with "
        "a letter or a digit.",
    )


def test_values_at_the_limits_are_written(fed_a, unions):
    """What the preview accepts, the confirmation writes (the reason to check at preview)."""
    cases = {
        "federations": {"code": "f" * 50, "name": "Đ" * 200},
        "unions": {"code": "u" * 50, "name": "Ư" * 255, "employees": "2147483647"},
        "members": {"card_no": "M" * 32, "full_name": "Ễ" * 150},
        "quotas": {"target": "2147483647"},
    }
    for kind, values in cases.items():
        result = service.import_file(kind=kind, source=io.BytesIO(csv_of(kind, **values)),
                                     filename=f"{kind}.csv", commit=True)
        assert result.ok and result.written, (kind, [str(p) for p in result.problems])
    assert Federation.objects.get(code="f" * 50).name == "Đ" * 200
    assert GrassrootsUnion.objects.get(code="u" * 50).employees == 2147483647
    assert Quota.objects.get(federation=fed_a, year=2025).target == 2147483647


def test_a_huge_employee_count_is_refused_at_preview_not_at_confirm(web_officer, unions):
    content = csv_of("unions", employees="2147483648")
    response = web_officer.post(
        reverse("imports:upload"), {"kind": "unions", "file": SimpleUploadedFile("u.csv", content)}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "“2147483648” is more than this column can hold (at most 2147483647)." in html
    assert 'name="token"' not in html
    assert not GrassrootsUnion.objects.filter(code="cdcs-new").exists()


def test_a_nul_byte_deep_in_a_csv_is_a_row_problem_not_an_error(web_officer, unions):
    rows = "".join(f"TN-{n:05d},Người Thử {n},female,cdcs-a1,2024-03-01\n" for n in range(2000))
    content = (",".join(MEMBER_HEADER) + "\n" + rows + "TN-X,Lê\x00Văn,male,cdcs-a1,2024-03-01\n").encode()
    assert content.index(b"\x00") > 65536
    before = table_counts()
    response = web_officer.post(
        reverse("imports:upload"), {"kind": "members", "file": SimpleUploadedFile("m.csv", content)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The text holds a control character (U+0000) that cannot be stored: remove it." in html
    assert 'name="token"' not in html
    assert table_counts() == before


@pytest.fixture
def web_officer(client_for, officer_a):
    client = client_for(officer_a)
    client.cookies["unionboard_language"] = "en"
    return client


def test_a_refused_bomb_reads_in_vietnamese(client_for, officer_a, unions):
    client = client_for(officer_a)  # Vietnamese: the default language
    content = workbook(sheet_xml(member_rows()), extra_parts=xlsx.LIMITS.entries)
    response = client.post(
        reverse("imports:upload"), {"kind": "members", "file": SimpleUploadedFile("m.xlsx", content)}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bảng tính Excel có hơn 10.000 phần; một bảng tính thật có ít hơn nhiều." in html



def with_rows(*rows: bytes) -> bytes:
    return workbook(sheet_xml([inline_row(1, MEMBER_HEADER), *rows]))


FAR_CELL = b'<c r="XFD2" t="inlineStr"><is><t>x</t></is></c>'
NESTED = b"<c>" * 99 + b"</c>" * 99
REFUSED_WORKBOOKS = {
    "too-many-strings": lambda: workbook(
        sheet_xml(member_rows()), strings=chunked(b"<si><t>a</t></si>", 1001)
    ),
    "a-cell-too-long": lambda: with_rows(inline_row(2, MEMBER_ROW), inline_row(3, ["x" * 40_000])),
    "too-many-cells": lambda: with_rows(inline_row(2, MEMBER_ROW), b"<row>" + b"<c/>" * 1001 + b"</row>"),
    "a-value-far-right": lambda: with_rows(inline_row(2, MEMBER_ROW)[:-6] + FAR_CELL + b"</row>"),
    "deep-nesting": lambda: with_rows(inline_row(2, MEMBER_ROW), b"<row>" + NESTED + b"</row>"),
    "an-entity": lambda: workbook([b'<!DOCTYPE x [<!ENTITY a "b">]>', *sheet_xml(member_rows())]),
    "many-parts": lambda: workbook(sheet_xml(member_rows()), extra_parts=xlsx.LIMITS.entries),
    "not-a-workbook": lambda: b"PK\x03\x04" + b"\x00" * 100,
}


@pytest.mark.parametrize("build", REFUSED_WORKBOOKS.values(), ids=REFUSED_WORKBOOKS.keys())
def test_no_refused_workbook_writes_anything(small_limits, unions, build):
    small_limits(strings=1000, cells=1000)
    # every row of these files is otherwise valid: the refusal is the file's, not a row's
    assert assert_refused_and_nothing_written(build(), "members.xlsx")
    assert not Member.objects.exists()
