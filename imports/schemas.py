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
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, validate_slug
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _

from branches.models import (
    CODE_INVALID,
    Employer,
    Federation,
    FederationKind,
    GrassrootsUnion,
    Sector,
    UnionStatus,
    normalise_tax_code,
)
from imports.reading import normalise_header
from members.models import Gender, LeftReason, Member, MemberStatus
from targets.models import Cluster, Grade, Indicator, Metric, Quota, Report, UnionRating

ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
DMY_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# 6.500, 6,500 and 6 500 are six thousand five hundred; 6.5 is refused, not guessed.
GROUPED_INT = re.compile(r"^[+-]?\d{1,3}(?:[.,\u00a0 ]\d{3})+$")
PLAIN_INT = re.compile(r"^[+-]?\d+$")
MAX_DIGITS = 40
# What no text column may hold: control characters (NUL, which PostgreSQL refuses outright,
# and the rest, which only a damaged file or a copy from a program brings) and lone
# surrogates, which are not characters and cannot be encoded for the database.
UNSTORABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


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


def text(value) -> str:
    """Text as it is; its length and characters are checked against the column (`fits`)."""
    return _as_text(value)


def code(value) -> str:
    """A code of a federation or union, by the models' rule and with their message (CODE_INVALID)."""
    result = _as_text(value)
    try:
        validate_slug(result)  # the validator of the models' code fields
    except ValidationError as exc:
        raise CellError(str(CODE_INVALID)) from exc
    return result


def tax_code(value) -> str:
    """A tax code, its branch dash taken out (0101234567-001 → 0101234567001), by the model's rule."""
    if isinstance(value, int) and not isinstance(value, bool):
        # A spreadsheet that took the code for a number dropped its leading zero.
        value = f"{value:010d}" if value < 10**10 else f"{value:013d}"
    result = normalise_tax_code(_as_text(value))
    try:
        for validator in Employer._meta.get_field("tax_code").validators:
            if not isinstance(validator, MaxLengthValidator):
                validator(result)
    except ValidationError as exc:
        raise CellError(" ".join(exc.messages)) from exc
    return result


def _shown(value: str, limit: int = 60) -> str:
    """A value quoted in a message: cut short, and without characters a page cannot show."""
    value = UNSTORABLE.sub("\ufffd", value)
    return value if len(value) <= limit else value[:limit] + "…"


def validated(read: Callable[[Any], Any], model: type[models.Model], name: str) -> Callable[[Any], Any]:
    """A reader followed by the model field's own validators: one rule for forms and imports."""
    field = model._meta.get_field(name)

    def read_validated(value):
        result = read(value)
        try:
            # the length is the database's limit, checked with the others (_field)
            for validator in field.validators:
                if not isinstance(validator, MaxLengthValidator):
                    validator(result)
        except ValidationError as exc:
            raise CellError(" ".join(exc.messages)) from exc
        return result

    return read_validated


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
            _("“%(value)s” is not a date: write YYYY-MM-DD or DD/MM/YYYY.") % {"value": _shown(raw)}
        )
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise CellError(_("“%(value)s” is not a real date.") % {"value": raw}) from exc


def whole_number(value) -> int:
    """A whole number; thousands may be grouped with dots, commas or spaces (6.500)."""
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": _shown(str(value))})
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value  # its range is the column's: checked with the database's limits below
    raw = _as_text(value)
    if len(raw) > MAX_DIGITS:  # far beyond any column; int() of thousands of digits is refused
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": _shown(raw)})
    if GROUPED_INT.match(raw):
        return int(re.sub(r"[.,\u00a0 ]", "", raw))
    if PLAIN_INT.match(raw):
        return int(raw)
    raise CellError(_("“%(value)s” is not a whole number.") % {"value": _shown(raw)})


KNOWN_SPELLINGS = 64  # spellings of a choice remembered, whatever a file holds


def choice(choices: type[models.TextChoices], aliases: dict[str, Iterable[str]] | None = None):
    """One of the choices, by its value, its English label or a Vietnamese alias."""
    lookup: dict[str, str] = {}
    for value, label in zip(choices.values, choices.labels, strict=True):
        lookup[normalise_header(value)] = value
        lookup[normalise_header(str(label))] = value
    for value, words in (aliases or {}).items():
        for word in words:
            lookup[normalise_header(word)] = value

    # A column holds the same few spellings row after row: each is normalised once.
    known: dict[Any, str] = {}

    def read(raw) -> str:
        found = known.get(raw) if isinstance(raw, str) else None
        if found is not None:
            return found
        found = lookup.get(normalise_header(raw))
        if found is None:
            raise CellError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": _shown(_as_text(raw)), "choices": ", ".join(choices.values)}
            )
        if isinstance(raw, str) and len(known) < KNOWN_SPELLINGS:
            known[raw] = found
        return found

    return read


# --- the database's limits -------------------------------------------------------------------


def fits(field: models.Field, value) -> None:
    """Refuse a value the field's database column cannot hold, on any supported database.

    The limits are the model's (max_length, the integer type's range), so the preview
    refuses what would otherwise fail only when the confirmation writes. Integer ranges are
    the portable ones, the same on SQLite (which would store anything) as on PostgreSQL.
    """
    if isinstance(value, str):
        bad = UNSTORABLE.search(value)
        if bad is not None:
            raise CellError(
                _("The text holds a control character (U+%(code)04X) that cannot be stored: "
                  "remove it.") % {"code": ord(bad.group())}
            )
        if field.max_length is not None and len(value) > field.max_length:
            raise CellError(
                _("At most %(max)s characters (this one has %(length)s).")
                % {"max": field.max_length, "length": len(value)}
            )
    elif isinstance(value, int) and not isinstance(value, bool):
        low, high = BaseDatabaseOperations.integer_field_ranges.get(
            field.get_internal_type(), (None, None)
        )
        if low is not None and value < low:
            message = (
                _("“%(value)s” cannot be negative.") if low == 0
                else _("“%(value)s” is below the smallest value this column holds (%(min)s).")
            )
            raise CellError(message % {"value": _shown(str(value)), "min": low})
        if high is not None and value > high:
            raise CellError(
                _("“%(value)s” is more than this column can hold (at most %(max)s).")
                % {"value": _shown(str(value)), "max": high}
            )


# --- files ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a file: how a cell is read, and the model field whose limits it obeys."""

    name: str
    read: Callable[[Any], Any]
    field: models.Field
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
                value = column.read(raw)
                fits(column.field, value)
            except CellError as exc:
                problems.append(Problem(number, header.labels[column.name], exc.message))
            else:
                values[column.name] = value
        return values, problems

    def example_rows(self) -> list[list]:
        return [self.names, [column.example for column in self.columns]]


def _field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


FEDERATION_CODE = _field(Federation, "code")
UNION_CODE = _field(GrassrootsUnion, "code")

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
    Column("code", code, FEDERATION_CODE, required=True,
           aliases=("Mã", "Mã đơn vị", "Mã công đoàn cấp trên"), example="ld-hoang-mai"),
    Column("name", text, _field(Federation, "name"), required=True,
           aliases=("Tên", "Tên đơn vị", "Tên công đoàn cấp trên"), example="LĐLĐ quận Hoàng Mai"),
    Column("kind", choice(FederationKind, KIND_ALIASES), _field(Federation, "kind"), required=True,
           aliases=("Loại", "Loại hình", "Cấp"), example=FederationKind.URBAN_DISTRICT.value),
))

UNIONS = Schema("unions", (
    Column("code", code, UNION_CODE, required=True,
           aliases=("Mã", "Mã CĐCS", "Mã công đoàn cơ sở", "Mã công đoàn"), example="cdcs-hm-0001"),
    Column("name", text, _field(GrassrootsUnion, "name"), required=True,
           aliases=("Tên", "Tên CĐCS", "Tên công đoàn cơ sở", "Tên công đoàn"),
           example="Công đoàn Công ty TNHH Ví Dụ"),
    Column("federation", code, FEDERATION_CODE, required=True,
           aliases=("Công đoàn cấp trên", "Mã công đoàn cấp trên", "Đơn vị cấp trên", "LĐLĐ"),
           example="ld-hoang-mai"),
    Column("sector", choice(Sector, SECTOR_ALIASES), _field(GrassrootsUnion, "sector"), required=True,
           aliases=("Khối", "Loại hình", "Khu vực"), example=Sector.NON_STATE.value),
    Column("founded_on", date, _field(GrassrootsUnion, "founded_on"), required=True,
           aliases=("Ngày thành lập",), example="2024-03-15"),
    Column("status", choice(UnionStatus, UNION_STATUS_ALIASES), _field(GrassrootsUnion, "status"),
           aliases=("Trạng thái", "Tình trạng"), example=UnionStatus.ACTIVE.value),
    Column("status_on", date, _field(GrassrootsUnion, "status_on"),
           aliases=("Ngày trạng thái", "Ngày thay đổi trạng thái"), example=""),
    Column("employees", whole_number, _field(GrassrootsUnion, "employees"),
           aliases=("Số lao động", "Tổng số lao động", "Số công nhân viên"), example=45),
))

MEMBERS = Schema("members", (
    Column("card_no", validated(text, Member, "card_no"), _field(Member, "card_no"), required=True,
           aliases=("Số thẻ", "Số thẻ đoàn viên", "Mã thẻ", "Mã đoàn viên"), example="HM-000001"),
    Column("full_name", text, _field(Member, "full_name"), required=True,
           aliases=("Họ và tên", "Họ tên", "Tên đoàn viên"), example="Nguyễn Thị Ví Dụ"),
    Column("gender", choice(Gender, GENDER_ALIASES), _field(Member, "gender"), required=True,
           aliases=("Giới tính",), example=Gender.FEMALE.value),
    Column("birth_date", date, _field(Member, "birth_date"),
           aliases=("Ngày sinh", "Ngày tháng năm sinh"), example="1996-08-20"),
    Column("union", code, UNION_CODE, required=True,
           aliases=("Công đoàn cơ sở", "Mã công đoàn cơ sở", "CĐCS", "Mã CĐCS"), example="cdcs-hm-0001"),
    Column("admitted_on", date, _field(Member, "admitted_on"), required=True,
           aliases=("Ngày kết nạp", "Ngày vào công đoàn"), example="2024-04-01"),
    Column("status", choice(MemberStatus, MEMBER_STATUS_ALIASES), _field(Member, "status"),
           aliases=("Trạng thái", "Tình trạng"), example=MemberStatus.ACTIVE.value),
    Column("left_on", date, _field(Member, "left_on"),
           aliases=("Ngày ra khỏi công đoàn", "Ngày thôi sinh hoạt", "Ngày ra"), example=""),
    Column("left_reason", choice(LeftReason, LEFT_REASON_ALIASES), _field(Member, "left_reason"),
           aliases=("Lý do ra", "Lý do ra khỏi công đoàn", "Lý do thôi sinh hoạt"), example=""),
))

GRADE_ALIASES = {
    Grade.EXCELLENT: ["xuất sắc", "hoàn thành xuất sắc nhiệm vụ", "vững mạnh xuất sắc"],
    Grade.GOOD: ["tốt", "hoàn thành tốt nhiệm vụ", "vững mạnh"],
    Grade.COMPLETED: ["hoàn thành", "hoàn thành nhiệm vụ"],
    Grade.NOT_COMPLETED: ["không hoàn thành", "không hoàn thành nhiệm vụ"],
}


def indicator_ref(value) -> str:
    """An indicator by its code (or a Vietnamese alias of the two membership ones); whether
    such an indicator exists is the importer's lookup, since administrators add indicators."""
    found = {normalise_header(word): str(metric) for metric, words in METRIC_ALIASES.items()
             for word in words}
    result = _as_text(value)
    return found.get(normalise_header(result), result.lower())


def decimal_number(value) -> Decimal:
    """A positive decimal (a rate per union: 1, 0,5 or 0.5)."""
    result = _as_text(value).replace(",", ".")
    try:
        number = Decimal(result)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": _shown(result)}) from None
    if not number.is_finite() or number <= 0 or number >= 100000:
        raise CellError(_("The rate must be above zero."))
    return number


QUOTAS = Schema("quotas", (
    Column("federation", code, FEDERATION_CODE, required=True,
           aliases=("Công đoàn cấp trên", "Mã công đoàn cấp trên", "Đơn vị", "Mã đơn vị"),
           example="ld-hoang-mai"),
    Column("year", whole_number, _field(Quota, "year"), required=True, aliases=("Năm",), example=2025),
    Column("metric", indicator_ref, _field(Indicator, "code"), required=True,
           aliases=("Loại chỉ tiêu", "Chỉ tiêu về", "indicator"), example=Metric.NEW_MEMBERS.value),
    Column("target", whole_number, _field(Quota, "target"),
           aliases=("Chỉ tiêu", "Chỉ tiêu giao", "Số giao", "Mục tiêu"), example=6500),
    Column("rate", decimal_number, _field(Quota, "rate"),
           aliases=("Định mức", "Định mức mỗi CĐCS"), example=""),
))

EMPLOYERS = Schema("employers", (
    Column("tax_code", tax_code, _field(Employer, "tax_code"), required=True,
           aliases=("Mã số thuế", "MST", "Mã số doanh nghiệp", "Mã DN"), example="0101234567"),
    Column("name", text, _field(Employer, "name"), required=True,
           aliases=("Tên", "Tên doanh nghiệp", "Tên đơn vị", "Tên đơn vị sử dụng lao động"),
           example="Công ty TNHH Ví Dụ"),
    Column("ward", text, _field(Employer, "ward"),
           aliases=("Phường", "Phường/xã", "Phường, xã", "Địa bàn"), example="Phường Khương Đình"),
    Column("sector", choice(Sector, SECTOR_ALIASES), _field(Employer, "sector"), required=True,
           aliases=("Khối", "Loại hình", "Khu vực", "Loại hình doanh nghiệp"),
           example=Sector.NON_STATE.value),
    Column("employees", whole_number, _field(Employer, "employees"), required=True,
           aliases=("Số lao động", "Tổng số lao động", "Số công nhân viên"), example=120),
    Column("counted_on", date, _field(Employer, "counted_on"), required=True,
           aliases=("Ngày thống kê", "Ngày cập nhật", "Thời điểm thống kê"), example="2024-12-31"),
    Column("union", code, UNION_CODE,
           aliases=("Công đoàn cơ sở", "Mã công đoàn cơ sở", "CĐCS", "Mã CĐCS"), example=""),
    Column("federation", code, FEDERATION_CODE,
           aliases=("Công đoàn cấp trên", "Mã công đoàn cấp trên", "Đơn vị cấp trên", "LĐLĐ"),
           example="ld-hoang-mai"),
))

REPORTS = Schema("reports", (
    Column("federation", code, FEDERATION_CODE, required=True,
           aliases=("Công đoàn cấp trên", "Mã công đoàn cấp trên", "Đơn vị", "Mã đơn vị"),
           example="ld-hoang-mai"),
    Column("indicator", indicator_ref, _field(Indicator, "code"), required=True,
           aliases=("Chỉ tiêu", "Mã chỉ tiêu"), example="party_referrals"),
    Column("as_of", date, _field(Report, "as_of"), required=True,
           aliases=("Tính đến ngày", "Ngày báo cáo"), example="2025-06-30"),
    Column("value", whole_number, _field(Report, "value"), required=True,
           aliases=("Số liệu", "Kết quả", "Giá trị"), example=71),
))

RATINGS = Schema("ratings", (
    Column("union", code, UNION_CODE, required=True,
           aliases=("Công đoàn cơ sở", "Mã công đoàn cơ sở", "CĐCS", "Mã CĐCS"), example="cdcs-hm-0001"),
    Column("year", whole_number, _field(UnionRating, "year"), required=True, aliases=("Năm",), example=2024),
    Column("grade", choice(Grade, GRADE_ALIASES), _field(UnionRating, "grade"), required=True,
           aliases=("Xếp loại", "Kết quả xếp loại"), example=Grade.GOOD.value),
))

CLUSTERS = Schema("clusters", (
    Column("cluster", text, _field(Cluster, "name"), required=True,
           aliases=("Cụm", "Cụm thi đua", "Tên cụm"), example="Cụm thi đua số 3"),
    Column("year", whole_number, _field(Cluster, "year"), required=True, aliases=("Năm",), example=2024),
    Column("federation", code, FEDERATION_CODE, required=True,
           aliases=("Công đoàn cấp trên", "Mã công đoàn cấp trên", "Đơn vị", "Mã đơn vị"),
           example="hoang-mai"),
    # the code of the cluster's leading federation that year (the same on each of its rows,
    # or given on some rows only)
    Column("leader", code, FEDERATION_CODE,
           aliases=("Cụm trưởng", "Đơn vị cụm trưởng", "Mã cụm trưởng"), example="thanh-xuan"),
))

SCHEMAS: dict[str, Schema] = {
    schema.kind: schema
    for schema in (FEDERATIONS, UNIONS, MEMBERS, QUOTAS, REPORTS, RATINGS, EMPLOYERS, CLUSTERS)
}
