"""The first sheet of an .xlsx workbook, read at a cost the file cannot raise.

An .xlsx file is a ZIP of XML parts, and a small upload can describe an enormous sheet:
strings that unpack to hundreds of megabytes, a declared size of 16.384 columns by a
million rows, megabytes of padding, a part whose header claims a few bytes. A general
spreadsheet library trusts those descriptions (it kept every shared string as an object,
and padded each row to the declared width). This reader trusts none of them:

- the ZIP may hold at most `entries` parts, and each part it reads (workbook, its
  relationships, styles, shared strings, the first sheet) may unpack to at most its
  limit, counted on the bytes actually unpacked whatever the header claims;
- the shared strings are kept as UTF-8 in one buffer (no object per string), at most
  `strings` of them and `string_bytes` in all; no cell holds more than Excel's 32.767
  characters;
- the sheet is parsed as a stream, one row at a time: its declared dimension is never
  read, a row is as wide as its last cell with a value (at most `MAX_COLUMNS`), blank rows
  cost nothing but their XML, and at most `cells` cells and `elements` XML elements are
  read (empty ones count), so a padded or repeated sheet stops early;
- the time spent reading is checked as it goes (`ReadCost`).

No DTD or entity is accepted (a workbook has none), so entity expansion cannot happen.
Values are read as openpyxl reads them with `data_only=True`: the cached result of a
formula, numbers as int or float, date-formatted numbers as datetimes.
"""

from __future__ import annotations

import contextlib
import datetime
import posixpath
import struct
import zipfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO
from xml.parsers import expat

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

from imports.reading import MAX_COLUMNS, FileRefused, ReadCost

CHUNK = 64 * 1024
MB = 1024 * 1024
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
EXCEL_CELL_CHARS = 32_767
MAX_DEPTH = 64  # a sheet's XML nests about six deep


@dataclass(frozen=True)
class Limits:
    """What one workbook may hold; far above any real import file, far below a bomb."""

    entries: int = 10_000  # parts in the ZIP
    part_bytes: int = 16 * MB  # workbook.xml, its relationships, styles.xml, each unpacked
    strings_part_bytes: int = 128 * MB  # sharedStrings.xml unpacked
    sheet_bytes: int = 256 * MB  # the first sheet's XML unpacked
    strings: int = 1_000_000  # shared strings
    string_bytes: int = 64 * MB  # their text in all, as UTF-8
    cells: int = 5_000_000  # <c> elements read, empty ones included
    elements: int = 20_000_000  # XML elements read in all the parts
    styles: int = 100_000  # cell formats (Excel allows 64.000)


LIMITS = Limits()


class _Done(Exception):
    """Raised by a handler once the part has told all that is needed."""


def _damaged() -> FileRefused:
    return FileRefused(_("The Excel workbook is damaged and cannot be read."))


def _too_big() -> FileRefused:
    return FileRefused(_("The Excel workbook unpacks to far more data than a real one."))


def _local(name: str) -> str:
    """An element's or attribute's name without its prefix ('x:c' -> 'c')."""
    return name.rpartition(":")[2] if ":" in name else name


def zip_entries(source: BinaryIO, size: int) -> int:
    """The number of parts the ZIP's end record declares, read before the ZIP is opened.

    zipfile builds an object per part when it opens the archive: a 20 MB file of empty
    parts would cost hundreds of megabytes before anything could be checked.
    """
    tail_size = min(size, 22 + 65_535)
    source.seek(size - tail_size)
    tail = source.read(tail_size)
    source.seek(0)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        raise _damaged()
    entries = struct.unpack("<H", tail[end + 10:end + 12])[0]
    if entries == 0xFFFF:  # ZIP64: the count is in the ZIP64 end record
        locator = tail.rfind(b"PK\x06\x07", 0, end)
        if locator < 0:
            raise _damaged()
        offset = struct.unpack("<Q", tail[locator + 8:locator + 16])[0]
        if offset + 56 > size:
            raise _damaged()
        source.seek(offset)
        record = source.read(56)
        source.seek(0)
        if not record.startswith(b"PK\x06\x06"):
            raise _damaged()
        entries = struct.unpack("<Q", record[32:40])[0]
    return entries


def _too_many_elements(limit: int) -> FileRefused:
    return FileRefused(
        _("The sheet holds more than %(limit)s XML elements, far more than a real import file. "
          "Delete the unused rows and columns, or save the sheet as CSV.")
        % {"limit": number_format(limit, force_grouping=True)}
    )


class _Parser:
    """An expat parser fed from one ZIP part, with its bytes, elements and depth counted.

    Names are compared without their prefix ('x:c' is 'c'): the parts of a workbook use
    one namespace each, and namespace processing would double the cost of every element.
    """

    def __init__(self, cost: ReadCost, limits: Limits):
        self.cost = cost
        self.limits = limits
        self.depth = 0
        self.elements = 0
        # the elements all the parts may still hold, this one included
        self.max_elements = limits.elements - cost.elements
        self.expat = expat.ParserCreate()
        self.expat.buffer_text = True
        self.expat.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.expat.StartDoctypeDeclHandler = self._refuse_dtd
        self.expat.EntityDeclHandler = self._refuse_dtd
        self.expat.StartElementHandler = self._start
        self.expat.EndElementHandler = self._end

    @staticmethod
    def _refuse_dtd(*args) -> None:
        raise _damaged()

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        self.elements += 1
        if self.depth > MAX_DEPTH:  # expat keeps every open element: nesting costs memory
            raise _damaged()
        if self.elements > self.max_elements:
            raise _too_many_elements(self.limits.elements)
        self.start(_local(name), attrs)

    def _end(self, name: str) -> None:
        self.depth -= 1
        self.end(_local(name))

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """An element opens (name without prefix)."""

    def end(self, name: str) -> None:
        """An element closes."""

    def counted(self) -> None:
        """Add what this part cost to the file's count."""
        self.cost.elements = self.limits.elements - self.max_elements + self.elements

    def chunks(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[None]:
        """Feed the part to the parser a chunk at a time; yield after each chunk.

        The part is refused when its header claims more than `limit` bytes, and again when
        more than `limit` bytes come out of it, whatever the header claimed.
        """
        if info.file_size > limit:
            raise _too_big()
        unpacked = 0
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    unpacked += len(chunk)
                    self.cost.unpacked += len(chunk)
                    if unpacked > limit:
                        raise _too_big()
                    self.expat.Parse(chunk, False)
                    self.counted()
                    self.cost.check()
                    yield
            self.expat.Parse(b"", True)
        except _Done:
            pass  # the rest of the part is not needed; what was gathered still counts
        except (expat.ExpatError, zipfile.BadZipFile, EOFError, OSError, RuntimeError,
                NotImplementedError, ValueError) as exc:
            # a broken XML, a CRC that does not match (a part longer than it claims), an
            # encrypted part or an unknown compression: all the same to the officer
            raise _damaged() from exc
        finally:
            self.counted()
        yield

    def parse(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> None:
        for _step in self.chunks(archive, info, limit):
            pass


class _Relationships(_Parser):
    """Id -> (type, target path) of a .rels part."""

    def __init__(self, cost: ReadCost, limits: Limits, base: str):
        super().__init__(cost, limits)
        self.base = base
        self.found: dict[str, tuple[str, str]] = {}

    def start(self, name, attrs):
        if name == "Relationship" and attrs.get("TargetMode") != "External":
            if len(self.found) >= self.limits.entries:  # more links than the ZIP may hold parts
                raise _damaged()
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(self.base, target)
            )
            self.found[attrs.get("Id", "")] = (attrs.get("Type", "").rpartition("/")[2], path)


class _Workbook(_Parser):
    """The first worksheet (name, part), whether another sheet follows, and the date system.

    Parsing stops at the second sheet: a workbook listing a million sheets costs no more
    than one listing two.
    """

    def __init__(self, cost: ReadCost, limits: Limits, relationships: dict[str, tuple[str, str]]):
        super().__init__(cost, limits)
        self.relationships = relationships
        self.first: tuple[str, str] | None = None
        self.sheets = 0
        self.epoch = CALENDAR_WINDOWS_1900

    def start(self, name, attrs):
        if name == "workbookPr" and attrs.get("date1904", "").lower() in ("1", "true"):
            self.epoch = CALENDAR_MAC_1904
        elif name == "sheet":
            self.sheets += 1
            relationship = next((value for key, value in attrs.items() if _local(key) == "id"), "")
            kind, path = self.relationships.get(relationship, ("", ""))
            if self.first is None and kind == "worksheet":  # a chart sheet has no rows
                self.first = (attrs.get("name", ""), path)
            if self.first is not None and self.sheets > 1:
                raise _Done

    def end(self, name):
        if name == "sheets":
            raise _Done


class _Styles(_Parser):
    """Which cell formats (the `s` of a cell) show a number as a date or a duration."""

    def __init__(self, cost: ReadCost, limits: Limits):
        super().__init__(cost, limits)
        self.custom: dict[int, str] = {}
        self.formats: list[int] = []
        self.in_cell_formats = False

    def start(self, name, attrs):
        if name == "numFmt":
            if len(self.custom) >= self.limits.styles:
                raise _damaged()
            with contextlib.suppress(ValueError):  # a format without a number is no date
                self.custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")[:255]
        elif name == "cellXfs":
            self.in_cell_formats = True
        elif name == "xf" and self.in_cell_formats:
            if len(self.formats) >= self.limits.styles:
                raise _damaged()
            try:
                self.formats.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                self.formats.append(0)

    def end(self, name):
        if name == "cellXfs":
            raise _Done

    def kinds(self) -> tuple[frozenset[int], frozenset[int]]:
        """(styles showing dates, styles showing durations), as openpyxl tells them."""
        dates, durations = set(), set()
        known: dict[int, tuple[bool, bool]] = {}
        for index, format_id in enumerate(self.formats):
            if format_id not in known:
                code = self.custom.get(format_id, BUILTIN_FORMATS.get(format_id))
                known[format_id] = (is_date_format(code), is_timedelta_format(code))
            is_date, is_duration = known[format_id]
            if is_date:
                dates.add(index)
            if is_duration:
                durations.add(index)
        return frozenset(dates), frozenset(durations)


def _cell_too_long() -> FileRefused:
    return FileRefused(
        _("A cell of the Excel workbook holds more than %(limit)s characters, more than Excel "
          "allows.") % {"limit": number_format(EXCEL_CELL_CHARS, force_grouping=True)}
    )


class SharedStrings(_Parser):
    """The workbook's shared strings: one UTF-8 buffer and the offset where each begins."""

    def __init__(self, cost: ReadCost, limits: Limits):
        super().__init__(cost, limits)
        self.text = bytearray()
        self.offsets = array("Q", [0])
        self.parts: list[str] = []
        self.length = 0
        self.collecting = False
        self.phonetic = 0
        self.expat.CharacterDataHandler = self._characters

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.text[self.offsets[index]:self.offsets[index + 1]].decode("utf-8")

    # Handlers written out in full, as the sheet's are: a workbook may hold a million strings.

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        self.elements += 1
        if self.depth > MAX_DEPTH:
            raise _damaged()
        if self.elements > self.max_elements:
            raise _too_many_elements(self.limits.elements)
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "t":
            self.collecting = not self.phonetic
        elif name == "rPh":  # the reading guide of East Asian text, not part of the value
            self.phonetic += 1

    def _characters(self, data: str) -> None:
        if self.collecting:
            self.length += len(data)
            if self.length > EXCEL_CELL_CHARS:
                raise _cell_too_long()
            self.parts.append(data)

    def _end(self, name: str) -> None:
        self.depth -= 1
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "t":
            self.collecting = False
        elif name == "si":
            # as openpyxl does: "_x005F_" is Excel's escape of an underscore
            text = self.parts[0] if len(self.parts) == 1 else "".join(self.parts)
            self.text += text.replace("x005F_", "").encode("utf-8")
            self.parts, self.length = [], 0
            self.offsets.append(len(self.text))
            if len(self.offsets) > self.limits.strings + 1:
                raise FileRefused(
                    _("The Excel workbook holds more than %(limit)s different texts; split it "
                      "into smaller files.")
                    % {"limit": number_format(self.limits.strings, force_grouping=True)}
                )
            if len(self.text) > self.limits.string_bytes:
                raise _too_big()
        elif name == "rPh":
            self.phonetic -= 1


def _column_letters(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# Every column Excel has, by its letters: a cell's column is one look-up, not a computation.
COLUMNS = {_column_letters(index): index for index in range(1, EXCEL_COLUMNS + 1)}
DIGITS = "0123456789"


def _number(text: str) -> int | float:
    # openpyxl's rule: a point or an exponent makes a float
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


def _too_many_cells(limit: int) -> FileRefused:
    return FileRefused(
        _("The sheet has more than %(limit)s cells (empty ones count too). Delete the unused "
          "rows and columns, or save the sheet as CSV.")
        % {"limit": number_format(limit, force_grouping=True)}
    )


class _Sheet(_Parser):
    """The rows of a worksheet part, gathered as the XML streams past.

    Its handlers are written for speed (a sheet has millions of elements): they replace
    the general ones and do the counting themselves.
    """

    def __init__(self, cost: ReadCost, limits: Limits, strings: SharedStrings,
                 dates: frozenset[int], durations: frozenset[int], epoch: datetime.datetime):
        super().__init__(cost, limits)
        self.strings, self.epoch = strings, epoch
        # styles as the `s` attribute writes them, so a cell's style is never converted
        self.dates = {str(index) for index in dates}
        self.durations = {str(index) for index in durations}
        self.ready: list[tuple[int, list]] = []
        self.max_cells = limits.cells - cost.cells
        self.cells = 0
        self.row_number = 0
        self.row: dict[int, object] = {}  # by column: a cell written twice is kept once
        self.column = 0
        self.cell_type = "n"
        self.cell_style: str | None = None
        self.in_cell = self.inline = self.collecting = False
        self.phonetic = 0
        self.parts: list[str] = []
        self.length = 0
        self.expat.CharacterDataHandler = self._characters

    def counted(self) -> None:
        super().counted()
        self.cost.cells = self.limits.cells - self.max_cells + self.cells

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        self.elements += 1
        if self.depth > MAX_DEPTH:
            raise _damaged()
        if self.elements > self.max_elements:
            raise _too_many_elements(self.limits.elements)
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            self.cells += 1
            if self.cells > self.max_cells:
                raise _too_many_cells(self.limits.cells)
            reference = attrs.get("r")
            if reference is None:
                self.column += 1
                if self.column > EXCEL_COLUMNS:
                    raise _damaged()
            else:
                column = COLUMNS.get(reference.rstrip(DIGITS))
                if column is None:
                    raise _damaged()
                self.column = column
            self.cell_type = attrs.get("t", "n")
            self.cell_style = attrs.get("s")
            self.in_cell, self.inline = True, False
            self.parts, self.length = [], 0
        elif not self.in_cell:
            if name == "row":
                number = attrs.get("r")
                try:
                    self.row_number = int(number) if number is not None else self.row_number + 1
                except ValueError as exc:
                    raise _damaged() from exc
                if not 1 <= self.row_number <= EXCEL_ROWS:
                    raise _damaged()
                self.row, self.column = {}, 0
        elif name == "v":
            self.collecting = self.cell_type != "inlineStr"
        elif name == "is":
            self.inline = True
        elif name == "t":
            self.collecting = self.inline and not self.phonetic
        elif name == "rPh":  # the reading guide of East Asian text, not part of the value
            self.phonetic += 1

    def _characters(self, data: str) -> None:
        if self.collecting:
            self.length += len(data)
            if self.length > EXCEL_CELL_CHARS:
                raise _cell_too_long()
            self.parts.append(data)

    def _end(self, name: str) -> None:
        self.depth -= 1
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            self.in_cell = self.collecting = False
            if self.parts or self.inline:
                value = self.value()
                if value is not None and value != "":
                    if self.column > MAX_COLUMNS:
                        raise FileRefused(
                            _("The sheet has values beyond column %(column)s: an import reads at "
                              "most %(limit)s columns. Delete the columns to the right of the "
                              "data.") % {"column": _column_letters(MAX_COLUMNS), "limit": MAX_COLUMNS}
                        )
                    self.row[self.column] = value
        elif name == "v" or name == "t":
            self.collecting = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "row":
            if self.row:
                cells: list = [None] * max(self.row)
                for column, value in self.row.items():
                    cells[column - 1] = value
                self.ready.append((self.row_number, cells))
                self.row = {}
        elif name == "sheetData":
            raise _Done  # what follows (merged cells, print settings...) is not needed

    def value(self):
        """The cell's value as openpyxl reads it with data_only=True, made ready for the
        schemas: text stripped, whole floats as ints, date-times as dates."""
        text = self.parts[0] if len(self.parts) == 1 else "".join(self.parts)
        kind = self.cell_type
        if kind == "inlineStr" or kind == "str" or kind == "e":
            return text.strip()
        if not text:
            return None
        try:
            if kind == "s":
                return self.strings[int(text)].strip()
            if kind == "b":
                return bool(int(text))
            if kind == "d":
                return _plain(from_ISO8601(text))
            number = _number(text)
        except (ValueError, IndexError) as exc:
            raise _damaged() from exc
        if self.cell_style in self.dates:
            try:
                return _plain(from_excel(number, self.epoch, timedelta=self.cell_style in self.durations))
            except (OverflowError, ValueError):
                return "#VALUE!"
        if isinstance(number, float) and number.is_integer():
            return int(number)
        return number


def _plain(value):
    """A date-time cell as the date the schemas read (times and durations stay as they are)."""
    return value.date() if isinstance(value, datetime.datetime) else value


@dataclass
class Workbook:
    """What the first sheet needs: its name, whether others follow, and its rows."""

    sheet_name: str
    more_sheets: bool
    rows: Iterator[tuple[int, list]]


def open_workbook(source: BinaryIO, size: int, cost: ReadCost, limits: Limits | None = None) -> Workbook:
    """Open the workbook and read what the first sheet depends on; its rows come lazily.

    The caller has checked that the file is a ZIP with xl/workbook.xml; `rows` yields
    (row number, cells) for each row with a value and closes the archive at its end.
    """
    limits = limits or LIMITS
    if zip_entries(source, size) > limits.entries:
        raise FileRefused(
            _("The Excel workbook has more than %(limit)s parts; a real one has far fewer.")
            % {"limit": number_format(limits.entries, force_grouping=True)}
        )
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _damaged() from exc
    try:
        return _open(archive, cost, limits)
    except BaseException:
        archive.close()
        raise


def _open(archive: zipfile.ZipFile, cost: ReadCost, limits: Limits) -> Workbook:
    def part(name: str) -> zipfile.ZipInfo | None:
        try:
            return archive.getinfo(name)
        except KeyError:
            return None

    if part("xl/workbook.xml") is None:
        raise FileRefused(_("This file is named .xlsx but is not an Excel workbook."))

    def parse(parser: _Parser, name: str, limit: int) -> None:
        info = part(name)
        if info is not None:
            parser.parse(archive, info, limit)

    relationships = _Relationships(cost, limits, "xl")
    parse(relationships, "xl/_rels/workbook.xml.rels", limits.part_bytes)
    workbook = _Workbook(cost, limits, relationships.found)
    parse(workbook, "xl/workbook.xml", limits.part_bytes)
    if workbook.first is None or part(workbook.first[1]) is None:
        raise _damaged()
    sheet_name, sheet_path = workbook.first
    by_type: dict[str, str] = {}
    for kind, path in relationships.found.values():
        by_type.setdefault(kind, path)

    styles = _Styles(cost, limits)
    parse(styles, by_type.get("styles", "xl/styles.xml"), limits.part_bytes)
    dates, durations = styles.kinds()
    strings = SharedStrings(cost, limits)
    parse(strings, by_type.get("sharedStrings", "xl/sharedStrings.xml"), limits.strings_part_bytes)

    sheet = _Sheet(cost, limits, strings, dates, durations, workbook.epoch)
    info = part(sheet_path)
    assert info is not None
    return Workbook(
        sheet_name=sheet_name, more_sheets=workbook.sheets > 1,
        rows=_rows(archive, sheet, info, limits.sheet_bytes),
    )


def _rows(
    archive: zipfile.ZipFile, sheet: _Sheet, info: zipfile.ZipInfo, limit: int
) -> Iterator[tuple[int, list]]:
    try:
        for _step in sheet.chunks(archive, info, limit):
            yield from sheet.ready
            sheet.ready.clear()
    finally:
        archive.close()

