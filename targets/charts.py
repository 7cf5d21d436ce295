"""Plotly figures built from the plain rows of targets.progress (a chart never queries).

Each function returns the figure as JSON text, safe to place inside a
`<script type="application/json">` block; static/js/charts.js draws it locally.
Figures are written as plotly.js reads them (traces and a layout) and serialized by
plotly without its property-by-property validation, which cost tens of milliseconds a
chart; the tests validate every chart the pages draw against plotly's schema.
"""

from __future__ import annotations

import calendar
from decimal import Decimal

import plotly.io as pio
from django.utils.dates import MONTHS_3
from django.utils.formats import get_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from targets.progress import (
    BEHIND,
    EXCEEDED,
    MET,
    NOT_MET,
    ON_PACE,
    FederationProgress,
    MonthPoint,
    Period,
)

pio.templates.default = "none"

# Colour plus a fill pattern, so the status also reads in greyscale and for colour-blind users.
STATUS_STYLE = {
    EXCEEDED: {"color": "#1a7f37", "pattern": ""},
    ON_PACE: {"color": "#2f6db5", "pattern": "/"},
    BEHIND: {"color": "#c26a00", "pattern": "x"},
    MET: {"color": "#1a7f37", "pattern": ""},
    NOT_MET: {"color": "#b42318", "pattern": "x"},
}
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", "size": 13}
# Figures written beside their bars cross the pace marks and the quota line: a white halo
# keeps each one readable over them.
BAR_TEXT = {"shadow": "1px 0 2px #fff, -1px 0 2px #fff, 0 1px 2px #fff, 0 -1px 2px #fff"}


def status_label(status: str | None) -> str:
    return {
        EXCEEDED: _("Quota reached"),
        ON_PACE: _("On pace"),
        BEHIND: _("Behind pace"),
        MET: _("Quota met"),
        NOT_MET: _("Quota not met"),
    }.get(status or "", _("No quota"))


def separators() -> str:
    """Plotly's decimal and thousands marks for the active language (vi: 123,2 and 4.550)."""
    return ",." if (get_language() or "vi").startswith("vi") else ".,"


def _numbers():
    """A function writing numbers as the active language does, grouped (vi: 4.550 and 123,2).

    What django.utils.formats.number_format gives, with the marks looked up once per chart
    rather than per number: the overview writes some 4.000 of them for a country.
    """
    marks = str.maketrans({",": get_format("THOUSAND_SEPARATOR"), ".": get_format("DECIMAL_SEPARATOR")})
    return lambda value, decimals=0: f"{value:,.{decimals}f}".translate(marks)


def _layout(**extra) -> dict:
    layout = {
        "separators": separators(),
        "font": FONT,
        "margin": {"l": 10, "r": 20, "t": 30, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "hoverlabel": {"namelength": -1},
    }
    layout.update(extra)
    return layout


def to_json(data: list[dict], layout: dict) -> str:
    """Figure JSON with '<' escaped, so no name can close the script block it sits in."""
    figure = {"data": data, "layout": layout}
    return pio.to_json(figure, validate=False).replace("<", "\\u003c")


def attainment_bars(rows: list[FederationProgress], metric: str) -> str:
    """Attainment % per federation for one metric, sorted, with 100% and each pace marked."""
    rows = [row for row in rows if row.metrics[metric].has_quota]
    rows.sort(key=lambda row: (row.metrics[metric].ratio, row.code))
    number = _numbers()
    data = []
    for status in (NOT_MET, BEHIND, ON_PACE, EXCEEDED, MET):
        subset = [row for row in rows if row.metrics[metric].status == status]
        if not subset:
            continue
        style = STATUS_STYLE[status]
        data.append(dict(
            type="bar",
            name=status_label(status),
            orientation="h",
            y=[row.name for row in subset],
            x=[float(row.metrics[metric].pct or 0) for row in subset],
            marker={"color": style["color"], "pattern": {"shape": style["pattern"]}},
            customdata=[
                [
                    number(float(row.metrics[metric].shown or 0), 0 if row.metrics[metric].accrues else 1),
                    number(row.metrics[metric].target),
                ]
                for row in subset
            ],
            hovertemplate="%{y}<br>%{customdata[0]} / %{customdata[1]} — %{x:.1f}%<extra></extra>",
            text=[f"{number(row.metrics[metric].pct, 1)}%" for row in subset],
            textposition="outside",
            textfont=BAR_TEXT,
            constraintext="none",  # thin bars (a phone, paper) would shrink the figures to nothing
            cliponaxis=False,
        ))
    data.append(dict(
        type="scatter",
        name=_("Pace (where an even pace would be)"),
        mode="markers",
        y=[row.name for row in rows],
        x=[float(row.metrics[metric].pace_pct or 0) for row in rows],
        marker={"symbol": "line-ns-open", "size": 14, "color": "#222", "line": {"width": 2}},
        hovertemplate="%{y}<br>" + _("Pace") + ": %{x:.1f}%<extra></extra>",
    ))
    height = max(320, 22 * len(rows) + 120)
    top = max([float(row.metrics[metric].pct or 0) for row in rows] + [100.0])
    layout = _layout(
        height=height,
        margin={"l": 10, "r": 56, "t": 30, "b": 40},  # room for "148,2%" beyond the longest bar
        barmode="overlay",
        xaxis={"title": {"text": _("Attainment (%)")}, "ticksuffix": "%", "range": [0, top * 1.15],
               "tickformat": ",d", "gridcolor": "#ddd"},
        yaxis={"categoryorder": "array", "categoryarray": [row.name for row in rows],
               "automargin": True},
        shapes=[{  # the quota: a dashed line at 100 %
            "type": "line", "x0": 100, "x1": 100, "xref": "x", "y0": 0, "y1": 1,
            "yref": "y domain", "line": {"color": "#444", "dash": "dash", "width": 1},
        }],
    )
    return to_json(data, layout)


def month_labels() -> list[str]:
    """Short month names in the active language (vi: "Tháng 1", en: "Jan")."""
    return [str(MONTHS_3[month]).capitalize() for month in range(1, 13)]


def cumulative_line(
    points: list[MonthPoint], target: int | None, period: Period
) -> str:
    """Cumulative actual by month against the straight pace line to the target, and last year."""
    labels = month_labels()
    data = []
    if target:
        pace = []
        for month in range(1, 13):
            month_end = calendar.monthrange(period.year, month)[1]
            elapsed = sum(calendar.monthrange(period.year, m)[1] for m in range(1, month)) + month_end
            pace.append(float(Decimal(target) * elapsed / period.days_in_year))
        data.append(dict(
            type="scatter", name=_("Even pace to the quota"), x=labels, y=pace, mode="lines",
            line={"color": "#777", "dash": "dot"},
            hovertemplate="%{x}: %{y:,.0f}<extra></extra>",
        ))
    data.append(dict(
        type="scatter", name=str(period.year - 1), x=labels[: len(points)],
        y=[point.previous_cumulative for point in points], mode="lines+markers",
        line={"color": "#9aa5b1", "dash": "dash"}, marker={"symbol": "circle-open"},
        hovertemplate="%{x}: %{y:,d}<extra></extra>",
    ))
    data.append(dict(
        type="scatter", name=str(period.year), x=labels[: len(points)],
        y=[point.cumulative for point in points],
        mode="lines+markers", line={"color": "#8b1414", "width": 3},
        hovertemplate="%{x}: %{y:,d}<extra></extra>",
    ))
    layout = _layout(
        height=340,
        yaxis={"tickformat": ",d", "rangemode": "tozero", "gridcolor": "#ddd", "automargin": True},
        xaxis={"type": "category", "automargin": True},
    )
    return to_json(data, layout)


def sector_bars(rows: list[dict]) -> str:
    """Active grassroots unions by sector."""
    number = _numbers()
    bars = dict(
        type="bar",
        x=[str(row["label"]) for row in rows],
        y=[row["unions"] for row in rows],
        marker={"color": "#2f6db5"},
        text=[number(row["unions"]) for row in rows],
        textposition="outside",
        textfont=BAR_TEXT,
        cliponaxis=False,
        hovertemplate="%{x}: %{y:,d}<extra></extra>",
    )
    layout = _layout(
        height=320, showlegend=False,
        yaxis={"tickformat": ",d", "rangemode": "tozero", "gridcolor": "#ddd", "automargin": True},
    )
    return to_json([bars], layout)
