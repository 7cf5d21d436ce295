"""The grassroots unions list as CSV and XLSX: the rows the page lists, every one of them.

The CSV is the unions interchange file (`code,name,federation,sector,founded_on,status,
status_on,employees`) with the active members last (an import ignores that column), so an
export can be imported again. The XLSX is for people: headings in the user's language,
names and words rather than codes, dates as dates.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from branches.models import GrassrootsUnion
from unionboard.spreadsheets import EXPORT_CHUNK_ROWS

CSV_COLUMNS = [
    "code", "name", "federation", "sector", "founded_on", "status", "status_on", "employees",
    "active_members",
]


def _rows(unions: QuerySet[GrassrootsUnion]) -> Iterator[GrassrootsUnion]:
    # `unions` comes from unions_for: federation joined, active_members annotated; one query.
    return unions.order_by("name_sort", "code").iterator(chunk_size=EXPORT_CHUNK_ROWS)


def csv_rows(unions: QuerySet[GrassrootsUnion]) -> Iterator[list]:
    """The interchange file's rows, in CSV_COLUMNS order."""
    for union in _rows(unions):
        yield [
            union.code, union.name, union.federation.code, union.sector, union.founded_on, union.status,
            union.status_on, union.employees, union.active_members,  # type: ignore[attr-defined]
        ]


def _heading(name: str) -> str:
    field = GrassrootsUnion._meta.get_field(name)
    return capfirst(str(getattr(field, "verbose_name", name)))


def xlsx_headings() -> list[str]:
    """The report's headings in the active language."""
    return [
        _("Code"), _("Grassroots union"), _("Federation"), _heading("sector"), _heading("founded_on"),
        _heading("status"), _heading("status_on"), _heading("employees"), _("Active members"),
    ]


XLSX_WIDTHS = [16, 44, 28, 22, 12, 14, 12, 12, 12]


def xlsx_rows(unions: QuerySet[GrassrootsUnion]) -> Iterator[list]:
    """One union per row in xlsx_headings() order."""
    for union in _rows(unions):
        yield [
            union.code, union.name, union.federation.name, union.get_sector_display(), union.founded_on,
            union.get_status_display(), union.status_on, union.employees, union.active_members,  # type: ignore[attr-defined]
        ]
