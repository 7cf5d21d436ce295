"""Federations (upper-level unions) and the grassroots unions under them."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from unionboard.access import ScopedQuerySet
from unionboard.rules import RuleErrors, not_in_future
from unionboard.text import fold, vi_sort_key

# What a code of a federation or union may hold (Django's slug rule), said once: the forms,
# the admin and the import show this message for a code such as "Thanh Xuân 01".
CODE_INVALID = _(
    "A code may contain only letters without accents (a–z), digits, hyphens (-) and "
    "underscores (_), without spaces; for example thanh-xuan-may-10."
)


class CodeField(models.SlugField):
    """A code (a slug) whose every door, model and form alike, says what a code may hold."""

    default_error_messages = {"invalid": CODE_INVALID}

    def formfield(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": self.error_messages["invalid"]})
        return super().formfield(**kwargs)


def _keys(instance: models.Model, name: str) -> tuple[str, str]:
    """The sort and search keys of a name, each cut to its column.

    The sort key takes three digits a letter, so a federation name at its full 200
    characters makes a 602-digit key for a 600-character column: PostgreSQL refused the
    write. Cut, the key still sorts by the name's first 199 letters.
    """
    sort_field, search_field = instance._meta.get_field("name_sort"), instance._meta.get_field("name_search")
    assert isinstance(sort_field, models.CharField) and isinstance(search_field, models.CharField)
    return vi_sort_key(name)[: sort_field.max_length], fold(name)[: search_field.max_length]


class FederationKind(models.TextChoices):
    URBAN_DISTRICT = "urban_district", _("Urban district federation")
    RURAL_DISTRICT = "rural_district", _("Rural district federation")
    TOWN = "town", _("Town federation")
    SECTOR = "sector", _("Sector union")
    INDUSTRIAL_ZONE = "industrial_zone", _("Industrial-zone union")
    CORPORATION = "corporation", _("Corporation union")
    WARD = "ward", _("Ward union")
    COMMUNE = "commune", _("Commune union")


class FederationQuerySet(ScopedQuerySet["Federation"]):
    federation_paths = ("pk",)

    def vi_ordered(self) -> FederationQuerySet:
        return self.order_by("name_sort", "code")


class Federation(models.Model):
    """An upper-level union (Công đoàn cấp trên trực tiếp cơ sở: LĐLĐ quận/huyện/thị xã, ...)."""

    code = CodeField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=FederationKind.choices)
    closed_on = models.DateField(
        _("closed on"), null=True, blank=True,
        help_text=_("Set when the federation is merged or ended; its records stay."),
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="federations", blank=True,
        verbose_name=_("officers"),
        help_text=_("District officers who keep this federation's records."),
    )
    name_sort = models.CharField(max_length=600, editable=False, db_index=True, default="")
    name_search = models.CharField(max_length=200, editable=False, default="")

    objects = FederationQuerySet.as_manager()

    class Meta:
        ordering = ["name_sort", "code"]
        verbose_name = _("federation")
        verbose_name_plural = _("federations")
        permissions = [("view_all_federations", _("Can see every federation (city staff)"))]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.fill_keys()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("federation_detail", args=[self.code])

    def fill_keys(self) -> None:
        """Derive the sort and search keys from the name (bulk loaders call this too)."""
        self.name_sort, self.name_search = _keys(self, self.name)

    def is_open_on(self, day: datetime.date) -> bool:
        return self.closed_on is None or self.closed_on >= day


class Sector(models.TextChoices):
    PUBLIC_SERVICE = "public_service", _("Public service")
    STATE_ENTERPRISE = "state_enterprise", _("State enterprise")
    FOREIGN_INVESTED = "foreign_invested", _("Foreign-invested")
    NON_STATE = "non_state", _("Non-state")


class UnionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    DISSOLVED = "dissolved", _("Dissolved")


# Where each status may go: a dissolved union stays dissolved (its record and credit stay).
STATUS_CHANGES: dict[str, frozenset[str]] = {
    UnionStatus.ACTIVE: frozenset({UnionStatus.SUSPENDED, UnionStatus.DISSOLVED}),
    UnionStatus.SUSPENDED: frozenset({UnionStatus.ACTIVE, UnionStatus.DISSOLVED}),
    UnionStatus.DISSOLVED: frozenset(),
}

# The rules' messages, shared with the database constraints that back them.
STATUS_NEEDS_DATE = _("A suspended or dissolved union needs the date.")
STATUS_AFTER_FOUNDING = _("The status date cannot precede the founding.")


class GrassrootsUnionQuerySet(ScopedQuerySet["GrassrootsUnion"]):
    federation_paths = ("federation_id",)

    def active_on(self, day: datetime.date) -> GrassrootsUnionQuerySet:
        """Unions founded by `day` and not suspended or dissolved on or before it."""
        return self.filter(founded_on__lte=day).filter(
            Q(status=UnionStatus.ACTIVE) | Q(status_on__gt=day)
        )


class GrassrootsUnion(models.Model):
    """A grassroots union (Công đoàn cơ sở, CĐCS) inside one employer."""

    code = CodeField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    federation = models.ForeignKey(
        Federation, on_delete=models.PROTECT, related_name="unions", verbose_name=_("federation")
    )
    founding_federation = models.ForeignKey(
        Federation, on_delete=models.PROTECT, related_name="founded_unions",
        verbose_name=_("founding federation"),
        help_text=_("Credited with the founding; set once, kept when the union moves."),
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    founded_on = models.DateField(_("founded on"))
    status = models.CharField(
        _("status"), max_length=10, choices=UnionStatus.choices, default=UnionStatus.ACTIVE
    )
    status_on = models.DateField(_("status since"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    name_sort = models.CharField(max_length=800, editable=False, default="")
    name_search = models.CharField(max_length=255, editable=False, default="")

    history = HistoricalRecords(excluded_fields=["name_sort", "name_search"])
    objects = GrassrootsUnionQuerySet.as_manager()

    class Meta:
        ordering = ["name_sort", "code"]
        verbose_name = _("grassroots union")
        verbose_name_plural = _("grassroots unions")
        indexes = [
            # new_unions: foundings by credited federation and date
            models.Index(fields=["founding_federation", "founded_on"], name="union_founding_idx"),
            models.Index(fields=["federation", "status"], name="union_fed_status_idx"),
            models.Index(fields=["federation", "name_sort"], name="union_fed_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=UnionStatus.ACTIVE) | Q(status_on__isnull=False),
                name="union_status_on_when_not_active",
                violation_error_message=STATUS_NEEDS_DATE,
            ),
            models.CheckConstraint(
                condition=Q(status_on__isnull=True) | Q(status_on__gte=models.F("founded_on")),
                name="union_status_on_after_founding",
                violation_error_message=STATUS_AFTER_FOUNDING,
            ),
            models.CheckConstraint(
                condition=Q(status__in=UnionStatus.values), name="union_status_valid"
            ),
            models.CheckConstraint(condition=Q(sector__in=Sector.values), name="union_sector_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.fill_keys()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("branches:union_detail", args=[self.code])

    def fill_keys(self) -> None:
        """Credit the founding to the current federation once; derive sort and search keys."""
        if self.founding_federation_id is None:
            self.founding_federation_id = self.federation_id
        self.name_sort, self.name_search = _keys(self, self.name)

    def clean(self) -> None:
        """The rules of a union's dates, for the forms, the import and the admin alike.

        Not dated ahead; a suspended or dissolved union says since when, and not before its
        founding. (A change of status is also checked against the status it comes from:
        branches.services.status_change_errors, which needs the stored record.)
        """
        errors = RuleErrors()
        not_in_future(errors, self, "founded_on", "status_on")
        if self.status != UnionStatus.ACTIVE and self.status_on is None:
            errors.add("status_on", STATUS_NEEDS_DATE)
        if self.status_on and self.founded_on and self.status_on < self.founded_on:
            errors.add("status_on", STATUS_AFTER_FOUNDING)
        errors.raise_if_any()


# A tax code (mã số thuế): 10 digits for an enterprise or agency, 13 for a branch (the
# parent's 10 and three more). Offices write a branch as 0101234567-001; it is stored as
# its 13 digits alone, 0101234567001, one spelling per employer, and shown with the dash.
TAX_CODE_INVALID = _(
    "A tax code has 10 digits, or 13 for a branch (0101234567 or 0101234567-001)."
)
TAX_CODE_TAKEN = _("Another employer already has this tax code.")
UNION_TAKEN = _("This grassroots union already covers another employer.")
UNION_OTHER_FEDERATION = _(
    "The grassroots union belongs to another federation than the employer: %(federation)s."
)
UNION_SECOND = _(
    "This employer already has a grassroots union (%(union)s); an employer has at most one. "
    "Only once that union is dissolved may another one be linked."
)
MAX_EMPLOYEES = 500_000
# "Focus on enterprises with 25 or more workers": the size the lists single out.
PRIORITY_SIZE = 25
EMPLOYEES_NEGATIVE = _("The number of employees cannot be negative.")
EMPLOYEES_ABSURD = _("At most 500,000 employees: no employer in the country is larger.")


def normalise_tax_code(value: object) -> str:
    """A tax code as stored: its digits, the branch dash and spaces taken out.

    Only spaces and one dash before the last three digits go; anything else is left for the
    validator to refuse, so 0101-234567 is not silently read as a tax code.
    """
    raw = str(value).replace(" ", "").replace("\u00a0", "").strip()
    if len(raw) == 14 and raw[10] == "-":
        raw = raw[:10] + raw[11:]
    return raw


def format_tax_code(value: str) -> str:
    """0101234567001 as offices write it: 0101234567-001 (ten digits stay as they are)."""
    return f"{value[:10]}-{value[10:]}" if len(value) == 13 else value


class TaxCodeField(models.CharField):
    """A tax code, read through `normalise_tax_code` by the model, its forms and the import."""

    default_validators = [
        RegexValidator(r"^\d{10}(\d{3})?$", message=TAX_CODE_INVALID, code="invalid")
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The pattern bounds the length; a length message besides it would only confuse.
        self.validators[:] = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_tax_code(value) if value else value

    def formfield(self, **kwargs):
        # Room for the dash and spaces as offices type them; stored as the digits alone.
        return super().formfield(**{"form_class": TaxCodeFormField, "max_length": 20, **kwargs})


class TaxCodeFormField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        return normalise_tax_code(value) if value else value


class EmployerQuerySet(ScopedQuerySet["Employer"]):
    federation_paths = ("federation_id",)


class Employer(models.Model):
    """An employer (đơn vị sử dụng lao động: enterprise, agency, school), keyed on its tax code.

    Covered when a grassroots union is linked to it: a union covers one employer, and an
    employer has at most one union (`union` is one-to-one, unique in the database).
    """

    tax_code = TaxCodeField(
        _("tax code"), max_length=13, unique=True, error_messages={"unique": TAX_CODE_TAKEN},
        help_text=_("10 digits, or 13 for a branch; 0101234567-001 is stored as 0101234567001."),
    )
    name = models.CharField(_("name"), max_length=255)
    ward = models.CharField(_("ward"), max_length=100, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    federation = models.ForeignKey(
        Federation, on_delete=models.PROTECT, related_name="employers", verbose_name=_("federation")
    )
    # Not a PositiveIntegerField: its form field would add Django's own words for a
    # negative count; here every door says EMPLOYEES_NEGATIVE.
    employees = models.IntegerField(
        _("employees"),
        validators=[
            MinValueValidator(0, message=EMPLOYEES_NEGATIVE),
            MaxValueValidator(MAX_EMPLOYEES, message=EMPLOYEES_ABSURD),
        ],
    )
    counted_on = models.DateField(_("counted on"), help_text=_("The day the employees were counted."))
    union = models.OneToOneField(
        GrassrootsUnion, on_delete=models.SET_NULL, null=True, blank=True, related_name="employer",
        verbose_name=_("grassroots union"), error_messages={"unique": UNION_TAKEN},
    )
    name_sort = models.CharField(max_length=800, editable=False, default="")
    name_search = models.CharField(max_length=255, editable=False, default="")

    history = HistoricalRecords(excluded_fields=["name_sort", "name_search"])
    objects = EmployerQuerySet.as_manager()

    class Meta:
        ordering = ["name_sort", "tax_code"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        indexes = [
            models.Index(fields=["federation", "name_sort"], name="employer_fed_name_idx"),
            models.Index(fields=["federation", "employees"], name="employer_fed_size_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(employees__gte=0, employees__lte=MAX_EMPLOYEES),
                name="employer_employees_bounded",
                violation_error_message=EMPLOYEES_ABSURD,
            ),
            models.CheckConstraint(condition=Q(sector__in=Sector.values), name="employer_sector_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.fill_keys()
        super().save(*args, **kwargs)
        self._stored_union_id = self.union_id

    def get_absolute_url(self) -> str:
        return reverse("branches:employer_detail", args=[self.tax_code])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The union it had when read: linking another is held to UNION_SECOND (clean).
        instance._stored_union_id = instance.__dict__.get("union_id")
        return instance

    @property
    def tax_code_display(self) -> str:
        return format_tax_code(self.tax_code)

    def fill_keys(self) -> None:
        """Derive the sort and search keys from the name (bulk loaders call this too)."""
        self.name_sort, self.name_search = _keys(self, self.name)

    def clean(self) -> None:
        """The rules of an employer, for the forms, the import and the admin alike.

        The count is not dated ahead; the covering union is of the employer's own
        federation; and a union already linked stays until it is dissolved (one union an
        employer). Tax code and head count are the fields' validators; a tax code or union
        used twice, the database's unique constraints (validate_unique, and the import's
        bulk check with the same messages).
        """
        errors = RuleErrors()
        not_in_future(errors, self, "counted_on")
        union = self.union if self.union_id is not None else None
        if union is not None:
            if self.federation_id is not None and union.federation_id != self.federation_id:
                errors.add("union", UNION_OTHER_FEDERATION, federation=union.federation.name)
            stored = getattr(self, "_stored_union_id", None)
            if stored is not None and stored != self.union_id:
                previous = (
                    GrassrootsUnion.objects.filter(pk=stored).exclude(status=UnionStatus.DISSOLVED).first()
                )
                if previous is not None:
                    errors.add("union", UNION_SECOND, union=previous.name)
        errors.raise_if_any()
