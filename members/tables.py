"""The members list's table."""

from __future__ import annotations

from operator import attrgetter

from django.utils.translation import gettext_lazy as _

from unionboard.tables import Column, Table, day, link


class MemberTable(Table):
    """The members a user may see; paged by keys, never counted (a city has 700.000)."""

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
