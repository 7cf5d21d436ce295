"""Paginators that never count a million rows on every page, and paging that a query string
cannot turn against the server."""

from __future__ import annotations

import math
import re

from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django_tables2 import RequestConfig, Table
from django_tables2.paginators import LazyPaginator
from django_tables2.rows import BoundRows

# Past this many rows a list says "more than N" and stops counting.
COUNT_CAP = 100_000
# A page holds at most this many rows, whatever ?per_page= asks: ?per_page=100000 on the
# members list held a worker until it was killed, with about 1 GB.
MAX_PER_PAGE = 100
# Pages reach this many rows deep; past that, the filters narrow a list. It bounds the OFFSET
# a query can be asked for (10^30 overflowed the databases' integers: a 500).
MAX_ROWS_DEEP = 1_000_000
_WHOLE_NUMBER = re.compile(r"\s*([+-]?)(\d+)\s*")


class BoundedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows (a LIMITed subquery), so the cost of a page is bounded.

    Used by the admin members changelist: pages up to the cap are reachable, and the
    filters and search narrow anything larger.
    """

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if hasattr(object_list, "values") and hasattr(object_list, "query"):
            return object_list.order_by().values("pk")[:COUNT_CAP].count()
        return len(object_list)


class _KeysFirstRows:
    """A table's rows, sliced by primary key first, then fetched with their joins."""

    def __init__(self, rows: BoundRows):
        self.rows = rows

    def __getitem__(self, window: slice) -> BoundRows:
        queryset = self.rows.data.data  # BoundRows → TableQuerysetData → the ordered queryset
        keys = list(queryset.values_list("pk", flat=True)[window])
        records = queryset.in_bulk(keys)
        return BoundRows(
            data=[records[key] for key in keys if key in records],
            table=self.rows.table,
            pinned_data=self.rows.pinned_data,
        )


class KeysFirstLazyPaginator(LazyPaginator):
    """LazyPaginator for a table of a large queryset: a deep page stays cheap.

    An OFFSET of 100.000 rows costs 100.000 joins when the page's query joins; walking
    the ordering's index for keys alone costs a fraction of that. So a page reads its
    primary keys first (ordered, offset, limited), then those rows with their joins.
    """

    def page(self, number):
        rows = self.object_list
        if not isinstance(getattr(getattr(rows, "data", None), "data", None), QuerySet):
            return super().page(number)
        self.object_list = _KeysFirstRows(rows)
        try:
            return super().page(number)
        finally:
            self.object_list = rows

    def nearest_page(self, number: int) -> int:
        """The last page, for a `number` past the end: counts the rows before that page, at most."""
        rows = self.object_list
        queryset = getattr(getattr(rows, "data", None), "data", None)
        skipped = (number - 1) * self.per_page
        if isinstance(queryset, QuerySet):
            present = queryset.order_by().values("pk")[:skipped].count()
        else:
            present = min(len(rows), skipped)
        return max(1, math.ceil(present / self.per_page))


def _whole_number(value: str | None) -> int | None:
    """A query parameter as a whole number (10^30 included, as a big one), or None."""
    match = _WHOLE_NUMBER.fullmatch(value or "")
    if match is None:
        return None
    sign, digits = match.groups()
    number = int(digits) if len(digits) <= 18 else 10**18  # past any page: the nearest is the last
    return -number if sign == "-" else number


class BoundedRequestConfig(RequestConfig):
    """RequestConfig for every paged table: the page size and page number from the query are bounded.

    `?per_page=` is at most MAX_PER_PAGE (the view's default when it is not a positive number);
    a page number that is not a page (text, 0, negative, past the end, 10^30) answers with the
    nearest page, the first or the last, never an error. Sorting is django-tables2's own: a
    column it does not know is ignored.
    """

    def configure(self, table: Table) -> Table:
        request = self.request
        table.request = request
        order_by = request.GET.getlist(table.prefixed_order_by_field)
        if order_by:
            table.order_by = order_by
        if not self.paginate:
            return table
        options = dict(self.paginate) if hasattr(self.paginate, "items") else {}
        options.pop("silent", None)
        default = min(options.pop("per_page", 25), MAX_PER_PAGE)
        asked = _whole_number(request.GET.get(table.prefixed_per_page_field))
        per_page = default if asked is None or asked < 1 else min(asked, MAX_PER_PAGE)
        page = min(max(_whole_number(request.GET.get(table.prefixed_page_field)) or 1, 1),
                   MAX_ROWS_DEEP // per_page + 1)
        try:
            table.paginate(page=page, per_page=per_page, **options)
        except EmptyPage:
            paginator = table.paginator
            last = paginator.nearest_page(page) if isinstance(paginator, KeysFirstLazyPaginator) else (
                paginator.num_pages
            )
            table.page = paginator.page(last)
        return table
