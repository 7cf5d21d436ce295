"""From an uploaded file to rows of cells: limits, file types, encodings, CSV dialects, XLSX.

A file is refused as a whole (`FileRefused`, with a plain message) when it is empty, too
large, not the type its name claims, in an encoding that cannot be told, or has too many
rows. Everything row-by-row (values, references) is the schemas' and the service's work.

What reading may cost is bounded whatever the file claims (`ReadCost`): a CSV file has at
most as many lines and fields a line as a spreadsheet holds; an XLSX workbook is read by
`imports.xlsx`, which counts what it unpacks, the shared strings, cells and XML elements;
a row holds at most `MAX_COLUMNS` columns with values; and the time spent reading is
checked as the rows are read (settings.IMPORT_MAX_READ_SECONDS).

Encodings, in the order they are tried: a byte-order mark (UTF-8 or UTF-16), UTF-16
without a mark (recognised by its zero bytes, as Excel's "Unicode Text" writes), UTF-8,
then Windows-1258 (Vietnamese Windows) when the text reads as such. Text is normalised
to NFC, so Windows-1258's separate tone marks compare equal to composed letters.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import BinaryIO

import charset_normalizer
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from unionboard.text import fold

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx"}
DELIMITERS = (",", ";", "\t")
# A row may hold values in at most this many columns: an import file has about ten, and a
# row is kept in memory as wide as its last value.
MAX_COLUMNS = 256
# No spreadsheet holds more rows or columns than Excel: a CSV file beyond either was not
# saved from one, and reading it would cost time or memory for nothing.
SPREADSHEET_ROWS = 1_048_576
SPREADSHEET_COLUMNS = 16_384

# The first bytes of file types people rename by mistake, with the name they know them by.
MAGIC = [
    (b"PK\x03\x04", "ZIP / Excel (.xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel 97-2003 (.xls) / Word (.doc)"),
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf", "7-Zip"),
    (b"\x1f\x8b", "gzip"),
    (b"MZ", gettext_noop("Windows program")),
    (b"\x7fELF", gettext_noop("program")),
]


class FileRefused(Exception):
    """The file as a whole cannot be imported; `message` says why in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ReadCost:
    """What reading one file has cost so far: time spent reading, and what was counted.

    The time is the processor time of the reading thread (a busy server slows a read
    without making it costlier), and only while the reader works, not while the caller
    checks rows against the database between two rows: `pause` and `resume` mark that.
    """

    def __init__(self, seconds: float | None = None):
        self.limit = settings.IMPORT_MAX_READ_SECONDS if seconds is None else seconds
        self.spent = 0.0
        self.since: float | None = time.thread_time()
        self.lines = 0  # CSV lines read
        self.unpacked = 0  # bytes unpacked from an XLSX workbook
        self.cells = 0  # XLSX cells read, empty ones included
        self.elements = 0  # XLSX XML elements read

    @property
    def seconds(self) -> float:
        running = time.thread_time() - self.since if self.since is not None else 0.0
        return self.spent + running

    def pause(self) -> None:
        if self.since is not None:
            self.spent += time.thread_time() - self.since
            self.since = None

    def resume(self) -> None:
        if self.since is None:
            self.since = time.thread_time()

    def check(self) -> None:
        """Stop with a refusal once reading has taken longer than it may."""
        if self.seconds > self.limit:
            raise FileRefused(
                _("Reading the file took more than %(seconds)s seconds, far longer than a real "
                  "file of this size, so it was stopped. Save it again as CSV UTF-8 or split it "
                  "into smaller files.") % {"seconds": number_format(self.limit)}
            )


@dataclass
class Sheet:
    """The header and a lazy iterator of (row number, cells) of one file.

    Row numbers are those a spreadsheet shows: the header is usually row 1, so the first
    data row is row 2. Blank rows are skipped (and still counted in the numbering), and a
    row's blank cells after its last value are dropped.
    """

    header: list[str]
    header_row: int
    rows: Iterator[tuple[int, list]]
    file_format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)
    cost: ReadCost = field(default_factory=ReadCost)


def normalise_header(text) -> str:
    """A header cell as a key: lower case, no diacritics, punctuation and `_` as spaces.

    'Họ và tên (*)' -> 'ho va ten', 'card_no' -> 'card no', 'Số thẻ' -> 'so the'.
    """
    folded = fold(str(text or ""))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


def open_sheet(
    source: BinaryIO, filename: str, size: int | None = None, cost: ReadCost | None = None
) -> Sheet:
    """Check the limits and the type of the file and return its header and rows.

    `cost` counts what the reading costs (a new one by default); it is the sheet's `cost`.
    """
    max_bytes = settings.IMPORT_MAX_BYTES
    if size is None:
        source.seek(0, io.SEEK_END)
        size = source.tell()
    source.seek(0)
    if size > max_bytes:
        raise FileRefused(
            _("The file is %(size)s; the limit is %(limit)s. Split it into smaller files.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)}
        )
    if size == 0:
        raise FileRefused(_("The file is empty."))
    suffix = PurePath(filename or "").suffix.lower()
    cost = cost or ReadCost()
    cost.resume()
    if suffix in XLSX_SUFFIXES:
        sheet = _open_xlsx(source, size, cost)
    elif suffix in CSV_SUFFIXES:
        sheet = _open_csv(source.read(max_bytes + 1), cost)
    else:
        sheet = None
    if sheet is not None:
        cost.check()
        cost.pause()
        sheet.cost = cost
        sheet.rows = _counted(_timed(sheet.rows, cost))
        return sheet
    raise FileRefused(
        _("Files named “%(suffix)s” cannot be imported: upload a CSV (.csv, .txt) or an Excel "
          "workbook (.xlsx).") % {"suffix": suffix or filename}
    )


# --- CSV ---------------------------------------------------------------------------------


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when every other byte is zero, as in ASCII-heavy UTF-16."""
    pairs = len(head) // 2
    if pairs < 2:
        return None
    odd_zeros = sum(1 for i in range(1, pairs * 2, 2) if head[i] == 0)
    even_zeros = sum(1 for i in range(0, pairs * 2, 2) if head[i] == 0)
    if odd_zeros > 0.4 * pairs and even_zeros < 0.05 * pairs:
        return "utf-16-le"
    if even_zeros > 0.4 * pairs and odd_zeros < 0.05 * pairs:
        return "utf-16-be"
    return None


def _refuse_binary(data: bytes) -> None:
    """A file named .csv that is really a workbook, a PDF, an image... is refused by name."""
    for magic, label in MAGIC:
        if data.startswith(magic):
            raise FileRefused(
                _("This file is named as a CSV file but is really a %(type)s file. Save the "
                  "spreadsheet as CSV (or upload the .xlsx workbook itself).") % {"type": _(label)}
            )
    if b"\x00" in data[:65536]:
        raise FileRefused(
            _("This file is named as a CSV file but is not text. Save the spreadsheet as CSV "
              "UTF-8 (or upload an .xlsx workbook).")
        )


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the name of the encoding it was written in."""
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = _utf16_without_bom(data[:4096]) or ""
    if not encoding:
        _refuse_binary(data)
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            text = _decode_windows_vietnamese(data)
            encoding = "cp1258"
    else:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise FileRefused(
                _("The file says it is %(encoding)s but is damaged near byte %(position)s. Save it "
                  "again as CSV UTF-8.") % {"encoding": encoding.upper(), "position": exc.start}
            ) from exc
        if "\x00" in text:
            raise FileRefused(_("The file is not text. Save the spreadsheet as CSV UTF-8."))
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text, encoding


def _decode_windows_vietnamese(data: bytes) -> str:
    """Windows-1258 text, when the bytes decode and read as text in it; refused otherwise."""
    message = _(
        "The character encoding of the file could not be recognised. Save it as “CSV UTF-8” "
        "(or as “Unicode Text”) and upload it again."
    )
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError as exc:
        raise FileRefused(message) from exc
    if charset_normalizer.from_bytes(data[:200_000], cp_isolation=["cp1258"]).best() is None:
        raise FileRefused(message)
    return text


def _sniff_delimiter(first_line: str) -> str:
    """The separator the header uses: comma, semicolon (Excel with a decimal comma) or tab."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _counted(rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    """Stop with a refusal once the file passes the row limit."""
    limit = settings.IMPORT_MAX_ROWS
    for count, item in enumerate(rows, start=1):
        if count > limit:
            raise FileRefused(
                _("The file has more than %(limit)s rows. Split it into files of at most "
                  "%(limit)s rows.") % {"limit": number_format(limit, force_grouping=True)}
            )
        yield item


def _timed(rows: Iterator[tuple[int, list]], cost: ReadCost) -> Iterator[tuple[int, list]]:
    """The rows, with the clock of `cost` running only while the reader works."""
    while True:
        cost.resume()
        try:
            item = next(rows)
        except StopIteration:
            return
        finally:
            cost.pause()
        yield item


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _non_blank(rows: Iterable[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    """Rows with a value, each without the blank cells after its last value."""
    for number, cells in rows:
        width = len(cells)
        while width and _blank(cells[width - 1]):
            width -= 1
        if not width:
            continue
        if width > MAX_COLUMNS:
            raise FileRefused(
                _("Row %(row)s has values beyond column %(limit)s: an import reads at most "
                  "%(limit)s columns. Delete the columns to the right of the data.")
                % {"row": number, "limit": MAX_COLUMNS}
            )
        yield number, list(cells[:width])


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _lines(text: str, delimiter: str, cost: ReadCost) -> Iterator[str]:
    """The lines of the text, ends kept, as the csv module reads them; each one bounded.

    A record may hold at most as many fields as a spreadsheet has columns: 20 MB of commas
    would otherwise make one row of twenty million cells. A record goes on to the next line
    while a quote is open, so the separators are counted until the quotes pair up.
    """
    fields = 0
    quoted = False
    for match in _LINE.finditer(text):
        line = match.group()
        cost.lines += 1
        fields += line.count(delimiter)
        if line.count('"') % 2:
            quoted = not quoted
        if fields >= SPREADSHEET_COLUMNS:
            raise FileRefused(
                _("Line %(line)s has more than %(limit)s fields, more than a spreadsheet holds.")
                % {"line": cost.lines, "limit": number_format(SPREADSHEET_COLUMNS, force_grouping=True)}
            )
        if not quoted:
            fields = 0
        if cost.lines % 4096 == 0:
            cost.check()
        yield line


def _open_csv(data: bytes, cost: ReadCost) -> Sheet:
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    text, encoding = decode(data)
    del data
    if not text.strip():
        raise FileRefused(_("The file is empty."))
    # Counted in C before any line is read: a file of blank lines costs nothing to refuse.
    lines = text.count("\n") + text.count("\r") - text.count("\r\n")
    if lines > SPREADSHEET_ROWS:
        raise FileRefused(
            _("The file has more than %(limit)s lines, more than a spreadsheet holds. Delete "
              "the empty lines, or split it into smaller files.")
            % {"limit": number_format(SPREADSHEET_ROWS, force_grouping=True)}
        )
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(_lines(text, delimiter, cost), delimiter=delimiter)
    try:
        records = _non_blank(enumerate(reader, start=1))
        header_row, header = next(records)
    except csv.Error as exc:
        raise FileRefused(_("The file is not a readable CSV file: %(error)s") % {"error": exc}) from exc
    except StopIteration as exc:
        raise FileRefused(_("The file is empty.")) from exc

    def rows() -> Iterator[tuple[int, list]]:
        try:
            yield from records
        except csv.Error as exc:
            raise FileRefused(
                _("The CSV file is damaged after row %(row)s: %(error)s")
                % {"row": reader.line_num, "error": exc}
            ) from exc

    return Sheet(
        header=[cell.strip() for cell in header], header_row=header_row, rows=rows(),
        file_format="csv", encoding=encoding, delimiter=delimiter,
    )


# --- XLSX --------------------------------------------------------------------------------


def _check_workbook_magic(source: BinaryIO) -> None:
    """Refuse what is not a ZIP (an old .xls, a renamed text file) before reading it."""
    source.seek(0)
    head = source.read(8)
    source.seek(0)
    if not head.startswith(b"PK\x03\x04"):
        if head.startswith(MAGIC[1][0]):
            raise FileRefused(
                _("This is an old Excel 97-2003 (.xls) file renamed .xlsx. Open it in Excel and "
                  "save it as “Excel Workbook (.xlsx)” or as CSV.")
            )
        raise FileRefused(_("This file is named .xlsx but is not an Excel workbook."))


def _open_xlsx(source: BinaryIO, size: int, cost: ReadCost) -> Sheet:
    from imports import xlsx  # it builds on this module's FileRefused and ReadCost

    _check_workbook_magic(source)
    workbook = xlsx.open_workbook(source, size, cost)

    def guarded(rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
        try:
            yield from rows
        except FileRefused:
            raise
        except Exception as exc:  # whatever else a damaged part provokes is a damaged file
            raise FileRefused(_("The Excel workbook is damaged and cannot be read.")) from exc

    records = _non_blank(guarded(workbook.rows))
    try:
        header_row, header = next(records)
    except StopIteration as exc:
        raise FileRefused(_("The file is empty.")) from exc
    notes = []
    if workbook.more_sheets:
        notes.append(_("Only the first sheet (“%(name)s”) is read.") % {"name": workbook.sheet_name})
    return Sheet(
        header=[str(cell).strip() if cell is not None else "" for cell in header],
        header_row=header_row, rows=records, file_format="xlsx", notes=notes,
    )
