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
