"""The members list as CSV and XLSX: the rows the page lists, every one of them, not one page.

The CSV is the members interchange file (`card_no,full_name,gender,birth_date,union,
admitted_on,status,left_on`, codes and ISO dates), so an export can be imported again. The
XLSX is for people: the list's headings in the user's language, names rather than codes,
dates as dates.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from members.models import Member
from unionboard.spreadsheets import EXPORT_CHUNK_ROWS

CSV_COLUMNS = ["card_no", "full_name", "gender", "birth_date", "union", "admitted_on", "status", "left_on"]
# The rows in the list's default order, newest admission first; the primary key breaks ties.
ORDER = ("-admitted_on", "-id")


def _rows(members: QuerySet[Member]) -> Iterator[Member]:
    # One query, read in chunks (a server-side cursor on PostgreSQL): memory stays bounded
    # however many members the filters leave.
    return members.select_related("union__federation").order_by(*ORDER).iterator(chunk_size=EXPORT_CHUNK_ROWS)


def csv_rows(members: QuerySet[Member]) -> Iterator[list]:
    """The interchange file's rows, in CSV_COLUMNS order."""
    for member in _rows(members):
        yield [
            member.card_no, member.full_name, member.gender, member.birth_date, member.union.code,
            member.admitted_on, member.status, member.left_on,
        ]


def _heading(name: str) -> str:
    field = Member._meta.get_field(name)
    return capfirst(str(getattr(field, "verbose_name", name)))


def xlsx_headings() -> list[str]:
    """The report's headings in the active language."""
    return [
        _heading("card_no"), _heading("full_name"), _heading("gender"), _heading("birth_date"),
        _("Grassroots union"), _("Union code"), _("Federation"), _heading("admitted_on"),
        _heading("status"), _heading("left_on"), _heading("left_reason"),
    ]


XLSX_WIDTHS = [14, 28, 8, 12, 40, 14, 28, 12, 12, 12, 24]


def xlsx_rows(members: QuerySet[Member]) -> Iterator[list]:
    """One member per row in xlsx_headings() order: names and words, dates as dates."""
    for member in _rows(members):
        yield [
            member.card_no, member.full_name, member.get_gender_display(), member.birth_date,
            member.union.name, member.union.code, member.union.federation.name, member.admitted_on,
            member.get_status_display(), member.left_on, member.get_left_reason_display() or None,
        ]
