"""Quotas (chỉ tiêu) that the city federation assigns for a year."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import localize
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import Federation
from unionboard.access import ScopedQuerySet


class Metric(models.TextChoices):
    NEW_MEMBERS = "new_members", _("New members")
    NEW_UNIONS = "new_unions", _("New grassroots unions")


# The rules of a quota, as field validators: every door (the admin, the import, quota_set)
# runs them through clean_fields, and 0 and -5 get the same one message.
TARGET_POSITIVE = _("The target must be a positive whole number.")
YEAR_RANGE = _("The year must be between 2000 and 2100.")
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Every change of a target says why (kept in the quota's history with who and when); the
# history's column holds at most this many characters.
REASON_REQUIRED = _("Give the reason for this change of quota.")
REASON_MAX_LENGTH = 100


class QuotaQuerySet(ScopedQuerySet["Quota"]):
    federation_paths = ("federation_id",)


class Quota(models.Model):
    """The number (chỉ tiêu) a federation must reach for one metric in one year."""

    federation = models.ForeignKey(
        Federation, on_delete=models.PROTECT, related_name="quotas", verbose_name=_("federation")
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[MinValueValidator(FIRST_YEAR, YEAR_RANGE), MaxValueValidator(LAST_YEAR, YEAR_RANGE)],
    )
    metric = models.CharField(_("metric"), max_length=12, choices=Metric.choices)
    # Not a PositiveIntegerField: its own "≥ 0" check would say something else about -5.
    target = models.IntegerField(_("target"), validators=[MinValueValidator(1, TARGET_POSITIVE)])

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
                violation_error_message=TARGET_POSITIVE,
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR), name="quota_year_sane",
                violation_error_message=YEAR_RANGE,
            ),
            models.CheckConstraint(condition=Q(metric__in=Metric.values), name="quota_metric_valid"),
        ]
        indexes = [models.Index(fields=["year", "metric"], name="quota_year_metric_idx")]

    def __str__(self) -> str:
        # The year as written (2026), the target as the language groups it (6.500): 6500 beside
        # a year read like one.
        return f"{self.federation} {self.year} {self.get_metric_display()}: {localize(self.target)}"
