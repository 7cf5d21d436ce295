"""Writes of members: admission, departure and transfer, each in one transaction.

The forms, the admin and the demo loader write members through these functions; the
spreadsheet import writes whole files in bulk but checks every row with the same rules
(`Member.clean`), so a rule is written once and holds wherever a member is written.
Departures and transfers lock the member's row first: two officers acting on the same
member at the same moment are served one after the other, and the second is judged
against what the first wrote, not against the page they both opened.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from branches.models import GrassrootsUnion
from members.models import Member, MemberStatus, Transfer

JUST_RECORDED = _("This card number was just recorded by someone else: check the member list.")
ALREADY_LEFT = _("This member has already left.")


def _as_recorded_by(member: Member, user: User | None) -> None:
    if user is not None:
        member._history_user = user  # type: ignore[attr-defined]  # simple-history reads it


@transaction.atomic
def member_admit(*, member: Member, user: User | None = None) -> Member:
    """Admit (kết nạp) `member`, unsaved, as a form or the admin built it, into its union.

    The admission is credited to that union's federation for good (Member.fill_keys).
    Two officers saving the same card number at once both pass the uniqueness check —
    neither row is committed yet — and the database's unique index refuses the second:
    that refusal comes back as a message on the card number, not as an error page.
    """
    member.fill_keys()
    member.full_clean()
    _as_recorded_by(member, user)
    try:
        with transaction.atomic():  # a savepoint: the outer transaction stays usable
            member.save()
    except IntegrityError:
        if Member.objects.filter(card_no=member.card_no).exists():
            raise ValidationError({"card_no": [ValidationError(JUST_RECORDED)]}) from None
        raise
    return member


@transaction.atomic
def member_leave(
    *, member: Member, left_on: datetime.date, reason: str, user: User | None = None
) -> Member:
    """Record that a member left the union on `left_on`, and why (a LeftReason value).

    The admission stays credited where it was: a departure never takes back a figure.
    `member` is updated to what was written.
    """
    locked = Member.objects.select_for_update().get(pk=member.pk)
    if locked.status != MemberStatus.ACTIVE:
        raise ValidationError(ALREADY_LEFT)
    locked.status, locked.left_on, locked.left_reason = MemberStatus.LEFT, left_on, reason
    locked.full_clean()
    _as_recorded_by(locked, user)
    locked.save()
    member.status, member.left_on, member.left_reason = locked.status, locked.left_on, locked.left_reason
    return member


@transaction.atomic
def member_transfer(
    *,
    member: Member,
    to_union: GrassrootsUnion,
    transferred_on: datetime.date,
    user: User | None = None,
    from_union: GrassrootsUnion | None = None,
) -> Transfer:
    """Move a member to another union (chuyển sinh hoạt); never an admission, the credit stays.

    `from_union` is the union the caller saw the member in (the form sends it back): when
    the member has moved since, the transfer is refused with "reload", instead of two
    transfers both starting from the same union. Without it the member's present union
    is the origin. `member` is updated to its new union.
    """
    locked = Member.objects.select_for_update().get(pk=member.pk)
    transfer = _checked_transfer(locked, to_union, transferred_on, from_union, user)
    transfer.save()
    locked.union = to_union
    _as_recorded_by(locked, user)
    locked.save()
    member.union = to_union
    return transfer


def member_transfer_check(
    *,
    member: Member,
    to_union: GrassrootsUnion,
    transferred_on: datetime.date,
    from_union: GrassrootsUnion | None = None,
) -> None:
    """Raise what `member_transfer` would refuse now, without writing or locking anything.

    For a confirmation step: an officer is not asked to confirm a transfer that cannot
    happen. The transfer itself is judged again, on the locked row, when it is written.
    """
    _checked_transfer(Member.objects.get(pk=member.pk), to_union, transferred_on, from_union, None)


def _checked_transfer(
    member: Member,
    to_union: GrassrootsUnion,
    transferred_on: datetime.date,
    from_union: GrassrootsUnion | None,
    user: User | None,
) -> Transfer:
    transfer = Transfer(
        member=member,
        from_union_id=from_union.pk if from_union is not None else member.union_id,
        to_union=to_union,
        transferred_on=transferred_on,
        recorded_by=user,
    )
    transfer.full_clean()  # Transfer.clean: every rule of a move
    return transfer
