"""Writes of grassroots unions: founding and the life events, each in one transaction.

Forms, the admin, the importer and the demo loader record a union through these functions
(or, for a whole file, through the same rules: `GrassrootsUnion.clean` and
`status_change_errors`), so a rule is written once and holds wherever a union is written.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from branches.models import STATUS_CHANGES, GrassrootsUnion
from unionboard.rules import RuleErrors

CHANGE_NOT_POSSIBLE = _("This union is %(status)s: that change is not possible.")
BEFORE_LAST_CHANGE = _("The date cannot precede the union's last change of status.")


def status_change_errors(
    *, before: GrassrootsUnion, status: str, on: datetime.date | None
) -> RuleErrors:
    """What is wrong with moving a union from its stored status to `status` on `on`.

    A dissolved union is never reactivated, a union is suspended only when active and
    reactivated only when suspended; and a change is not dated before the one it follows,
    or the record would say the union was, say, dissolved before it was suspended.
    `before` is the union as stored (a form's instance before its new values, a locked row).
    """
    errors = RuleErrors()
    if status == before.status:
        return errors
    if status not in STATUS_CHANGES[before.status]:
        errors.add("status", CHANGE_NOT_POSSIBLE, status=before.get_status_display().lower())
    if on is not None and before.status_on is not None and on < before.status_on:
        errors.add("status_on", BEFORE_LAST_CHANGE)
    return errors


def _as_recorded_by(union: GrassrootsUnion, user: AbstractBaseUser | None) -> None:
    if user is not None:
        union._history_user = user  # type: ignore[attr-defined]  # simple-history reads it


@transaction.atomic
def union_found(*, union: GrassrootsUnion, user: AbstractBaseUser | None = None) -> GrassrootsUnion:
    """Record the founding (thành lập) of `union`, unsaved, as a form or the admin built it.

    Every rule of the model runs (dates, the code being free); the founding is credited to
    the union's federation for good (GrassrootsUnion.fill_keys).
    """
    union.fill_keys()
    union.full_clean()
    _as_recorded_by(union, user)
    union.save()
    return union


@transaction.atomic
def union_set_status(
    *, union: GrassrootsUnion, status: str, on: datetime.date, user: AbstractBaseUser | None = None
) -> GrassrootsUnion:
    """Suspend, reactivate or dissolve a union on a date; the founding credit and the members stay.

    The row is locked and the change checked against the status stored now, not the one
    the caller's form was drawn from: two officers dissolving and reactivating the same
    union at once cannot both succeed. `union` is updated to what was written.
    """
    locked = GrassrootsUnion.objects.select_for_update().get(pk=union.pk)
    errors = status_change_errors(before=locked, status=status, on=on)
    if status == locked.status:  # an event changes the status; a new date alone is a correction
        errors.add("status", CHANGE_NOT_POSSIBLE, status=locked.get_status_display().lower())
    locked.status, locked.status_on = status, on
    try:
        locked.full_clean()
    except ValidationError as exc:
        for field, messages in exc.error_dict.items():
            errors.by_field.setdefault(field, []).extend(messages)
    errors.raise_if_any()
    _as_recorded_by(locked, user)
    locked.save()
    union.status, union.status_on = locked.status, locked.status_on
    return union
