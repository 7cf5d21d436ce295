"""Sortable, paged HTML tables, drawn row by row in Python.

The dashboards and lists draw a few hundred cells per page, and these pages are computed
again after every write. A general table library resolves each cell through accessors,
inspects its render function's signature and rebuilds the cell's attributes, cell by
cell: that was most of a fresh rankings page. Here a column is a header, a function from
a row to its cell, the fields it sorts by and its cell's class; a page of rows is drawn
with one `format_html` per cell. Header and pagination are `includes/table.html`.

A table sorts by `?sort=name` / `?sort=-name` (one column, both ways) and pages by
`?page=N`, both behind an optional prefix when a page holds two tables. A queryset is
sorted and paged by the database; a list (the league's rows) in Python. The page size is
the table's own (`per_page`, at most MAX_PER_PAGE), never the query's; a page number that
is no page (text, 0, negative, past the end, 10^30) shows the nearest page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, ClassVar

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.formats import date_format, localize
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from unionboard.paginators import LIST_COUNT_BOUND, bounded_count

# What an empty cell shows (a missing date, a federation without a rank).
EMPTY = "—"
# Page links shown around the current page before the rest is elided.
PAGE_RANGE = 10
# A page holds at most this many rows (a list of 100.000 members on one page held a worker
# until it was killed, with about 1 GB).
MAX_PER_PAGE = 100
# Pages reach this many rows deep; past that, the filters narrow a list. It bounds the OFFSET
# a query can be asked for: ?page=10^30 overflowed the databases' integers (a 500).
MAX_ROWS_DEEP = 1_000_000
_PAGE_NUMBER = re.compile(r"\s*([+-]?)(\d+)\s*")


@dataclass(frozen=True)
class Column:
    """One column: its header, its cell, what it sorts by and its cells' class.

    `cell` is a function of the row, or the name of a method of the table (for a cell that
    depends on the table, such as which rows the user may open). It returns the content:
    escaped unless marked safe, localized if a number or a date, the dash if None or "".
    `order_by` holds the queryset fields (or, for a list, the attribute paths) the column
    sorts by; by default the column's own name. Descending reverses each of them.
    """

    header: str | Promise
    cell: Callable[[Any], Any] | str
    order_by: tuple[str, ...] = ()
    td_class: str = ""
    # Write the header into each cell's data-label: card layouts show it beside the figure.
    label_cells: bool = False


@dataclass(frozen=True)
class Header:
    label: str | Promise
    href: str
    css_class: str
    aria_sort: str = ""  # "ascending" or "descending" on the column the rows are sorted by
    arrow: str = ""  # ▲ or ▼ beside that column's label


@dataclass(frozen=True)
class PageLink:
    label: int | str
    href: str | None  # None: an elided run of pages, not a link
    current: bool = False


def day(value) -> str | None:
    """A date as the locale writes it short (31/10/2020 in Vietnamese)."""
    return date_format(value, "SHORT_DATE_FORMAT") if value else None


def link(href: str, text: Any) -> SafeString:
    return format_html('<a href="{}">{}</a>', href, text)


def _content(value: Any) -> Any:
    if value is None or value == "":
        return EMPTY
    return value if isinstance(value, SafeString) else localize(value)


def _td(column: Column) -> SafeString:
    """A column's opening cell tag, the same on every row."""
    attrs = format_html(' class="{}"', column.td_class) if column.td_class else SafeString("")
    if column.label_cells:
        attrs = format_html('{} data-label="{}"', attrs, column.header)
    return format_html("<td{}>", attrs)


def _descending(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"


def _sort_key(paths: Sequence[str]) -> Callable[[Any], tuple]:
    """A key for Python's sort by these attribute paths; None sorts before any value."""
    getters = [attrgetter(path.replace("__", ".")) for path in paths]

    def key(row: Any) -> tuple:
        return tuple((value is not None, value) for value in (get(row) for get in getters))

    return key


class Table:
    """A sortable, paged table of `rows` (a queryset or a list) for this request.

    Subclasses name their `columns` (name → Column, in display order; the name is what
    `?sort=` takes), `empty_text`, and may set `css_class`, `per_page`, `default_sort`
    and `keys_first`.
    """

    columns: ClassVar[dict[str, Column]]
    empty_text: ClassVar[str | Promise]
    css_class: ClassVar[str] = "table table-sm table-hover align-middle"
    per_page: ClassVar[int] = 50
    default_sort: ClassVar[str] = ""  # e.g. "-admitted_on"; "" keeps the rows' own order
    # Page a large queryset without counting it, reading each page's primary keys first:
    # an OFFSET of 100.000 rows walks the ordering's index for keys alone, instead of
    # joining 100.000 rows to skip them; then the page's rows are read with their joins.
    keys_first: ClassVar[bool] = False
    # How many rows the list holds: "44 đoàn viên" (an ngettext_lazy choosing its form by
    # %(number)s, showing %(count)s), and past the count's bound "hơn 10.000 đoàn viên" (%(bound)s).
    count_words: ClassVar[Any] = None
    count_bound: ClassVar[int] = LIST_COUNT_BOUND  # keys_first tables count this far, no further
    count_over_words: ClassVar[str | Promise] = ""

    def __init__(self, rows: QuerySet | Sequence[Any], request: HttpRequest, *, prefix: str = ""):
        self.request = request
        self.sort_field = f"{prefix}sort"
        self.page_field = f"{prefix}page"
        self.sort = self._requested_sort()
        rows = self._sorted(rows)
        number = self._requested_page()
        if self.keys_first:
            assert isinstance(rows, QuerySet), "keys_first pages a queryset"
            # At most LIST_COUNT_BOUND + 1 keys are counted: the count is exact below the
            # bound, and then so is the last page. Above it the count stops and the last page
            # stays unknown: the list offers the next page and no link to the last one, which
            # only a count of the whole table (700.000 members city-wide) could place.
            self.count, self.count_exact = bounded_count(rows, self.count_bound)
            self.rows, self.number, self.num_pages, self.last_known = self._keys_first_page(rows, number)
        else:
            paginator = Paginator(rows, self.per_page)
            page = paginator.page(min(number, paginator.num_pages))  # past the end: the last page
            self.rows, self.number = list(page.object_list), page.number
            self.num_pages, self.last_known = paginator.num_pages, True
            self.count, self.count_exact = paginator.count, True

    # -- sorting ------------------------------------------------------------------------

    def _requested_sort(self) -> str:
        """The ?sort= column if the table has it, else the default."""
        sort = self.request.GET.get(self.sort_field, "")
        return sort if sort.removeprefix("-") in self.columns else self.default_sort

    def kept_sort(self) -> tuple[str, str] | None:
        """(field, value) of a sort asked for, for a filter form to carry along; None if none was."""
        sort = self.request.GET.get(self.sort_field, "")
        return (self.sort_field, sort) if sort and sort == self.sort else None

    def _sorted(self, rows: QuerySet | Sequence[Any]) -> QuerySet | list[Any]:
        if not self.sort:
            return rows if isinstance(rows, QuerySet) else list(rows)
        name = self.sort.removeprefix("-")
        descending = self.sort.startswith("-")
        fields = self.columns[name].order_by or (name,)
        if isinstance(rows, QuerySet):
            # Ties are broken by the primary key: without a total order, a row on the edge of
            # two pages could be shown on both, or on neither.
            if not {"pk", "id"} & {field.removeprefix("-") for field in fields}:
                fields = (*fields, "pk")
            return rows.order_by(*(_descending(field) if descending else field for field in fields))
        # Python's sort is stable, both ways: equal rows keep the order they came in.
        return sorted(rows, key=_sort_key(fields), reverse=descending)

    # -- paging -------------------------------------------------------------------------

    def _requested_page(self) -> int:
        """?page= as a page number from 1 to the deepest page allowed; 1 when it is no number."""
        match = _PAGE_NUMBER.fullmatch(self.request.GET.get(self.page_field, ""))
        if match is None or match.group(1) == "-":
            return 1
        deepest = MAX_ROWS_DEEP // self.per_page + 1
        digits = match.group(2)
        # int() of thousands of digits raises; such a number is past any page anyway
        return max(min(int(digits), deepest), 1) if len(digits) <= 18 else deepest

    def _keys_first_page(self, rows: QuerySet, number: int) -> tuple[list[Any], int, int, bool]:
        """(rows, number, pages known so far, whether the last page is known), uncounted.

        One row past the page tells whether there is a next page. A page past the end shows
        the last one: the rows before the page asked for are counted, no further.
        """
        if self.count_exact:  # the rows are counted: the last page is known, nothing past it
            last = max(math.ceil(self.count / self.per_page), 1)
            number = min(number, last)
            start = (number - 1) * self.per_page
            keys = list(rows.values_list("pk", flat=True)[start : start + self.per_page])
            records = rows.in_bulk(keys)
            return [records[key] for key in keys if key in records], number, last, True
        start = (number - 1) * self.per_page
        keys = list(rows.values_list("pk", flat=True)[start : start + self.per_page + 1])
        if not keys and number > 1:
            present = rows.order_by().values("pk")[:start].count()
            number = max(math.ceil(present / self.per_page), 1)
            start = (number - 1) * self.per_page
            keys = list(rows.values_list("pk", flat=True)[start : start + self.per_page + 1])
        has_next = len(keys) > self.per_page
        keys = keys[: self.per_page]
        records = rows.in_bulk(keys)
        page = [records[key] for key in keys if key in records]
        return page, number, number + 1 if has_next else number, not has_next

    def _href(self, field: str, value: Any) -> str:
        query = self.request.GET.copy()
        query[field] = value
        return f"?{query.urlencode()}"

    def pages(self) -> list[PageLink]:
        """Links to the first, the last and up to PAGE_RANGE pages around this one."""
        if self.num_pages <= 1:
            return []
        if self.num_pages <= PAGE_RANGE:
            numbers: list[int | None] = list(range(1, self.num_pages + 1))
        else:
            start = min(max(self.number - PAGE_RANGE // 2, 1), self.num_pages - PAGE_RANGE + 1)
            numbers = list(range(start, start + PAGE_RANGE))
            if numbers[0] != 1:
                numbers[:2] = [1, None]
            if numbers[-1] != self.num_pages:
                numbers[-2:] = [None, self.num_pages]
            if not self.last_known:
                numbers.append(None)  # more pages follow, how many is not counted
        return [
            PageLink("...", None) if number is None
            else PageLink(number, self._href(self.page_field, number), number == self.number)
            for number in numbers
        ]

    def count_text(self) -> str:
        """How many rows the list holds, as the page says it: "44 đoàn viên", "hơn 10.000 đoàn viên"."""
        if self.count_words is None:
            return ""
        if not self.count_exact:
            return self.count_over_words % {"bound": localize(self.count)}
        return self.count_words % {"number": self.count, "count": localize(self.count)}

    def last_href(self) -> str | None:
        """The last page, when it is known and is not this one."""
        if not self.last_known or self.number >= self.num_pages:
            return None
        return self._href(self.page_field, self.num_pages)

    def previous_href(self) -> str | None:
        return self._href(self.page_field, self.number - 1) if self.number > 1 else None

    def next_href(self) -> str | None:
        return self._href(self.page_field, self.number + 1) if self.number < self.num_pages else None

    # -- drawing ------------------------------------------------------------------------

    def _sort_href(self, value: str) -> str:
        """A link to the rows sorted by `value`, with the filters kept, from the first page."""
        query = self.request.GET.copy()
        query[self.sort_field] = value
        query.pop(self.page_field, None)
        return f"?{query.urlencode()}"

    def headers(self) -> list[Header]:
        """Each header links to its column sorted ascending, or descending if it already is.

        The sorted column says which way (▲ ascending, ▼ descending), to the eye and, with
        aria-sort, to a screen reader.
        """
        headers = []
        for name, column in self.columns.items():
            if self.sort == name:
                header = Header(column.header, self._sort_href(f"-{name}"), "asc orderable", "ascending", "▲")
            elif self.sort == f"-{name}":
                header = Header(column.header, self._sort_href(name), "desc orderable", "descending", "▼")
            else:
                header = Header(column.header, self._sort_href(name), "orderable")
            headers.append(header)
        return headers

    def body(self) -> SafeString:
        """The page's rows, or one row saying there are none."""
        columns = list(self.columns.values())
        if not self.rows:
            return format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), self.empty_text)
        cells = [getattr(self, c.cell) if isinstance(c.cell, str) else c.cell for c in columns]
        tds = [_td(c) for c in columns]
        rows = []
        for n, row in enumerate(self.rows):
            contents = [_content(cell(row)) for cell in cells]
            drawn = format_html_join("", "{}{}</td>", zip(tds, contents, strict=True))
            rows.append(format_html('<tr class="{}">{}</tr>', "odd" if n % 2 else "even", drawn))
        return SafeString("\n".join(rows))
