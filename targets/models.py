"""Indicators (chỉ tiêu thi đua), the quotas the city assigns for a year, the figures
federations report and the grades of grassroots unions (xếp loại CĐCS)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import MAX_EMPLOYEES, PRIORITY_SIZE, Federation, GrassrootsUnion
from unionboard.access import ScopedQuerySet


class Metric(models.TextChoices):
    """The codes of the indicators counted from records (their query lives in progress.py)."""

    NEW_MEMBERS = "new_members", _("New members")
    NEW_UNIONS = "new_unions", _("New grassroots unions")
    RATED_GOOD_SHARE = "rated_good_share", _("Grassroots unions rated good or excellent")
    COVERAGE = "coverage", _("Employers covered by a grassroots union")
    DENSITY = "density", _("Union density at covered employers")


# The membership indicators: the dashboards show these two unless asked for others.
MEMBERSHIP = (Metric.NEW_MEMBERS.value, Metric.NEW_UNIONS.value)


class Unit(models.TextChoices):
    PEOPLE = "people", _("people")
    UNIONS = "unions", _("unions")
    SESSIONS = "sessions", _("sessions")
    AGREEMENTS = "agreements", _("agreements")
    DONG = "dong", _("đồng")
    PERCENT = "percent", _("percent")


class Source(models.TextChoices):
    COUNTED = "counted", _("Counted from records")
    REPORTED = "reported", _("Reported by the federation")


# The rules of a quota, as field validators: every door (the admin, the import, quota_set)
# runs them through clean_fields, and 0 and -5 get the same one message.
TARGET_POSITIVE = _("The target must be a positive whole number.")
YEAR_RANGE = _("The year must be between 2000 and 2100.")
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Every change of a target says why (kept in the quota's history with who and when); the
# history's column holds at most this many characters.
REASON_REQUIRED = _("Give the reason for this change of quota.")
REASON_MAX_LENGTH = 100


class Indicator(models.Model):
    """A figure the reports carry (chỉ tiêu), with a quota or a norm to read it against.

    Counted indicators are computed from the records (their codes are `Metric`); reported
    ones are year-to-date figures a federation reports as of a date (`Report`).
    """

    code = models.CharField(
        _("code"), max_length=40, unique=True,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", _("Lower-case letters, digits and _ only."))],
    )
    name_vi = models.CharField(_("Vietnamese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.REPORTED)
    order = models.PositiveSmallIntegerField(_("order on the pages"), default=100)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(condition=Q(unit__in=Unit.values), name="indicator_unit_valid"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="indicator_source_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Vietnamese unless English is asked for)."""
        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi

    @property
    def is_counted(self) -> bool:
        return self.source == Source.COUNTED

    @property
    def is_percent(self) -> bool:
        return self.unit == Unit.PERCENT

    def clean(self) -> None:
        if self.source == Source.COUNTED and self.code not in Metric.values:
            raise ValidationError(
                {"source": _("Only the built-in indicators are counted from records; "
                             "a new indicator is reported.")}
            )


# Coverage counts the employers with at least this many employees unless an administrator
# sets another number for the year (CoverageThreshold).
DEFAULT_MIN_EMPLOYEES = PRIORITY_SIZE
MIN_EMPLOYEES_RANGE = _("The number of employees must be a whole number from 1 to 500.000.")


class CoverageThreshold(models.Model):
    """The size from which an employer counts for coverage in a year (25 unless set)."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True,
        validators=[MinValueValidator(FIRST_YEAR, YEAR_RANGE), MaxValueValidator(LAST_YEAR, YEAR_RANGE)],
        error_messages={"unique": _("That year already has its threshold.")},
    )
    # Not a PositiveIntegerField: -5 and 0 get the same one message.
    min_employees = models.IntegerField(
        _("minimum employees"), default=DEFAULT_MIN_EMPLOYEES,
        validators=[
            MinValueValidator(1, MIN_EMPLOYEES_RANGE),
            MaxValueValidator(MAX_EMPLOYEES, MIN_EMPLOYEES_RANGE),
        ],
        help_text=_("Coverage counts the employers with at least this many employees."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("coverage threshold")
        verbose_name_plural = _("coverage thresholds")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_employees__gte=1, min_employees__lte=MAX_EMPLOYEES),
                name="coverage_threshold_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.min_employees}"


class QuotaQuerySet(ScopedQuerySet["Quota"]):
    federation_paths = ("federation_id",)


RATE_ONLY_COUNTABLE = _("A rate per grassroots union fits only an indicator of people, unions, "
                        "sessions, agreements or đồng, not a percentage.")
TARGET_OR_RATE = _("Give either a target or a rate per grassroots union, not both.")


class Quota(models.Model):
    """The number (chỉ tiêu) a federation must reach for one indicator in one year: a fixed
    target, or a norm per active grassroots union (định mức) computed at the period's end."""

    federation = models.ForeignKey(
        Federation, on_delete=models.PROTECT, related_name="quotas", verbose_name=_("federation")
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[MinValueValidator(FIRST_YEAR, YEAR_RANGE), MaxValueValidator(LAST_YEAR, YEAR_RANGE)],
    )
    # The column keeps the indicator's code (the interchange files' `metric`).
    metric = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, to_field="code", db_column="metric",
        related_name="quotas", verbose_name=_("indicator"),
    )
    # Not a PositiveIntegerField: its own "≥ 0" check would say something else about -5.
    target = models.IntegerField(
        _("target"), null=True, blank=True, validators=[MinValueValidator(1, TARGET_POSITIVE)]
    )
    rate = models.DecimalField(
        _("rate per grassroots union"), max_digits=8, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.001"), _("The rate must be above zero."))],
        help_text=_("A norm instead of a number: the target is this many per active grassroots union."),
    )
    weight = models.DecimalField(
        _("weight in the score"), max_digits=5, decimal_places=2, default=Decimal(1),
        validators=[MinValueValidator(0, _("The weight cannot be negative."))],
        help_text=_("1 unless the emulation scorecard weighs this indicator otherwise; 0 shows it unscored."),
    )

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
                condition=Q(target__isnull=True) | Q(target__gt=0), name="quota_target_positive",
                violation_error_message=TARGET_POSITIVE,
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=True, rate__gt=0) | Q(target__isnull=False, rate__isnull=True),
                name="quota_target_or_rate", violation_error_message=TARGET_OR_RATE,
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="quota_weight_not_negative"),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR), name="quota_year_sane",
                violation_error_message=YEAR_RANGE,
            ),
        ]
        indexes = [models.Index(fields=["year", "metric"], name="quota_year_metric_idx")]

    def __str__(self) -> str:
        # The year as written (2026), the target as the language groups it (6.500): 6500 beside
        # a year read like one.
        goal = localize(self.target) if self.target is not None else f"{localize(self.rate)}/CĐCS"
        return f"{self.federation} {self.year} {self.metric}: {goal}"

    def clean(self) -> None:
        if self.target is None and self.rate is None:
            raise ValidationError({"target": _("Give a target or a rate per grassroots union.")})
        if self.target is not None and self.rate is not None:
            raise ValidationError(TARGET_OR_RATE)
        if self.rate is not None and self.metric_id:
            indicator = Indicator.objects.filter(code=self.metric_id).first()
            if indicator is not None and indicator.is_percent:
                raise ValidationError({"rate": RATE_ONLY_COUNTABLE})


class ReportQuerySet(ScopedQuerySet["Report"]):
    federation_paths = ("federation_id",)


class Report(models.Model):
    """A federation's year-to-date figure of a reported indicator as of a date (báo cáo)."""

    federation = models.ForeignKey(
        Federation, on_delete=models.PROTECT, related_name="reports", verbose_name=_("federation")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="reports", verbose_name=_("indicator")
    )
    as_of = models.DateField(_("as of"))
    value = models.BigIntegerField(_("value"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    history = HistoricalRecords()
    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["federation__code", "indicator__order", "-as_of"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "indicator", "as_of"], name="report_unique_per_date",
                violation_error_message=_("This federation already reported that indicator on that date."),
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="report_value_not_negative"),
        ]
        indexes = [models.Index(fields=["federation", "as_of"], name="report_federation_date_idx")]

    def __str__(self) -> str:
        return f"{self.federation_id} {self.indicator_id} {self.as_of}: {self.value}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        indicator = self.indicator if self.indicator_id else None
        if self.value is not None and self.value < 0:
            errors.setdefault("value", []).append(_("A reported figure cannot be negative."))
        if indicator is not None:
            if indicator.is_counted:
                errors.setdefault("indicator", []).append(
                    _("“%(name)s” is counted from the records; it cannot be reported.")
                    % {"name": indicator.name}
                )
            elif indicator.is_percent and self.value is not None and self.value > 100:
                errors.setdefault("value", []).append(_("A percentage cannot be above 100."))
        if self.as_of is not None:
            if self.as_of > timezone.localdate():
                errors.setdefault("as_of", []).append(_("A report cannot be dated in the future."))
            elif not FIRST_YEAR <= self.as_of.year <= LAST_YEAR:
                errors.setdefault("as_of", []).append(YEAR_RANGE)
            if self.federation_id and not self.federation.is_open_on(self.as_of):
                errors.setdefault("as_of", []).append(
                    _("%(federation)s was closed on that date.") % {"federation": self.federation.name}
                )
        if errors:
            raise ValidationError(errors)

    def check_year(self, year: int) -> None:
        """A report entered for year Y is dated in Y."""
        if self.as_of is not None and self.as_of.year != year:
            raise ValidationError({"as_of": _("The date must fall in %(year)s.") % {"year": year}})


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    COMPLETED = "completed", _("Completed")
    NOT_COMPLETED = "not_completed", _("Not completed")


GOOD_GRADES = (Grade.EXCELLENT.value, Grade.GOOD.value)


class Rating(models.Model):
    """A grade for a year: a grassroots union's (UnionRating) or a federation's (FederationRating)."""

    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[MinValueValidator(FIRST_YEAR, YEAR_RANGE), MaxValueValidator(LAST_YEAR, YEAR_RANGE)],
    )
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices)

    class Meta:
        abstract = True


class UnionRatingQuerySet(ScopedQuerySet["UnionRating"]):
    federation_paths = ("union__federation_id",)


class UnionRating(Rating):
    """The grade of a grassroots union for a year (xếp loại CĐCS)."""

    union = models.ForeignKey(
        GrassrootsUnion, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("grassroots union")
    )

    history = HistoricalRecords()
    objects = UnionRatingQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "union__code"]
        verbose_name = _("union rating")
        verbose_name_plural = _("union ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["union", "year"], name="rating_unique_per_year",
                violation_error_message=_("This union already has a grade for that year."),
            ),
            models.CheckConstraint(condition=Q(grade__in=Grade.values), name="rating_grade_valid"),
        ]
        indexes = [models.Index(fields=["year", "union"], name="rating_year_union_idx")]

    def __str__(self) -> str:
        return f"{self.union_id} {self.year}: {self.grade}"

    def clean(self) -> None:
        if self.union_id and self.year and self.union.founded_on > datetime.date(self.year, 12, 31):
            raise ValidationError(
                {"year": _("The union was founded after %(year)s ended; it cannot be rated for it.")
                 % {"year": self.year}}
            )


class FederationRatingQuerySet(ScopedQuerySet["FederationRating"]):
    federation_paths = ("federation_id",)


class FederationRating(Rating):
    """The grade the city gives an upper-level union for a year (xếp loại công đoàn cấp trên)."""

    federation = models.ForeignKey(
        Federation, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("federation")
    )

    history = HistoricalRecords()
    objects = FederationRatingQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "federation__name_sort"]
        verbose_name = _("federation rating")
        verbose_name_plural = _("federation ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "year"], name="federation_rating_unique_per_year",
                violation_error_message=_("This federation already has a grade for that year."),
            ),
            models.CheckConstraint(condition=Q(grade__in=Grade.values), name="federation_rating_grade_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.federation_id} {self.year}: {self.grade}"

    def clean(self) -> None:
        first_day = datetime.date(self.year, 1, 1) if self.year else None
        if self.federation_id and first_day and not self.federation.is_open_on(first_day):
            raise ValidationError(
                {"year": _("%(federation)s was closed before %(year)s.")
                 % {"federation": self.federation.name, "year": self.year}}
            )


# --- emulation clusters (cụm thi đua) ------------------------------------------------------

CLUSTER_TAKEN = _("%(federation)s is already in the cluster “%(cluster)s” of %(year)s; "
                  "a federation is in at most one cluster a year.")
LEADER_NOT_MEMBER = _("The leading federation %(federation)s is not a member of the cluster.")


class ClusterQuerySet(ScopedQuerySet["Cluster"]):
    federation_paths = ("memberships__federation_id",)

    def visible_to(self, user):
        return super().visible_to(user).distinct()


class Cluster(models.Model):
    """An emulation cluster (cụm thi đua) of one year: its member federations compete with
    each other, led that year by one of them. Membership is per year, so a reorganisation
    regroups federations without rewriting earlier years."""

    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[MinValueValidator(FIRST_YEAR, YEAR_RANGE), MaxValueValidator(LAST_YEAR, YEAR_RANGE)],
    )
    leader = models.ForeignKey(
        Federation, on_delete=models.PROTECT, null=True, blank=True, related_name="clusters_led",
        verbose_name=_("leading federation"),
    )

    history = HistoricalRecords()
    objects = ClusterQuerySet.as_manager()
    # set by a caller that checks the members and leader as submitted (the admin's inline)
    members_checked_elsewhere = False

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("emulation cluster")
        verbose_name_plural = _("emulation clusters")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "year"], name="cluster_name_unique_per_year",
                violation_error_message=_("A cluster of that name already exists for that year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # the members' copy of the year follows the cluster's
        ClusterMembership.objects.filter(cluster=self).exclude(year=self.year).update(year=self.year)

    def check_leader(self, member_ids: set[int] | None = None) -> None:
        """The leader must be one of the members (`member_ids`, by default the stored ones)."""
        if self.leader_id is None:
            return
        if member_ids is None:
            member_ids = self.member_ids()
        if self.leader_id not in member_ids:
            name = self.leader.name if self.leader else ""
            raise ValidationError({"leader": LEADER_NOT_MEMBER % {"federation": name}})

    def check_members(self, member_ids: set[int] | None = None) -> None:
        """No member may be in another cluster of this cluster's year (one query)."""
        if member_ids is None:
            member_ids = self.member_ids()
        if not member_ids or not self.year:
            return
        taken = (ClusterMembership.objects.filter(federation_id__in=member_ids, year=self.year)
                 .select_related("cluster", "federation").order_by("federation__code"))
        if self.pk:
            taken = taken.exclude(cluster_id=self.pk)
        messages = [CLUSTER_TAKEN % {"federation": m.federation.name, "cluster": m.cluster.name,
                                     "year": self.year} for m in taken]
        if messages:
            raise ValidationError(messages)

    def member_ids(self) -> set[int]:
        if not self.pk:
            return set()
        return set(self.memberships.values_list("federation_id", flat=True))

    def clean(self) -> None:
        # The admin's form checks its members as submitted (its inline formset) instead.
        if self.members_checked_elsewhere:
            return
        ids = self.member_ids()
        self.check_leader(ids)
        self.check_members(ids)


class ClusterMembership(models.Model):
    """A federation in a cluster; `year` is the cluster's, so the database itself keeps a
    federation in at most one cluster a year."""

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("emulation cluster")
    )
    federation = models.ForeignKey(
        Federation, on_delete=models.PROTECT, related_name="cluster_memberships",
        verbose_name=_("federation"),
    )
    year = models.PositiveSmallIntegerField(_("year"), editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["cluster", "federation__name_sort"]
        verbose_name = _("cluster member")
        verbose_name_plural = _("cluster members")
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "year"], name="cluster_membership_one_per_year",
                violation_error_message=_("This federation is already in a cluster that year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.federation_id} @ {self.cluster_id}"

    def save(self, *args, **kwargs):
        self.year = self.cluster.year
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.cluster_id and self.federation_id:
            self.year = self.cluster.year
            self.cluster.check_members({self.federation_id})
