"""Template tags drawing a metric's progress (targets.cells): the same HTML the tables draw."""

from __future__ import annotations

from django import template

from targets.cells import (
    figure_cell,
    figure_text,
    progress_bar,
    progress_cell,
    share_groups,
    status_badge,
)

register = template.Library()
register.simple_tag(status_badge)
register.simple_tag(progress_bar)
register.simple_tag(progress_cell)
register.simple_tag(figure_text)
register.simple_tag(figure_cell)
register.simple_tag(share_groups)
