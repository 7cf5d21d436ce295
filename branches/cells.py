"""A grassroots union's status badge: one place decides its colour, symbol and words."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from branches.models import GrassrootsUnion, UnionStatus

# status: (badge colour, symbol)
BADGES = {
    UnionStatus.ACTIVE: ("success", "●"),
    UnionStatus.SUSPENDED: ("warning", "⏸"),
}
OTHER = ("secondary", "✖")


def union_status(union: GrassrootsUnion) -> SafeString:
    """The status badge, and the day of the change for a suspended or dissolved union."""
    colour, symbol = BADGES.get(UnionStatus(union.status), OTHER)
    badge = format_html(
        '<span class="badge text-bg-{}"><span aria-hidden="true">{}</span> {}</span>',
        colour, symbol, union.get_status_display(),
    )
    if union.status_on and union.status != UnionStatus.ACTIVE:
        return format_html(
            '{} <span class="small text-secondary">{}</span>',
            badge, date_format(union.status_on, "SHORT_DATE_FORMAT"),
        )
    return badge
