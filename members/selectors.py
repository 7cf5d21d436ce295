"""Read side of members: a member's record as the user may read it."""

from __future__ import annotations

from dataclasses import dataclass

from members.models import Member, Transfer


@dataclass(frozen=True)
class MemberRecord:
    """What a member's page shows: the member and their transfers, whole or up to a transfer out.

    `left_by` is set when the user reads the record only because the member was moved out of
    their federations by that transfer: then `member` is the member as they were when they
    left (in the union they left) and `transfers` ends with that transfer.
    """

    member: Member
    transfers: list[Transfer]
    left_by: Transfer | None = None


def member_record(user, card_no: str) -> MemberRecord | None:
    """The member with `card_no` as `user` may read them, or None when they may not.

    A member of the user's federations (or any, for city-wide readers) is read whole. A
    member transferred out of the user's federations is read up to the last such transfer:
    their details as recorded before it, the union they left, the transfers up to it;
    nothing the receiving federation recorded afterwards (later transfers, a departure,
    corrections). Members loaded in bulk without history show their details as they stand.
    """
    member = (
        Member.objects.readable_by(user)
        .select_related("union__federation", "admitted_federation")
        .filter(card_no=card_no)
        .first()
    )
    if member is None:
        return None
    transfers = Transfer.objects.filter(member=member).select_related(
        "from_union__federation", "to_union__federation", "recorded_by"
    )  # newest first
    if Member.objects.visible_to(user).filter(pk=member.pk).exists():
        return MemberRecord(member, list(transfers))
    left_by = transfers.out_of(user).first()
    if left_by is None:  # moved back meanwhile and out of reach again: nothing to read
        return None
    cut = (left_by.transferred_on, left_by.pk)
    earlier = [transfer for transfer in transfers if (transfer.transferred_on, transfer.pk) <= cut]
    before = (
        member.history.filter(history_date__lt=left_by.recorded_at)
        .order_by("-history_date", "-history_id")
        .first()
    )
    shown = before.instance if before is not None else member
    shown.union = left_by.from_union
    shown.admitted_federation = member.admitted_federation  # never changes
    for transfer in earlier:
        transfer.member = shown  # the transfers table names the member as shown
    return MemberRecord(shown, earlier, left_by)
