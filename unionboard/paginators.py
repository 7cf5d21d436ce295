"""Paginators that never count a million rows on every page."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

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
        if isinstance(object_list, QuerySet):
            return object_list.order_by().values("pk")[:COUNT_CAP].count()
        return len(object_list)


# The lists show how many rows they hold up to this many; past it, "more than 10.000".
LIST_COUNT_BOUND = 10_000


def bounded_count(queryset: QuerySet, bound: int = LIST_COUNT_BOUND) -> tuple[int, bool]:
    """(rows counted, whether that is all of them), reading at most bound + 1 keys.

    One LIMITed query: `SELECT COUNT(*) FROM (SELECT id ... LIMIT bound + 1)`, an index walk
    that stops after bound + 1 rows however large the table, where a plain COUNT(*) of a
    city's 700.000 members reads them all on every page.
    """
    counted = queryset.order_by().values("pk")[: bound + 1].count()
    return (bound, False) if counted > bound else (counted, True)
