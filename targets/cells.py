"""How a metric's progress is drawn: the figure, the bar and the status badge.

In Python rather than in included templates: the rankings draw 90 of them, and one
place decides which status gets which colour, symbol and words.
"""

from __future__ import annotations

from functools import lru_cache

from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from targets.progress import BEHIND, EXCEEDED, MET, NOT_MET, ON_PACE, MetricProgress

# status: (badge colour, symbol, words)
BADGES = {
    EXCEEDED: ("success", "✔", _("Quota reached")),
    ON_PACE: ("primary", "●", _("On pace")),
    BEHIND: ("warning", "▼", _("Behind pace")),
    MET: ("success", "✔", _("Quota met")),
    NOT_MET: ("danger", "✘", _("Quota not met")),
}


def status_badge(status: str | None) -> SafeString:
    if status not in BADGES:
        return SafeString("")
    return _badge(status, get_language())


@lru_cache(maxsize=16)
def _badge(status: str, language: str | None) -> SafeString:
    """One badge per status and language: the overview draws 1.400 of them for a country."""
    colour, symbol, words = BADGES[status]
    return format_html(
        '<span class="badge text-bg-{} status-badge align-self-start">'
        '<span aria-hidden="true">{}</span> {}</span>',
        colour, symbol, words,
    )


def progress_bar(m: MetricProgress, label: str | Promise) -> SafeString:
    """The bar (capped at 100 % wide), labelled for screen readers, and the status badge."""
    pct = str(m.pct)
    return format_html(
        '<div class="progress" role="progressbar" aria-label="{}" aria-valuenow="{}" '
        'aria-valuemin="0" aria-valuemax="100">\n'
        '  <div class="progress-bar status-{}" style="width: {}%"></div>\n</div>\n{}',
        label, pct, m.status, "100" if (m.pct or 0) > 100 else pct, status_badge(m.status),
    )


def progress_cell(m: MetricProgress, label: str | Promise) -> SafeString:
    """"actual/target — pct%" over the bar; "actual · no quota" without a quota."""
    if not m.target:
        return format_html(
            '<span class="text-secondary">{} · {}</span>', localize(m.actual), _("no quota")
        )
    return format_html(
        '<div class="d-flex flex-column gap-1 progress-cell">\n'
        '  <span class="text-nowrap">{}/{} — <strong>{}%</strong></span>\n  {}\n</div>',
        localize(m.actual), localize(m.target), floatformat(m.pct, "1g"), progress_bar(m, label),
    )
