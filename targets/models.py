"""Quotas (chỉ tiêu) that the city federation assigns for a year."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import Federation
from unionboard.access import ScopedQuerySet


class Metric(models.TextChoices):
    NEW_MEMBERS = "new_members", _("New members")
    NEW_UNIONS = "new_unions", _("New grassroots unions")


class QuotaQuerySet(ScopedQuerySet["Quota"]):
    federation_paths = ("federation_id",)


class Quota(models.Model):
    """The number (chỉ tiêu) a federation must reach for one metric in one year."""

    federation = models.ForeignKey(
        Federation, on_delete=models.PROTECT, related_name="quotas", verbose_name=_("federation")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    metric = models.CharField(_("metric"), max_length=12, choices=Metric.choices)
    target = models.PositiveIntegerField(_("target"))

    history = HistoricalRecords()
    objects = QuotaQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "federation__name_sort", "metric"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "year", "metric"], name="quota_unique_per_year",
                violation_error_message=_("This federation already has that quota for the year."),
            ),
            models.CheckConstraint(
                condition=Q(target__gt=0), name="quota_target_positive",
                violation_error_message=_("The target must be a positive whole number."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="quota_year_sane"
            ),
            models.CheckConstraint(condition=Q(metric__in=Metric.values), name="quota_metric_valid"),
        ]
        indexes = [models.Index(fields=["year", "metric"], name="quota_year_metric_idx")]

    def __str__(self) -> str:
        return f"{self.federation} {self.year} {self.get_metric_display()}: {self.target}"
