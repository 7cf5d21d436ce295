"""The members list as a django-tables2 table."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from members.models import Member
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
