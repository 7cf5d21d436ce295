"""Union members (đoàn viên) and their transfers between grassroots unions."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from branches.models import Federation, GrassrootsUnion, UnionStatus
from unionboard import roles
from unionboard.access import ScopedQuerySet
from unionboard.rules import RuleErrors, not_in_future
from unionboard.text import fold


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("member status", "Active")
    LEFT = "left", pgettext_lazy("member status", "Left")


class LeftReason(models.TextChoices):
    """Why a member left the union (lý do ra khỏi tổ chức công đoàn)."""

    JOB_CHANGE = "job_change", pgettext_lazy("leaving reason", "Moved to another workplace")
    RETIRED = "retired", pgettext_lazy("leaving reason", "Retired")
    QUIT_JOB = "quit_job", pgettext_lazy("leaving reason", "Left the job")
    VOLUNTARY = "voluntary", pgettext_lazy("leaving reason", "Left the union of their own accord")
    OTHER = "other", pgettext_lazy("leaving reason", "Other")


# The rules' messages; those the database constraints also enforce are shared with them.
BIRTH_BEFORE_ADMISSION = _("The date of birth must precede the admission.")
ADMISSION_AFTER_FOUNDING = _("The admission cannot precede the union's founding.")
UNION_NOT_ACTIVE_THEN = _("The union was already suspended or dissolved on that date.")
ADMISSION_BEFORE_TRANSFER = _("The transfer cannot precede the admission.")
LEFT_AFTER_ADMISSION = _("The leaving date cannot precede the admission.")
LEFT_AFTER_TRANSFER = _("The leaving date cannot precede the member's last transfer.")
LEFT_NEEDS_DATE = _("A member who has left needs the leaving date (left_on).")
ACTIVE_HAS_NO_DATE = _("A leaving date goes with the status “left”; an active member has none.")
REASON_ONLY_WHEN_LEFT = _("A reason for leaving goes with the status “left”, only.")
ALREADY_IN_UNION = _("The member is already in this union.")
UNION_NOT_ACTIVE = _("That union is not active.")
LEFT_CANNOT_MOVE = _("A member who has left cannot be transferred.")
TRANSFER_BEFORE_PREVIOUS = _("The transfer cannot precede the member's previous transfer.")
NOT_FOUNDED_YET = _("The receiving union was not founded yet on that date.")
CHANGED_MEANWHILE = _(
    "This member was just transferred or changed by someone else: reload the page and try again."
)


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

    def readable_by(self, user) -> MemberQuerySet:
        """What the user may open: `visible_to`, and the members moved out of their federations.

        An officer who transferred a member to another federation keeps reading that member's
        record as it stood up to the transfer (members.selectors.member_record): never what
        came after, and never to change it (`editable_by` is unchanged). Not for lists: the
        member is no longer one of the federation's.
        """
        if roles.is_city_wide(user):
            return self.all()
        ids = roles.officer_federation_ids(user)
        if not ids:
            return self.none()
        moved_out = Transfer.objects.out_of(user).filter(member=OuterRef("pk"))
        return self.filter(Q(union__federation_id__in=ids) | Exists(moved_out))


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
        db_index=False,  # member_union_idx begins with it
    )
    admitted_on = models.DateField(_("admitted on"))
    admitted_federation = models.ForeignKey(
        Federation,
        on_delete=models.PROTECT,
        related_name="admitted_members",
        verbose_name=_("admitting federation"),
        help_text=_("Credited with the admission (kết nạp); a transfer never changes it."),
        # No index: the figures read the admission tally, never members by credit, and every
        # insert would pay for one (a federation is deleted only when nothing refers to it).
        db_index=False,
    )
    status = models.CharField(
        _("status"), max_length=6, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(
        _("reason for leaving"), max_length=12, choices=LeftReason.choices, blank=True, default="",
        db_default="",  # rows written in bulk without it (the demo's COPY) are "no reason"
    )
    name_search = models.CharField(max_length=150, editable=False, default="")

    history = HistoricalRecords(excluded_fields=["name_search"])
    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["-admitted_on", "-id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        # Every insert pays for every index: these are the ones the pages use. The card-number
        # prefix search (LIKE 'DV00012%') uses the varchar_pattern_ops index PostgreSQL gets with
        # the unique card_no; the name search a trigram index (migration 0003).
        indexes = [
            # A union's members, its active members (index-only: with_active_members), and
            # members active on a date by union (index-only: progress.unions_by_sector).
            models.Index(fields=["union", "admitted_on", "left_on", "status"], name="member_union_idx"),
            # The members list, newest admission first, paged by keys.
            models.Index(fields=["admitted_on", "id"], name="member_admitted_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("admitted_on")),
                name="member_left_after_admitted",
                violation_error_message=LEFT_AFTER_ADMISSION,
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
                condition=Q(left_reason="") | Q(status=MemberStatus.LEFT, left_reason__in=LeftReason.values),
                name="member_left_reason_only_when_left",
                violation_error_message=REASON_ONLY_WHEN_LEFT,
            ),
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
        self._remember_loaded()

    def get_absolute_url(self) -> str:
        return reverse("members:member_detail", args=[self.card_no])

    # Dates whose rules read the member's transfers: checked only when they change, so a
    # re-import of 100.000 unchanged members costs no query per row.
    TRACKED = ("admitted_on", "left_on")

    @classmethod
    def from_db(cls, db, field_names, values):
        member = super().from_db(db, field_names, values)
        member._remember_loaded()
        return member

    def _remember_loaded(self) -> None:
        self._loaded = {name: self.__dict__.get(name) for name in self.TRACKED}

    def _changed(self, name: str) -> bool:
        return self._state.adding or getattr(self, "_loaded", {}).get(name) != getattr(self, name)

    def clean(self) -> None:
        """Every rule of a member's dates and status, each message on the field it is about.

        The one place these rules live: the forms, the admin and the importer (row by row)
        all call it. The database's check constraints back the simplest of them up.
        """
        errors = RuleErrors()
        not_in_future(errors, self, "birth_date", "admitted_on", "left_on")
        born, admitted, left = self.birth_date, self.admitted_on, self.left_on
        if born and admitted and born >= admitted and "birth_date" not in errors:
            errors.add("birth_date", BIRTH_BEFORE_ADMISSION)
        if admitted and self.union_id is not None and self._changed("admitted_on"):
            self._check_admission(errors)
        if self.status == MemberStatus.LEFT and left is None:
            errors.add("left_on", LEFT_NEEDS_DATE)
        if self.status == MemberStatus.ACTIVE and left is not None:
            errors.add("status", ACTIVE_HAS_NO_DATE)
        if left and admitted and left < admitted:
            errors.add("left_on", LEFT_AFTER_ADMISSION)
        elif left and not self._state.adding and self._changed("left_on"):
            last = self.transfers.order_by("-transferred_on").values_list("transferred_on", flat=True).first()
            if last and left < last:
                errors.add("left_on", LEFT_AFTER_TRANSFER)
        if self.left_reason and self.status != MemberStatus.LEFT:
            errors.add("left_reason", REASON_ONLY_WHEN_LEFT)
        errors.raise_if_any()

    def _check_admission(self, errors: RuleErrors) -> None:
        """The admission falls in the life of the union admitted into (kết nạp vào CĐCS).

        That union is the present one for a new member; for a member who has moved since,
        it is the first transfer's origin, and the admission cannot follow that transfer.
        """
        union = self.union
        if not self._state.adding:
            first = self.transfers.select_related("from_union").order_by("transferred_on", "id").first()
            if first is not None:
                union = first.from_union
                if self.admitted_on > first.transferred_on:
                    errors.add("admitted_on", ADMISSION_BEFORE_TRANSFER)
        if self.admitted_on < union.founded_on:
            errors.add("admitted_on", ADMISSION_AFTER_FOUNDING)
        elif union.status != UnionStatus.ACTIVE and union.status_on and union.status_on <= self.admitted_on:
            errors.add("admitted_on", UNION_NOT_ACTIVE_THEN)

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

    def out_of(self, user) -> TransferQuerySet:
        """The transfers that took a member out of a union of the user's own federations."""
        return self.filter(from_union__federation_id__in=roles.officer_federation_ids(user))


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

    def clean(self) -> None:
        """The rules of a move, read from the member as stored (the service locks that row).

        A transfer starts from the union the member is in: one drawn up from an older
        picture of the member (a form opened before someone else's transfer) is refused
        rather than written over it, so the transfers always chain from union to union.
        """
        if self.member_id is None or self.to_union_id is None:
            return  # the missing field is reported by clean_fields
        member, to_union = self.member, self.to_union
        if self.from_union_id is None:
            self.from_union_id = member.union_id
        errors = RuleErrors()
        if member.status != MemberStatus.ACTIVE:
            errors.add(NON_FIELD_ERRORS, LEFT_CANNOT_MOVE)
        elif self._state.adding and self.from_union_id != member.union_id:
            errors.add(NON_FIELD_ERRORS, CHANGED_MEANWHILE)
        if errors:  # the other rules would be judged against a member the user did not see
            errors.raise_if_any()
        if self.to_union_id == member.union_id:
            errors.add("to_union", ALREADY_IN_UNION)
        elif to_union.status != UnionStatus.ACTIVE:
            errors.add("to_union", UNION_NOT_ACTIVE)
        on = self.transferred_on
        if on is not None:
            not_in_future(errors, self, "transferred_on")
            last = (
                member.transfers.exclude(pk=self.pk).order_by("-transferred_on")
                .values_list("transferred_on", flat=True).first()
            )
            if on < member.admitted_on:
                errors.add("transferred_on", ADMISSION_BEFORE_TRANSFER)
            elif last and on < last:
                errors.add("transferred_on", TRANSFER_BEFORE_PREVIOUS)
            if on < to_union.founded_on:
                errors.add("transferred_on", NOT_FOUNDED_YET)
        errors.raise_if_any()


class AdmissionTally(models.Model):
    """Admissions per credited federation and day: the summary the progress figures read.

    Kept by database triggers on the members table (members.tally), so every write —
    a form, an import, a bulk update, a delete — changes it in the same transaction and
    no figure is ever stale. Reading it costs federations × days, not members.
    """

    federation = models.ForeignKey(
        # tally_one_row_per_day (federation, day) serves the lookups by federation.
        Federation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
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
