"""The unions list as a django-tables2 table."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from branches.cells import union_status
from branches.models import GrassrootsUnion
from unionboard.columns import DayColumn


class UnionTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"))
    name = tables.Column(verbose_name=_("Grassroots union"), linkify=True, order_by=("name_sort", "code"))
    federation = tables.Column(verbose_name=_("Federation"), order_by=("federation__name_sort",))
    sector = tables.Column(verbose_name=_("Sector"))
    founded_on = DayColumn(verbose_name=_("Founded on"))
    status = tables.Column(verbose_name=_("Status"))
    employees = tables.Column(verbose_name=_("Employees"), attrs={"td": {"class": "text-end"}})
    active_members = tables.Column(verbose_name=_("Active members"), attrs={"td": {"class": "text-end"}})

    class Meta:
        model = GrassrootsUnion
        fields = (
            "code",
            "name",
            "federation",
            "sector",
            "founded_on",
            "status",
            "employees",
            "active_members",
        )
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("No grassroots union matches.")

    def render_status(self, record):
        return union_status(record)
