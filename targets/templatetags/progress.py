"""Template tags drawing a metric's progress (targets.cells): the same HTML the tables draw."""

from __future__ import annotations

from django import template

from targets.cells import progress_bar, progress_cell, status_badge

register = template.Library()
register.simple_tag(status_badge)
register.simple_tag(progress_bar)
register.simple_tag(progress_cell)
