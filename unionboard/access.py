"""The one scoping door: which rows a user may read or change, and the view helpers on it.

Every model a user can reach has a `ScopedQuerySet` manager naming the paths from its
rows to the federation(s) they belong to. `visible_to(user)` is what the user may read,
`editable_by(user)` what they may change, `in_league(user)` what the league table may
show them. Views answer 404 outside what a user sees and 403 to read-only users.
"""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from unionboard import roles

M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[M]):
    """A queryset that knows which federation each row belongs to."""

    # Lookups from a row to the id of a federation it belongs to; a row is in a user's
    # scope when any of them is one of the user's federations (a transfer has two sides).
    federation_paths: tuple[str, ...] = ()

    def _in_federations(self, ids: list[int]) -> Self:
        if not ids:
            return self.none()
        condition = Q()
        for path in self.federation_paths:
            condition |= Q(**{f"{path}__in": ids})
        return self.filter(condition)

    def visible_to(self, user: Any) -> Self:
        """What the user may read: everything for city-wide readers, else their federations'."""
        if roles.is_city_wide(user):
            return self.all()
        return self._in_federations(roles.officer_federation_ids(user))

    def editable_by(self, user: Any) -> Self:
        """What the user may change: their own federations' rows (superusers: all)."""
        if user.is_authenticated and user.is_superuser:
            return self.all()
        return self._in_federations(roles.officer_federation_ids(user))

    def in_league(self, user: Any) -> Self:
        """What the league table shows: every row, for any user with a role.

        The rankings show every federation's totals to officers as well (names, figures and
        ranks, never another district's unions or members).
        """
        return self.all() if roles.has_role(user) else self.none()


def require_editor(user: Any) -> None:
    """City staff and users without a role read only: recording is for officers (and superusers)."""
    if not roles.can_edit_records(user):
        raise PermissionDenied(_("Only the federation's officers record unions and members."))


def object_to_edit(visible: QuerySet[M], editable: QuerySet[M], **lookup: Any) -> M:
    """The object if the user may change it; 404 if they cannot even see it, 403 if read-only."""
    obj = get_object_or_404(visible, **lookup)
    if not editable.filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may read this record but not change it."))
    return obj
