"""The unions list's table."""

from __future__ import annotations

from operator import attrgetter

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from branches.cells import union_status
from unionboard.tables import Column, Table, day, link


class UnionTable(Table):
    """The grassroots unions a user may see, with their federation and active members."""

    columns = {
        "code": Column(_("Code"), attrgetter("code")),
        "name": Column(
            _("Grassroots union"), lambda union: link(union.get_absolute_url(), union.name),
            order_by=("name_sort", "code"),
        ),
        "federation": Column(
            _("Federation"), attrgetter("federation.name"), order_by=("federation__name_sort",)
        ),
        "sector": Column(_("Sector"), lambda union: union.get_sector_display()),
        "founded_on": Column(_("Founded on"), lambda union: day(union.founded_on)),
        "status": Column(_("Status"), union_status),
        "employees": Column(_("Employees"), attrgetter("employees"), td_class="text-end"),
        "active_members": Column(_("Active members"), attrgetter("active_members"), td_class="text-end"),
    }
    empty_text = _("No grassroots union matches.")
    count_words = ngettext_lazy("%(count)s grassroots union", "%(count)s grassroots unions", "number")
    default_sort = "name"


class EmployerTable(Table):
    """The employers a user may see, with their federation and covering union."""

    columns = {
        "tax_code": Column(
            _("Tax code"), attrgetter("tax_code_display"), order_by=("tax_code",), td_class="text-nowrap"
        ),
        "name": Column(
            _("Employer"), lambda employer: link(employer.get_absolute_url(), employer.name),
            order_by=("name_sort", "tax_code"),
        ),
        "ward": Column(_("Ward"), attrgetter("ward")),
        "federation": Column(
            _("Federation"), attrgetter("federation.name"), order_by=("federation__name_sort",)
        ),
        "sector": Column(_("Sector"), lambda employer: employer.get_sector_display()),
        "employees": Column(_("Employees"), attrgetter("employees"), td_class="text-end"),
        "counted_on": Column(_("Counted on"), lambda employer: day(employer.counted_on)),
        "union": Column(
            _("Grassroots union"),
            lambda employer: link(employer.union.get_absolute_url(), employer.union.name)
            if employer.union_id else None,
            order_by=("union__name_sort",),
        ),
    }
    empty_text = _("No employer matches.")
    default_sort = "name"
