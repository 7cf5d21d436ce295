"""Paginators that never count a million rows on every page."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django_tables2.paginators import LazyPaginator
from django_tables2.rows import BoundRows

# Past this many rows a list says "more than N" and stops counting.
COUNT_CAP = 100_000


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
