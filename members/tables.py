"""The members list as a django-tables2 table."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from members.models import Member, Transfer
from unionboard.columns import DayColumn


class MemberTable(tables.Table):
    card_no = tables.Column(verbose_name=_("Card number"))
    full_name = tables.Column(verbose_name=_("Full name"), linkify=True)
    gender = tables.Column(verbose_name=_("Gender"))
    union = tables.Column(verbose_name=_("Grassroots union"), order_by=("union__name_sort",))
    admitted_on = DayColumn(verbose_name=_("Admitted on"), order_by=("admitted_on", "id"))
    status = tables.Column(verbose_name=_("Status"))
    left_on = DayColumn(verbose_name=_("Left on"))

    class Meta:
        model = Member
        fields = ("card_no", "full_name", "gender", "union", "admitted_on", "status", "left_on")
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("No member matches.")


class TransferOutTable(tables.Table):
    """Transfers out of one union, newest first; each member links to the record the user may read."""

    transferred_on = DayColumn(verbose_name=_("Transferred on"))
    member = tables.Column(verbose_name=_("Member"), linkify=True)
    to_union = tables.Column(verbose_name=_("To union"))
    federation = tables.Column(verbose_name=_("Receiving federation"), accessor="to_union__federation__name")
    recorded_by = tables.Column(verbose_name=_("Recorded by"), default="—")

    class Meta:
        model = Transfer
        fields = ("transferred_on", "member", "to_union", "federation", "recorded_by")
        orderable = False  # newest first, as the model orders them
        empty_text = _("No member was transferred out of this union.")
