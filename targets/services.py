"""Writes of quotas (chỉ tiêu): one function sets a federation's target for a year and metric.

The admin, the demo loader and (through the same field rules) the quota import write quotas
this way; every change is kept in the quota's history with who made it.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from branches.models import Federation
from targets.models import Quota


@transaction.atomic
def quota_set(
    *, federation: Federation, year: int, metric: str, target: int, user: AbstractBaseUser | None = None
) -> Quota:
    """Set the target of `federation` for `year` and `metric`: create the quota or change it.

    A quota is known by its federation, year and metric (one a year and metric); the row
    is locked while it changes, so two administrators' edits are kept one after the
    other in the history rather than one silently lost. Unchanged targets write nothing.
    """
    quota = (
        Quota.objects.select_for_update()
        .filter(federation=federation, year=year, metric=metric)
        .first()
    ) or Quota(federation=federation, year=year, metric=metric)
    if quota.pk is not None and quota.target == target:
        return quota
    quota.target = target
    quota.full_clean()
    if user is not None:
        quota._history_user = user  # type: ignore[attr-defined]  # simple-history reads it
    quota.save()
    return quota
