"""The members list's table."""

from __future__ import annotations

from operator import attrgetter

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from unionboard.tables import Column, Table, day, link


class MemberTable(Table):
    """The members a user may see; paged by keys, counted only up to a bound (a city has 700.000)."""

    columns = {
        "card_no": Column(_("Card number"), attrgetter("card_no")),
        "full_name": Column(_("Full name"), lambda member: link(member.get_absolute_url(), member.full_name)),
        "gender": Column(_("Gender"), lambda member: member.get_gender_display()),
        "union": Column(_("Grassroots union"), attrgetter("union.name"), order_by=("union__name_sort",)),
        "admitted_on": Column(
            _("Admitted on"), lambda member: day(member.admitted_on), order_by=("admitted_on", "id")
        ),
        "status": Column(_("Status"), lambda member: member.get_status_display()),
        "left_on": Column(_("Left on"), lambda member: day(member.left_on)),
    }
    empty_text = _("No member matches.")
    default_sort = "-admitted_on"
    keys_first = True
    count_words = ngettext_lazy("%(count)s member", "%(count)s members", "number")
    count_over_words = _("more than %(bound)s members")


class TransferOutTable(Table):
    """Transfers out of one union, newest first; each member links to the record the user may read."""

    columns = {
        "transferred_on": Column(
            _("Transferred on"), lambda transfer: day(transfer.transferred_on),
            order_by=("transferred_on", "id"),
        ),
        "member": Column(
            _("Member"), lambda transfer: link(transfer.member.get_absolute_url(), transfer.member),
            order_by=("member__name_search",),
        ),
        "to_union": Column(_("To union"), attrgetter("to_union.name"), order_by=("to_union__name_sort",)),
        "federation": Column(
            _("Receiving federation"), attrgetter("to_union.federation.name"),
            order_by=("to_union__federation__name_sort",),
        ),
        "recorded_by": Column(
            _("Recorded by"), attrgetter("recorded_by"), order_by=("recorded_by__username",)
        ),
    }
    empty_text = _("No member was transferred out of this union.")
    default_sort = "-transferred_on"
