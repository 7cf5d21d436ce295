"""Rankings exports: the CSV interchange file and the XLSX report.

CSV is the machine format of the interchange files: English keys
`rank,federation,name,new_members,new_members_target,new_members_pct,new_unions,
new_unions_target,new_unions_pct,score`, percentages and score with one decimal and a dot,
an empty cell where there is no quota. It starts with a UTF-8 byte order mark, without
which Excel reads the file in the computer's legacy code page and garbles the diacritics
(the imports accept it, as they accept any UTF-8 file).

XLSX is a report for people: a title saying what, when and which federations, the page's
headings in the user's language, numbers stored as numbers and shown the Vietnamese way,
and a sheet that prints on A4 landscape with its headings on every page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.styles import DEFAULT_FONT, Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from branches.models import FederationKind
from targets.models import Indicator, Metric
from targets.progress import (
    BEHIND,
    EXCEEDED,
    MET,
    NOT_MET,
    ON_PACE,
    FederationProgress,
    MetricProgress,
    Period,
)
from unionboard.spreadsheets import escape_cell

COLUMNS = [
    "rank", "federation", "name",
    "new_members", "new_members_target", "new_members_pct",
    "new_unions", "new_unions_target", "new_unions_pct",
    "score",
]
BOM = "\ufeff"


def extra_codes(indicators: Iterable[Indicator] = ()) -> list[str]:
    """The indicators beyond the membership two, each with three columns after the score."""
    return [ind.code for ind in indicators if ind.code not in COLUMNS]


def csv_header(indicators: Iterable[Indicator] = ()) -> list[str]:
    """COLUMNS, then `<indicator>,<indicator>_target,<indicator>_pct` per indicator in force."""
    return COLUMNS + [
        name for code in extra_codes(indicators) for name in (code, f"{code}_target", f"{code}_pct")
    ]


def rows_for_export(
    rows: Iterable[FederationProgress], indicators: Iterable[Indicator] = ()
) -> list[list]:
    """One list per federation in header() order; None where there is no quota, rank or report."""
    codes = extra_codes(indicators)
    out = []
    for row in rows:
        members, unions = row.new_members, row.new_unions
        line = [
            row.rank, row.code, row.name,
            members.actual, members.target, members.pct,
            unions.actual, unions.target, unions.pct,
            row.score_pct,
        ]
        for code in codes:
            m = row.metrics[code]
            line += [m.shown, m.target, m.pct]
        out.append(line)
    return out


def filename(period: Period, kind: str | None, extension: str) -> str:
    """The file name carries the filters in force (the CSV has no room for them inside)."""
    parts = ["rankings", str(period.year), f"as-of-{period.as_of.isoformat()}"]
    if kind:
        parts.append(kind)
    return "_".join(parts) + f".{extension}"


# -- CSV ----------------------------------------------------------------------------------


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.1f}"
    return str(escape_cell(value))


def write_csv(
    rows: Iterable[FederationProgress], stream: io.TextIOBase, indicators: Iterable[Indicator] = ()
) -> None:
    """The interchange CSV, byte order mark first; three columns per indicator in force
    beyond the membership two."""
    indicators = list(indicators)
    # CRLF, as RFC 4180 has it: the csv module then quotes a field holding either line
    # end, where with a bare LF a carriage return in a name would split the row.
    header = io.StringIO()
    csv.writer(header, lineterminator="\r\n").writerow(csv_header(indicators))
    # One write for the mark and the header: a command's stdout ends every write with a newline.
    stream.write(BOM + header.getvalue())
    writer = csv.writer(stream, lineterminator="\r\n")
    for values in rows_for_export(rows, indicators):
        writer.writerow([_csv_value(value) for value in values])


# -- XLSX ---------------------------------------------------------------------------------

# Number formats tagged with the Vietnamese locale (LCID 042A): LibreOffice then shows 4.550
# and 70,0 whatever the computer's language; Excel keeps the separators of its own settings.
COUNT_FORMAT = "[$-42A]#,##0"
PERCENT_FORMAT = "[$-42A]0.0"
# Places gained or lost since last year as the page shows them: ▲ 3, ▼ 2, =. No colour codes:
# Excel and LibreOffice number their palettes differently, and the arrows read on paper.
RANK_CHANGE_FORMAT = '"▲ "0;"▼ "0;"="'

STATUS_FILLS = {  # light tints of the page's badge colours: the words carry the meaning
    EXCEEDED: "D7EFDC",
    ON_PACE: "DCE8F6",
    BEHIND: "FBEFC9",
    MET: "D7EFDC",
    NOT_MET: "F8D7DA",
}
# A Font() without a name falls back to the application's default face (a serif in LibreOffice).
FONT_NAME = DEFAULT_FONT.name
HEADER_FILL = PatternFill("solid", fgColor="F2E6E6")
THIN = Side(style="thin", color="BFBFBF")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


@dataclass(frozen=True)
class ReportColumn:
    """One column of the report: its heading, the group heading above it, how to show it."""

    heading: str
    group: str | None = None
    number_format: str | None = None
    min_width: int = 8
    max_width: int = 60
    status_of: str | None = None  # a status column: tinted by that metric's status


def _status_words(metric: MetricProgress) -> str | None:
    return {
        EXCEEDED: _("Quota reached"),
        ON_PACE: _("On pace"),
        BEHIND: _("Behind pace"),
        MET: _("Quota met"),
        NOT_MET: _("Quota not met"),
    }.get(metric.status or "")


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def report_columns(indicators: Iterable[Indicator] = ()) -> list[ReportColumn]:
    """The rankings page's columns, headed in the active language; then actual, quota and
    attainment of each other indicator in force."""
    columns = [
        ReportColumn(_("Rank"), number_format="0", min_width=6),
        ReportColumn(_("Federation"), min_width=24),
        ReportColumn(_("Kind"), min_width=12),
    ]
    for metric, group in ((Metric.NEW_MEMBERS, _("New members")),
                          (Metric.NEW_UNIONS, _("New grassroots unions"))):
        columns += [
            ReportColumn(_("Actual"), group, COUNT_FORMAT),
            ReportColumn(_("Quota"), group, COUNT_FORMAT),
            ReportColumn(_("Attainment (%)"), group, PERCENT_FORMAT),
            ReportColumn(_("Status"), group, min_width=12, status_of=metric),
        ]
    columns += [
        ReportColumn(_("Score (%)"), number_format=PERCENT_FORMAT),
        ReportColumn(_("Change since last year"), number_format=RANK_CHANGE_FORMAT, max_width=16),
    ]
    for indicator in indicators:
        if indicator.code in COLUMNS:
            continue
        amount = PERCENT_FORMAT if indicator.is_percent else COUNT_FORMAT
        columns += [
            ReportColumn(_("Actual"), indicator.name, amount),
            ReportColumn(_("Quota"), indicator.name, COUNT_FORMAT),
            ReportColumn(_("Attainment (%)"), indicator.name, PERCENT_FORMAT),
        ]
    return columns


def report_values(row: FederationProgress, indicators: Iterable[Indicator] = ()) -> list:
    """One federation's cells in report_columns() order: numbers as numbers, None when absent
    (a figure not reported is an empty cell, never 0)."""
    values = [row.rank, escape_cell(row.name), row.federation.get_kind_display()]
    for metric in (row.new_members, row.new_unions):
        values += [metric.actual, metric.target, _number(metric.pct), _status_words(metric)]
    values += [_number(row.score_pct), row.rank_change]
    for code in extra_codes(indicators):
        m = row.metrics[code]
        values += [_number(m.shown), m.target, _number(m.pct)]
    return values


def report_title(period: Period, kind: str | None, ranked: int) -> list[str]:
    """The lines above the table: what, for whom, up to when, how it is scored, when exported."""
    scope = _("Kind: %(kind)s") % {"kind": FederationKind(kind).label} if kind else _("The whole city")
    return [
        _("Rankings of the federations, %(year)s") % {"year": period.year},
        _("%(scope)s — figures up to %(date)s") % {
            "scope": scope, "date": date_format(period.as_of, "SHORT_DATE_FORMAT"),
        },
        ngettext("%(counter)s federation ranked.", "%(counter)s federations ranked.", ranked)
        % {"counter": ranked}
        + " "
        + _("The score is the mean attainment over the quotas a federation has; equal scores share a rank."),
        _("Exported on %(date)s") % {"date": date_format(timezone.localdate(), "SHORT_DATE_FORMAT")},
    ]


def _display_length(value, number_format: str | None) -> int:
    """About how many characters a cell shows, to size its column."""
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:,.1f}")
    if isinstance(value, int) and number_format == RANK_CHANGE_FORMAT:
        return len(str(abs(value))) + 2
    if isinstance(value, int):
        return len(f"{value:,}")
    return len(str(value))


def _write_headings(sheet: Worksheet, columns: list[ReportColumn], first_row: int) -> None:
    """Two heading rows: a group heading over its columns, single headings over both rows."""
    second_row = first_row + 1
    index = 1
    while index <= len(columns):
        column = columns[index - 1]
        if column.group is None:
            sheet.cell(row=first_row, column=index, value=column.heading)
            sheet.merge_cells(start_row=first_row, end_row=second_row, start_column=index, end_column=index)
            index += 1
            continue
        span = sum(1 for other in columns[index - 1:] if other.group == column.group)
        sheet.cell(row=first_row, column=index, value=column.group)
        sheet.merge_cells(start_row=first_row, end_row=first_row, start_column=index,
                          end_column=index + span - 1)
        for offset in range(span):
            sheet.cell(row=second_row, column=index + offset, value=columns[index - 1 + offset].heading)
        index += span
    for row in sheet.iter_rows(min_row=first_row, max_row=second_row, max_col=len(columns)):
        for cell in row:
            cell.font = Font(name=FONT_NAME, bold=True)
            cell.fill = HEADER_FILL
            cell.border = GRID
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    # Row heights are not fitted on opening: room for a heading of two lines under its group.
    sheet.row_dimensions[first_row].height = 18
    sheet.row_dimensions[second_row].height = 32


def _page_setup(sheet: Worksheet, heading_rows: str) -> None:
    """A4 landscape, every column on the page's width, the headings again on every page."""
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the federations need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = heading_rows
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    sheet.oddFooter.center.text = "&P / &N"


def write_xlsx(
    rows: Iterable[FederationProgress], period: Period, kind: str | None, stream,
    indicators: Iterable[Indicator] = (),
) -> None:
    """The rankings as a printable report, in the active language, with the indicators in
    force beyond the membership two after the score."""
    rows = list(rows)
    indicators = list(indicators)
    columns = report_columns(indicators)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Rankings")[:31]
    title = report_title(period, kind, sum(1 for row in rows if row.rank is not None))
    workbook.properties.title = title[0]
    workbook.properties.creator = "Unionboard"

    for number, line in enumerate(title, start=1):
        sheet.cell(row=number, column=1, value=line)
    sheet["A1"].font = Font(name=FONT_NAME, bold=True, size=14)
    sheet["A2"].font = Font(name=FONT_NAME, bold=True)
    heading_row = len(title) + 2  # a blank row between the title and the table
    _write_headings(sheet, columns, heading_row)
    first_data_row = heading_row + 2

    widths = [max(column.min_width, *(len(word) for word in column.heading.split())) for column in columns]
    for offset, row in enumerate(rows):
        values = report_values(row, indicators)
        for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            cell = sheet.cell(row=first_data_row + offset, column=index, value=value)
            cell.border = GRID
            if column.number_format:
                cell.number_format = column.number_format
            status = row.metrics[column.status_of].status if column.status_of else None
            if status is not None and status in STATUS_FILLS:
                cell.fill = PatternFill("solid", fgColor=STATUS_FILLS[status])
            widths[index - 1] = max(widths[index - 1], _display_length(value, column.number_format))
        sheet.cell(row=first_data_row + offset, column=1).font = Font(name=FONT_NAME, bold=True)

    for index, (column, width) in enumerate(zip(columns, widths, strict=True), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, column.max_width)
    sheet.freeze_panes = sheet.cell(row=first_data_row, column=1)
    _page_setup(sheet, f"{heading_row}:{heading_row + 1}")
    workbook.save(stream)

