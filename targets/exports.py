"""Rankings exports (CSV and XLSX) with the columns of the interchange format.

`rank,federation,name,new_members,new_members_target,new_members_pct,new_unions,
new_unions_target,new_unions_pct,score` — percentages and score with one decimal and a
dot in CSV, numbers stored as numbers in XLSX, an empty cell where there is no quota.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from targets.progress import FederationProgress, Period
from unionboard.spreadsheets import escape_cell

COLUMNS = [
    "rank", "federation", "name",
    "new_members", "new_members_target", "new_members_pct",
    "new_unions", "new_unions_target", "new_unions_pct",
    "score",
]


def rows_for_export(rows: Iterable[FederationProgress]) -> list[list]:
    """One list per federation in COLUMNS order; None where there is no quota or rank."""
    out = []
    for row in rows:
        members, unions = row.new_members, row.new_unions
        out.append([
            row.rank, row.code, row.name,
            members.actual, members.target, members.pct,
            unions.actual, unions.target, unions.pct,
            row.score_pct,
        ])
    return out


def filters_description(period: Period, kind: str | None) -> list[tuple[str, str]]:
    return [
        ("year", str(period.year)),
        ("as_of", period.as_of.isoformat()),
        ("kind", kind or "all"),
    ]


def filename(period: Period, kind: str | None, extension: str) -> str:
    """The file name carries the filters in force (the CSV has no room for them inside)."""
    parts = ["rankings", str(period.year), f"as-of-{period.as_of.isoformat()}"]
    if kind:
        parts.append(kind)
    return "_".join(parts) + f".{extension}"


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.1f}"
    return str(escape_cell(value))


def write_csv(rows: Iterable[FederationProgress], stream: io.TextIOBase) -> None:
    # CRLF, as RFC 4180 has it: the csv module then quotes a field holding either line
    # end, where with a bare LF a carriage return in a name would split the row.
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for values in rows_for_export(rows):
        writer.writerow([_csv_value(value) for value in values])


def write_xlsx(
    rows: Iterable[FederationProgress], period: Period, kind: str | None, stream
) -> None:
    """A sheet with the filters in its first rows, a blank row, then the table."""
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "rankings"
    for key, value in filters_description(period, kind):
        sheet.append([escape_cell(key), escape_cell(value)])
    sheet.append([])
    sheet.append(COLUMNS)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for values in rows_for_export(rows):
        sheet.append([
            float(value) if isinstance(value, Decimal) else escape_cell(value) for value in values
        ])
    for row in sheet.iter_rows(min_row=header_row + 1):
        for index in (5, 8, 9):  # the percentage columns
            row[index].number_format = "0.0"
    sheet.column_dimensions["C"].width = 42
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    workbook.save(stream)
