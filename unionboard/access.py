"""View helpers for the one scoping door: 404 outside what a user sees, 403 for read-only users."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from unionboard import roles


def require_editor(user) -> None:
    """City staff and users without a role read only: recording is for officers (and superusers)."""
    if not roles.can_edit_records(user):
        raise PermissionDenied(_("Only the federation's officers record unions and members."))


def object_to_edit(visible: QuerySet, editable: QuerySet, **lookup):
    """The object if the user may change it; 404 if they cannot even see it, 403 if read-only."""
    obj = get_object_or_404(visible, **lookup)
    if not editable.filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may read this record but not change it."))
    return obj
