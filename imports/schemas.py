"""What each kind of file holds: its columns, their Vietnamese aliases and how cells are read.

A cell is read into a Python value or refused with a plain message; checks that involve
several cells or the database (dates in order, a known union...) are the models' rules,
which the service runs on every row.
The columns and aliases here are the ones documented in docs/imports.md.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from branches.models import FederationKind, Sector, UnionStatus
from imports.reading import normalise_header
from members.models import Gender, LeftReason, MemberStatus
from targets.models import Metric

ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
DMY_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# 6.500, 6,500 and 6 500 are six thousand five hundred; 6.5 is refused, not guessed.
GROUPED_INT = re.compile(r"^[+-]?\d{1,3}(?:[.,\u00a0 ]\d{3})+$")
PLAIN_INT = re.compile(r"^[+-]?\d+$")
CODE = re.compile(r"^[-a-zA-Z0-9_]+$")


@dataclass(frozen=True)
class Problem:
    """One reason the file cannot be written: row and column (when known) and a message."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row, "column": self.column or "-", "message": self.message,
        }


class CellError(ValueError):
    """A cell that cannot be read; the message is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- cell readers --------------------------------------------------------------------------


def _as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def text(max_length: int) -> Callable[[Any], str]:
    def read(value) -> str:
        result = _as_text(value)
        if len(result) > max_length:
            raise CellError(
                _("At most %(max)s characters (this one has %(length)s).")
                % {"max": max_length, "length": len(result)}
            )
        return result

    return read


def code(max_length: int = 50) -> Callable[[Any], str]:
    """A code of a federation or union: letters, digits, hyphens and underscores."""
    read_text = text(max_length)

    def read(value) -> str:
        result = read_text(value)
        if not CODE.match(result):
            raise CellError(
                _("“%(value)s” is not a code: use only letters, digits, hyphens and underscores.")
                % {"value": result}
            )
        return result

    return read


def date(value) -> datetime.date:
    """YYYY-MM-DD or DD/MM/YYYY (or a date cell of a workbook)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = _as_text(value)
    iso, dmy = ISO_DATE.match(raw), DMY_DATE.match(raw)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif dmy:
        day, month, year = (int(part) for part in dmy.groups())
    else:
        raise CellError(
            _("“%(value)s” is not a date: write YYYY-MM-DD or DD/MM/YYYY.") % {"value": raw}
        )
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise CellError(_("“%(value)s” is not a real date.") % {"value": raw}) from exc


def whole_number(value) -> int:
    """A whole number; thousands may be grouped with dots, commas or spaces (6.500)."""
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": value})
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raw = _as_text(value)
    if GROUPED_INT.match(raw):
        return int(re.sub(r"[.,\u00a0 ]", "", raw))
    if PLAIN_INT.match(raw):
        return int(raw)
    raise CellError(_("“%(value)s” is not a whole number.") % {"value": raw})


def choice(choices: type[models.TextChoices], aliases: dict[str, Iterable[str]] | None = None):
    """One of the choices, by its value, its English label or a Vietnamese alias."""
    lookup: dict[str, str] = {}
    for value, label in zip(choices.values, choices.labels, strict=True):
        lookup[normalise_header(value)] = value
        lookup[normalise_header(str(label))] = value
    for value, words in (aliases or {}).items():
        for word in words:
            lookup[normalise_header(word)] = value

    def read(raw) -> str:
        found = lookup.get(normalise_header(raw))
        if found is None:
            raise CellError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": _as_text(raw), "choices": ", ".join(choices.values)}
            )
        return found

    return read


# --- files ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    read: Callable[[Any], Any]
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: Any = ""


@dataclass
class HeaderMap:
    """Where each known column sits in the file, and the header as the file writes it."""

    positions: dict[str, int]
    labels: dict[str, str]
    ignored: list[str]


@dataclass(frozen=True)
class Schema:
    kind: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    def map_header(self, header: list[str]) -> tuple[HeaderMap, list[Problem]]:
        """Match the file's header cells to columns, case- and diacritic-insensitively."""
        known: dict[str, str] = {}
        for column in self.columns:
            for alias in (column.name, *column.aliases):
                known[normalise_header(alias)] = column.name
        positions: dict[str, int] = {}
        labels: dict[str, str] = {}
        ignored: list[str] = []
        problems: list[Problem] = []
        for index, cell in enumerate(header):
            name = known.get(normalise_header(cell))
            if name is None:
                if str(cell).strip():
                    ignored.append(str(cell).strip())
                continue
            if name in positions:
                problems.append(Problem(
                    None, name,
                    _("Two columns (“%(first)s” and “%(second)s”) both mean “%(name)s”; keep one.")
                    % {"first": labels[name], "second": cell, "name": name},
                ))
                continue
            positions[name] = index
            labels[name] = str(cell).strip()
        for column in self.columns:
            if column.required and column.name not in positions:
                problems.append(Problem(
                    None, column.name,
                    _("The required column “%(name)s” is missing. The first row must name the "
                      "columns: %(columns)s.")
                    % {"name": column.name, "columns": ", ".join(self.names)},
                ))
        return HeaderMap(positions, labels, ignored), problems

    def read_row(
        self, number: int, cells: list, header: HeaderMap
    ) -> tuple[dict[str, Any], list[Problem]]:
        """The values of the columns the file has (None for a blank cell), and cell problems."""
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for column in self.columns:
            index = header.positions.get(column.name)
            if index is None:
                continue
            raw = cells[index] if index < len(cells) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                values[column.name] = None
                if column.required:
                    problems.append(Problem(number, header.labels[column.name], _("A value is required.")))
                continue
            try:
                values[column.name] = column.read(raw)
            except CellError as exc:
                problems.append(Problem(number, header.labels[column.name], exc.message))
        return values, problems

    def example_rows(self) -> list[list]:
        return [self.names, [column.example for column in self.columns]]


GENDER_ALIASES = {Gender.FEMALE: ["nữ", "f", "nu"], Gender.MALE: ["nam", "m"]}
MEMBER_STATUS_ALIASES = {
    MemberStatus.ACTIVE: ["đang sinh hoạt", "sinh hoạt"],
    MemberStatus.LEFT: ["đã ra", "ra khỏi công đoàn", "thôi sinh hoạt"],
}
LEFT_REASON_ALIASES = {
    LeftReason.JOB_CHANGE: ["chuyển công tác"],
    LeftReason.RETIRED: ["nghỉ hưu", "hưu trí"],
    LeftReason.QUIT_JOB: ["nghỉ việc", "thôi việc"],
    LeftReason.VOLUNTARY: ["tự nguyện ra khỏi tổ chức", "tự nguyện ra khỏi công đoàn", "tự nguyện"],
    LeftReason.OTHER: ["khác", "lý do khác"],
}
UNION_STATUS_ALIASES = {
    UnionStatus.ACTIVE: ["hoạt động", "đang hoạt động"],
    UnionStatus.SUSPENDED: ["tạm dừng", "tạm dừng hoạt động"],
    UnionStatus.DISSOLVED: ["giải thể", "đã giải thể"],
}
SECTOR_ALIASES = {
    Sector.PUBLIC_SERVICE: ["hành chính sự nghiệp", "HCSN"],
    Sector.STATE_ENTERPRISE: ["doanh nghiệp nhà nước", "DNNN"],
    Sector.FOREIGN_INVESTED: ["có vốn đầu tư nước ngoài", "vốn đầu tư nước ngoài", "FDI", "liên doanh"],
    Sector.NON_STATE: ["ngoài nhà nước", "ngoài khu vực nhà nước", "doanh nghiệp ngoài nhà nước"],
}
KIND_ALIASES = {
    FederationKind.URBAN_DISTRICT: ["quận", "LĐLĐ quận"],
    FederationKind.RURAL_DISTRICT: ["huyện", "LĐLĐ huyện"],
    FederationKind.TOWN: ["thị xã", "LĐLĐ thị xã"],
    FederationKind.SECTOR: ["ngành", "công đoàn ngành"],
    FederationKind.INDUSTRIAL_ZONE: ["khu công nghiệp", "KCN", "công đoàn các KCN"],
    FederationKind.CORPORATION: ["tổng công ty", "công đoàn tổng công ty"],
    FederationKind.WARD: ["phường", "công đoàn phường"],
    FederationKind.COMMUNE: ["xã", "công đoàn xã"],
}
METRIC_ALIASES = {
    Metric.NEW_MEMBERS: ["kết nạp đoàn viên", "đoàn viên mới", "đoàn viên"],
    Metric.NEW_UNIONS: ["thành lập công đoàn cơ sở", "công đoàn cơ sở mới", "CĐCS mới", "CĐCS"],
}

FEDERATIONS = Schema("federations", (
    Column("code", code(), required=True, aliases=("Mã", "Mã đơn vị", "Mã công đoàn cấp trên"),
           example="ld-hoang-mai"),
    Column("name", text(200), required=True, aliases=("Tên", "Tên đơn vị", "Tên công đoàn cấp trên"),
           example="LĐLĐ quận Hoàng Mai"),
    Column("kind", choice(FederationKind, KIND_ALIASES), required=True,
           aliases=("Loại", "Loại hình", "Cấp"), example=FederationKind.URBAN_DISTRICT.value),
))

UNIONS = Schema("unions", (
    Column("code", code(), required=True,
           aliases=("Mã", "Mã CĐCS", "Mã công đoàn cơ sở", "Mã công đoàn"), example="cdcs-hm-0001"),
    Column("name", text(255), required=True,
           aliases=("Tên", "Tên CĐCS", "Tên công đoàn cơ sở", "Tên công đoàn"),
           example="Công đoàn Công ty TNHH Ví Dụ"),
    Column("federation", code(), required=True,
           aliases=("Công đoàn cấp trên", "Mã công đoàn cấp trên", "Đơn vị cấp trên", "LĐLĐ"),
           example="ld-hoang-mai"),
    Column("sector", choice(Sector, SECTOR_ALIASES), required=True,
           aliases=("Khối", "Loại hình", "Khu vực"), example=Sector.NON_STATE.value),
    Column("founded_on", date, required=True, aliases=("Ngày thành lập",), example="2024-03-15"),
    Column("status", choice(UnionStatus, UNION_STATUS_ALIASES), aliases=("Trạng thái", "Tình trạng"),
           example=UnionStatus.ACTIVE.value),
    Column("status_on", date, aliases=("Ngày trạng thái", "Ngày thay đổi trạng thái"), example=""),
    Column("employees", whole_number, aliases=("Số lao động", "Tổng số lao động", "Số công nhân viên"),
           example=45),
))

MEMBERS = Schema("members", (
    Column("card_no", text(32), required=True,
           aliases=("Số thẻ", "Số thẻ đoàn viên", "Mã thẻ", "Mã đoàn viên"), example="HM-000001"),
    Column("full_name", text(150), required=True, aliases=("Họ và tên", "Họ tên", "Tên đoàn viên"),
           example="Nguyễn Thị Ví Dụ"),
    Column("gender", choice(Gender, GENDER_ALIASES), required=True, aliases=("Giới tính",),
           example=Gender.FEMALE.value),
    Column("birth_date", date, aliases=("Ngày sinh", "Ngày tháng năm sinh"), example="1996-08-20"),
    Column("union", code(), required=True,
           aliases=("Công đoàn cơ sở", "Mã công đoàn cơ sở", "CĐCS", "Mã CĐCS"), example="cdcs-hm-0001"),
    Column("admitted_on", date, required=True, aliases=("Ngày kết nạp", "Ngày vào công đoàn"),
           example="2024-04-01"),
    Column("status", choice(MemberStatus, MEMBER_STATUS_ALIASES), aliases=("Trạng thái", "Tình trạng"),
           example=MemberStatus.ACTIVE.value),
    Column("left_on", date, aliases=("Ngày ra khỏi công đoàn", "Ngày thôi sinh hoạt", "Ngày ra"),
           example=""),
    Column("left_reason", choice(LeftReason, LEFT_REASON_ALIASES),
           aliases=("Lý do ra", "Lý do ra khỏi công đoàn", "Lý do thôi sinh hoạt"), example=""),
))

QUOTAS = Schema("quotas", (
    Column("federation", code(), required=True,
           aliases=("Công đoàn cấp trên", "Mã công đoàn cấp trên", "Đơn vị", "Mã đơn vị"),
           example="ld-hoang-mai"),
    Column("year", whole_number, required=True, aliases=("Năm",), example=2025),
    Column("metric", choice(Metric, METRIC_ALIASES), required=True,
           aliases=("Loại chỉ tiêu", "Chỉ tiêu về"), example=Metric.NEW_MEMBERS.value),
    Column("target", whole_number, required=True,
           aliases=("Chỉ tiêu", "Chỉ tiêu giao", "Số giao", "Mục tiêu"), example=6500),
))

SCHEMAS: dict[str, Schema] = {schema.kind: schema for schema in (FEDERATIONS, UNIONS, MEMBERS, QUOTAS)}
