"""Union members (đoàn viên) and their transfers between grassroots unions."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from branches.models import Federation, GrassrootsUnion
from unionboard.access import ScopedQuerySet
from unionboard.text import fold


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("member status", "Active")
    LEFT = "left", pgettext_lazy("member status", "Left")


# A card number is a path segment of the member's pages (/members/<card_no>/): letters and
# digits without accents, "-" and ".", starting with a letter or a digit (so never "." or
# ".."), and not a word those URLs already use. "/" made the page impossible to link (the
# list and the union page answered 500), "?", "#", "%" and NUL broke it in other ways.
# \A and \Z mean the same in Python, SQLite (Python's re) and PostgreSQL.
CARD_NO_PATTERN = r"\A[A-Za-z0-9][A-Za-z0-9.-]*\Z"
RESERVED_CARD_NOS = ("new",)  # /members/new/ admits a member
CARD_NO_RULE = _(
    "A card number holds only letters without accents, digits, “-” and “.”, and starts with a "
    "letter or a digit."
)


def validate_card_no(value: str) -> None:
    """The card number alphabet, for forms and imports alike (the database checks it too)."""
    if not re.match(CARD_NO_PATTERN, value):
        raise ValidationError(CARD_NO_RULE, code="card_no_alphabet")
    if value in RESERVED_CARD_NOS:
        raise ValidationError(
            _("“%(value)s” cannot be a card number."), code="card_no_reserved", params={"value": value}
        )


class MemberQuerySet(ScopedQuerySet["Member"]):
    federation_paths = ("union__federation_id",)


class Member(models.Model):
    """A union member (đoàn viên), in one grassroots union at a time."""

    card_no = models.CharField(_("card number"), max_length=32, unique=True, validators=[validate_card_no])
    full_name = models.CharField(_("full name"), max_length=150)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    union = models.ForeignKey(
        GrassrootsUnion,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("grassroots union"),
    )
    admitted_on = models.DateField(_("admitted on"))
    admitted_federation = models.ForeignKey(
        Federation,
        on_delete=models.PROTECT,
        related_name="admitted_members",
        verbose_name=_("admitting federation"),
        help_text=_("Credited with the admission (kết nạp); a transfer never changes it."),
    )
    status = models.CharField(
        _("status"), max_length=6, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    left_on = models.DateField(_("left on"), null=True, blank=True)
    name_search = models.CharField(max_length=150, editable=False, default="")

    history = HistoricalRecords(excluded_fields=["name_search"])
    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["-admitted_on", "-id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [
            # new_members: admissions by credited federation and date
            models.Index(fields=["admitted_federation", "admitted_on"], name="member_admission_idx"),
            models.Index(fields=["union", "status"], name="member_union_status_idx"),
            models.Index(fields=["admitted_on", "id"], name="member_admitted_id_idx"),
            # card-number prefix search (LIKE 'DV00012%'); the name search has a trigram
            # index on PostgreSQL (migration 0003)
            models.Index(
                fields=["card_no"], opclasses=["varchar_pattern_ops"], name="member_card_prefix_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("admitted_on")),
                name="member_left_after_admitted",
                violation_error_message=_("The leaving date cannot precede the admission."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=MemberStatus.LEFT, left_on__isnull=False)
                    | Q(status=MemberStatus.ACTIVE, left_on__isnull=True)
                ),
                name="member_left_on_iff_left",
                violation_error_message=_("A leaving date goes with the status 'left', only."),
            ),
            models.CheckConstraint(condition=Q(gender__in=Gender.values), name="member_gender_valid"),
            models.CheckConstraint(
                condition=Q(card_no__regex=CARD_NO_PATTERN) & ~Q(card_no__in=RESERVED_CARD_NOS),
                name="member_card_no_alphabet",
                violation_error_message=CARD_NO_RULE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.card_no})"

    def save(self, *args, **kwargs):
        self.fill_keys()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("members:member_detail", args=[self.card_no])

    def fill_keys(self) -> None:
        """Credit the admission to the union's federation once; derive the search key."""
        if self.admitted_federation_id is None and self.union_id is not None:
            self.admitted_federation_id = (
                GrassrootsUnion.objects.filter(pk=self.union_id).values_list("federation_id", flat=True).get()
            )
        self.name_search = fold(self.full_name)


class TransferQuerySet(ScopedQuerySet["Transfer"]):
    # Seen from either side: out of or into the user's federations.
    federation_paths = ("from_union__federation_id", "to_union__federation_id")


class Transfer(models.Model):
    """A move (chuyển sinh hoạt) of a member to another union; never an admission."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("member")
    )
    from_union = models.ForeignKey(
        GrassrootsUnion,
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("from union"),
    )
    to_union = models.ForeignKey(
        GrassrootsUnion,
        on_delete=models.PROTECT,
        related_name="transfers_in",
        verbose_name=_("to union"),
    )
    transferred_on = models.DateField(_("transferred on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-transferred_on", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_union=F("to_union")),
                name="transfer_changes_union",
                violation_error_message=_("A transfer must go to another union."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.from_union} → {self.to_union} ({self.transferred_on})"


class AdmissionTally(models.Model):
    """Admissions per credited federation and day: the summary the progress figures read.

    Kept by database triggers on the members table (members.tally), so every write —
    a form, an import, a bulk update, a delete — changes it in the same transaction and
    no figure is ever stale. Reading it costs federations × days, not members.
    """

    federation = models.ForeignKey(
        Federation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    admitted = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["federation", "day"], name="tally_one_row_per_day"),
        ]
        # (day, federation, admitted): the range scans of the figures read the index alone.
        indexes = [models.Index(fields=["day", "federation", "admitted"], name="tally_day_idx")]

    def __str__(self) -> str:
        return f"{self.federation_id} {self.day}: {self.admitted}"
