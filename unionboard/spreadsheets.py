"""Text written into a CSV or XLSX export, made safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or a carriage
return before one) as a formula: a federation named `=HYPERLINK(...)` would run in the
reader's Excel ("CSV injection"). A spreadsheet may also split a cell on a separator when
it imports text (LibreOffice and Excel's "Text to Columns" offer `,` `;` tab and `|`), so
`Công đoàn A;=1+1` is dangerous too: its second part starts a formula. Every export writes
its text cells through `escape_cell`, the one rule for this.
"""

from __future__ import annotations

import csv
import datetime
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What a spreadsheet may split a cell on when it reads text: the usual CSV separators, the
# pipe, and line ends (a pasted cell becomes several rows).
SEPARATORS = ",;\t|\r\n"
_PARTS = re.compile(f"([{re.escape(SEPARATORS)}])")


def _dangerous(field: str) -> bool:
    # Spreadsheets may trim the spaces a split leaves, so " =1" counts as "=1".
    return field.startswith(FORMULA_STARTS) or field.lstrip(" ").startswith(FORMULA_STARTS)


def needs_escape(value: Any) -> bool:
    """True when the text, or any part a spreadsheet could split out of it, starts a formula."""
    if not isinstance(value, str):
        return False
    # split() with a group returns fields at even places and separators at odd ones.
    return _dangerous(value) or any(_dangerous(field) for field in _PARTS.split(value)[::2])


def escape_cell(value: Any) -> Any:
    """The value with an apostrophe before each part that would start a formula.

    An apostrophe makes a spreadsheet read what follows as text and is not shown. It goes
    before every such part, not only at the start of the cell, so the text stays inert
    whether or not the spreadsheet splits it; and before the whole cell when it starts
    with one of the characters (a tab, a carriage return) some spreadsheets drop before
    reading on. Numbers, dates and safe text are unchanged.
    """
    if not needs_escape(value):
        return value
    parts = _PARTS.split(value)
    escaped = "".join(
        "'" + part if index % 2 == 0 and _dangerous(part) else part for index, part in enumerate(parts)
    )
    return "'" + escaped if _dangerous(escaped) else escaped


# -- list exports: a CSV streamed row by row, an XLSX built in bounded memory ---------------

BOM = "\ufeff"
EXPORT_CHUNK_ROWS = 2000  # rows fetched from the database at a time while an export is written
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"


class _Line:
    """A file-like sink for csv.writer that hands back what one row wrote."""

    def write(self, text: str) -> str:
        return text


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(escape_cell(value))


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """An export's CSV one line at a time: the byte order mark and header, then each row.

    UTF-8 with a byte order mark (without it Excel reads the diacritics in the computer's
    legacy code page) and CRLF line ends, as the rankings export writes them; dates as
    YYYY-MM-DD, as the imports read them; every text cell through escape_cell.
    """
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([_csv_text(value) for value in row])


def xlsx_file(
    title: str, headings: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int]
) -> IO[bytes]:
    """An export's XLSX in a temporary file, read from its start; written in bounded memory.

    openpyxl's write-only workbook streams each row to disk as it is appended, so 700.000
    members never sit in memory as cells; the finished file is served from disk.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=str(heading))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, datetime.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
                cells.append(cell)
            else:
                cells.append(escape_cell(value))
        sheet.append(cells)
    target = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    workbook.save(target)
    target.seek(0)
    return target


def export_query(request: HttpRequest) -> str:
    """A list's query string for its export links: its filters and sort, not its page."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def export_response(
    fmt: str, name: str, *, header: Sequence[str], csv_rows: Iterable[Sequence[Any]],
    title: str, headings: Sequence[str], xlsx_rows: Iterable[Sequence[Any]], widths: Sequence[int],
) -> HttpResponseBase:
    """A list's export as a download: the CSV streamed as it is read, the XLSX from disk.

    Only the rows of the format asked for are read (the other iterable is never started).
    """
    response: HttpResponseBase
    if fmt == "csv":
        lines = (line.encode() for line in csv_lines(header, csv_rows))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    else:
        response = FileResponse(xlsx_file(title, headings, xlsx_rows, widths), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
