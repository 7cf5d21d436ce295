"""From an uploaded file to rows of cells: limits, file types, encodings, CSV dialects, XLSX.

A file is refused as a whole (`FileRefused`, with a plain message) when it is empty, too
large, not the type its name claims, in an encoding that cannot be told, or has too many
rows. Everything row-by-row (values, references) is the schemas' and the service's work.

Encodings, in the order they are tried: a byte-order mark (UTF-8 or UTF-16), UTF-16
without a mark (recognised by its zero bytes, as Excel's "Unicode Text" writes), UTF-8,
then Windows-1258 (Vietnamese Windows) when the text reads as such. Text is normalised
to NFC, so Windows-1258's separate tone marks compare equal to composed letters.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
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
# An XLSX is a ZIP: refuse one whose contents would unpack to more than this many times the
# upload limit (a "ZIP bomb"); a real 20 MB workbook unpacks to well under that.
XLSX_MAX_EXPANSION = 40

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


@dataclass
class Sheet:
    """The header and a lazy iterator of (row number, cells) of one file.

    Row numbers are those a spreadsheet shows: the header is usually row 1, so the first
    data row is row 2. Blank rows are skipped (and still counted in the numbering).
    """

    header: list[str]
    header_row: int
    rows: Iterator[tuple[int, list]]
    file_format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)


def normalise_header(text) -> str:
    """A header cell as a key: lower case, no diacritics, punctuation and `_` as spaces.

    'Họ và tên (*)' -> 'ho va ten', 'card_no' -> 'card no', 'Số thẻ' -> 'so the'.
    """
    folded = fold(str(text or ""))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


def open_sheet(source: BinaryIO, filename: str, size: int | None = None) -> Sheet:
    """Check the limits and the type of the file and return its header and rows."""
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
    if suffix in XLSX_SUFFIXES:
        return _open_xlsx(source, size)
    if suffix in CSV_SUFFIXES:
        return _open_csv(source.read(max_bytes + 1))
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


def _non_blank(rows) -> Iterator[tuple[int, list]]:
    for number, cells in rows:
        if any(cell not in (None, "") and str(cell).strip() for cell in cells):
            yield number, list(cells)


def _open_csv(data: bytes) -> Sheet:
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    text, encoding = decode(data)
    del data
    if not text.strip():
        raise FileRefused(_("The file is empty."))
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
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
        header=[cell.strip() for cell in header], header_row=header_row, rows=_counted(rows()),
        file_format="csv", encoding=encoding, delimiter=delimiter,
    )


# --- XLSX --------------------------------------------------------------------------------


def _check_workbook_zip(source: BinaryIO, size: int) -> None:
    """Refuse what is not an .xlsx workbook before openpyxl reads it."""
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
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise FileRefused(_("The Excel workbook is damaged and cannot be read.")) from exc
    finally:
        source.seek(0)
    if "xl/workbook.xml" not in names:
        raise FileRefused(_("This file is named .xlsx but is not an Excel workbook."))
    if unpacked > XLSX_MAX_EXPANSION * settings.IMPORT_MAX_BYTES:
        raise FileRefused(_("The Excel workbook unpacks to far more data than a real one."))


def _xlsx_cell(value):
    """Cells as the schemas take them: text stripped, whole floats as ints, datetimes as dates."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _open_xlsx(source: BinaryIO, size: int) -> Sheet:
    from openpyxl import load_workbook

    _check_workbook_zip(source, size)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise FileRefused(_("The Excel workbook is damaged and cannot be read.")) from exc
    sheet = workbook.worksheets[0]
    records = _non_blank(enumerate(sheet.iter_rows(values_only=True), start=1))
    try:
        header_row, header = next(records)
    except StopIteration as exc:
        workbook.close()
        raise FileRefused(_("The file is empty.")) from exc
    except Exception as exc:
        workbook.close()
        raise FileRefused(_("The Excel workbook is damaged and cannot be read.")) from exc

    def rows() -> Iterator[tuple[int, list]]:
        try:
            for number, cells in records:
                yield number, [_xlsx_cell(cell) for cell in cells]
        finally:
            workbook.close()

    notes = []
    if len(workbook.worksheets) > 1:
        notes.append(_("Only the first sheet (“%(name)s”) is read.") % {"name": sheet.title})
    return Sheet(
        header=[str(cell).strip() if cell is not None else "" for cell in header],
        header_row=header_row, rows=_counted(rows()), file_format="xlsx", notes=notes,
    )
