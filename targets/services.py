"""Writes of quotas (chỉ tiêu): one function sets a federation's target for a year and metric.

The admin, the demo loader and (through the same field rules) the quota import write quotas
this way; every change is kept in the quota's history with who made it and why.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from branches.models import Federation
from targets.models import REASON_MAX_LENGTH, REASON_REQUIRED, Quota


@transaction.atomic
def quota_set(
    *, federation: Federation, year: int, metric: str, target: int, reason: str,
    user: AbstractBaseUser | None = None,
) -> Quota:
    """Set the target of `federation` for `year` and `metric`: create the quota or change it.

    A quota is known by its federation, year and metric (one a year and metric); the row
    is locked while it changes, so two administrators' edits are kept one after the
    other in the history rather than one silently lost. Unchanged targets write nothing.
    Every write says why (`reason`, kept in the history beside the user and the time): an
    empty reason is refused and nothing is written.
    """
    reason = " ".join(reason.split())[:REASON_MAX_LENGTH]
    quota = (
        Quota.objects.select_for_update()
        .filter(federation=federation, year=year, metric=metric)
        .first()
    ) or Quota(federation=federation, year=year, metric=metric)
    if quota.pk is not None and quota.target == target:
        return quota
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    quota.target = target
    quota.full_clean()
    if user is not None:
        quota._history_user = user  # type: ignore[attr-defined]  # simple-history reads it
    quota._change_reason = reason  # type: ignore[attr-defined]  # simple-history reads it
    quota.save()
    return quota
