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

from targets.models import Indicator, Metric, Unit
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


UNIT_WORDS: dict[str, Promise] = {
    Unit.PEOPLE: _("people"),
    Unit.UNIONS: _("unions"),
    Unit.SESSIONS: _("sessions"),
    Unit.AGREEMENTS: _("agreements"),
    Unit.DONG: _("đồng"),
}


def _amount(value, indicator: Indicator) -> str:
    if indicator.is_percent:
        return f"{floatformat(value, '1g')}%"
    return f"{localize(value)} {UNIT_WORDS.get(indicator.unit, '')}".strip()


def figure_text(m: MetricProgress, indicator: Indicator) -> str:
    """An indicator's figure as the reports write it: "1.058/1.163 people — 91,0%", "93,8%",
    and "not reported" (never 0) when a federation has not reported it."""
    if m.actual is None:
        if indicator.code in (Metric.COVERAGE, Metric.DENSITY):
            return str(_("no employers"))
        return str(_("not rated") if indicator.code == Metric.RATED_GOOD_SHARE else _("not reported"))
    if not m.target:
        return _amount(m.shown, indicator)
    if indicator.is_percent:
        return f"{_amount(m.shown, indicator)} / {m.target}% — {floatformat(m.pct, '1g')}%"
    return f"{localize(m.actual)}/{_amount(m.target, indicator)} — {floatformat(m.pct, '1g')}%"


def figure_cell(m: MetricProgress, indicator: Indicator) -> SafeString:
    """A table cell of any indicator: the figure, and the bar when it has a quota."""
    if m.actual is None:
        return format_html('<span class="text-secondary fst-italic">{}</span>', figure_text(m, indicator))
    if not m.target:
        return format_html('<span class="text-nowrap">{}</span>', figure_text(m, indicator))
    return format_html(
        '<div class="d-flex flex-column gap-1 progress-cell">\n'
        '  <span class="text-nowrap">{}</span>\n  {}\n</div>',
        figure_text(m, indicator), progress_bar(m, indicator.name),
    )


def share_groups(m: MetricProgress) -> str:
    """rated_good_share by sector group: "State sector: 94,0% · Non-state: 56,0%"."""
    from targets.progress import NON_STATE, STATE

    def shown(group: str) -> str:
        value = m.share(group)
        return f"{floatformat(value, '1g')}%" if value is not None else str(_("not rated"))

    return str(_("State sector: %(state)s · non-state sector: %(non_state)s")) % {
        "state": shown(STATE), "non_state": shown(NON_STATE),
    }
