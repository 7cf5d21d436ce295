"""Writes of quotas (chỉ tiêu), reported figures (báo cáo) and union ratings (xếp loại).

The admin, the demo loader, the officers' report form and (through the same field rules)
the imports write this way; every change is kept in the row's history with who made it
(and, for a quota, why).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Federation, GrassrootsUnion
from targets.models import (
    REASON_MAX_LENGTH,
    REASON_REQUIRED,
    Cluster,
    ClusterMembership,
    Indicator,
    Quota,
    Report,
    UnionRating,
)


@transaction.atomic
def quota_set(
    *, federation: Federation, year: int, metric: str, reason: str, target: int | None = None,
    rate: Decimal | None = None, weight: Decimal | None = None, user: AbstractBaseUser | None = None,
) -> Quota:
    """Set the target (or the rate per union) of `federation` for `year` and indicator `metric`.

    A quota is known by its federation, year and indicator (one a year and indicator); the
    row is locked while it changes, so two administrators' edits are kept one after the
    other in the history rather than one silently lost. Unchanged quotas write nothing.
    An unknown indicator is refused like any other bad field. Every write says why
    (`reason`, kept in the history beside the user and the time): an empty reason is
    refused and nothing is written.
    """
    reason = " ".join(reason.split())[:REASON_MAX_LENGTH]
    if not Indicator.objects.filter(code=metric).exists():
        raise ValidationError({"metric": _("Unknown indicator: %(code)s") % {"code": metric}})
    quota = (
        Quota.objects.select_for_update()
        .filter(federation=federation, year=year, metric__code=metric)
        .first()
    ) or Quota(federation=federation, year=year, metric_id=metric)
    weight = quota.weight if weight is None else weight
    if quota.pk is not None and (quota.target, quota.rate, quota.weight) == (target, rate, weight):
        return quota
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    quota.target, quota.rate, quota.weight = target, rate, weight
    quota.full_clean()
    if user is not None:
        quota._history_user = user  # type: ignore[attr-defined]  # simple-history reads it
    quota._change_reason = reason  # type: ignore[attr-defined]  # simple-history reads it
    quota.save()
    return quota


@dataclass(frozen=True)
class ReportWritten:
    report: Report
    previous_value: int | None  # the latest earlier report of the same year, if any
    changed: bool

    @property
    def went_down(self) -> bool:
        return self.previous_value is not None and self.report.value < self.previous_value


def report_build(*, federation: Federation, indicator: Indicator, as_of: datetime.date, value: int,
                 year: int | None = None) -> Report:
    """The report as it would be written, checked by the model's rules (nothing saved)."""
    report = (
        Report.objects.filter(federation=federation, indicator=indicator, as_of=as_of).first()
        or Report(federation=federation, indicator=indicator, as_of=as_of)
    )
    report.value = value
    report.full_clean()
    if year is not None:
        report.check_year(year)
    return report


def previous_report(report: Report) -> Report | None:
    """The latest report of the same federation and indicator dated earlier in the same year."""
    return (
        Report.objects.filter(
            federation_id=report.federation_id, indicator_id=report.indicator_id,
            as_of__year=report.as_of.year, as_of__lt=report.as_of,
        ).order_by("-as_of").first()
    )


@transaction.atomic
def report_set(
    *, federation: Federation, indicator: Indicator, as_of: datetime.date, value: int,
    year: int | None = None, user: AbstractBaseUser | None = None,
) -> ReportWritten:
    """Record `federation`'s year-to-date `value` of `indicator` as of a date.

    One report per federation, indicator and date: a second entry on the same date replaces
    the value and the history keeps both. A figure lower than the previous report of the same
    year is allowed (a correction) and said so to the caller.
    """
    report = report_build(federation=federation, indicator=indicator, as_of=as_of, value=value, year=year)
    before = previous_report(report)
    previous_value = before.value if before is not None else None
    if report.pk is not None:
        stored = Report.objects.select_for_update().get(pk=report.pk)
        if stored.value == value:
            return ReportWritten(stored, previous_value, changed=False)
    report.entered_by = user if user is not None and user.is_authenticated else None  # type: ignore[assignment]
    report.entered_at = timezone.now()
    if user is not None:
        report._history_user = user  # type: ignore[attr-defined]
    report.save()
    return ReportWritten(report, previous_value, changed=True)


@transaction.atomic
def rating_set(
    *, union: GrassrootsUnion, year: int, grade: str, user: AbstractBaseUser | None = None
) -> UnionRating:
    """Grade a grassroots union for a year (one grade a year; a new one replaces it, kept in history)."""
    rating = (
        UnionRating.objects.select_for_update().filter(union=union, year=year).first()
        or UnionRating(union=union, year=year)
    )
    if rating.pk is not None and rating.grade == grade:
        return rating
    rating.grade = grade
    rating.full_clean()
    if user is not None:
        rating._history_user = user  # type: ignore[attr-defined]
    rating.save()
    return rating


@transaction.atomic
def cluster_set(
    *, name: str, year: int, members: list[Federation], leader: Federation | None,
    user: AbstractBaseUser | None = None, reason: str = "",
) -> Cluster:
    """Create or update the cluster `name` of `year` with these members (added to the stored
    ones) and leader, after the cluster's rules (one cluster a year per federation, the
    leader a member); raises ValidationError and writes nothing when one is broken."""
    cluster = Cluster.objects.filter(name=name, year=year).first() or Cluster(name=name, year=year)
    cluster.leader = leader
    ids = {federation.pk for federation in members} | cluster.member_ids()
    cluster.members_checked_elsewhere = True
    cluster.full_clean()
    cluster.check_members(ids)
    cluster.check_leader(ids)
    cluster._history_user = user  # type: ignore[attr-defined]
    cluster._change_reason = reason  # type: ignore[attr-defined]
    cluster.save()
    stored = cluster.member_ids()
    for federation in members:
        if federation.pk not in stored:
            membership = ClusterMembership(cluster=cluster, federation=federation)
            membership._history_user = user  # type: ignore[attr-defined]
            membership._change_reason = reason  # type: ignore[attr-defined]
            membership.save()
    return cluster
