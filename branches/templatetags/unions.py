"""Template tags drawing a union's status (branches.cells): the same HTML the tables draw."""

from __future__ import annotations

from django import template

from branches.cells import union_status

register = template.Library()
register.simple_tag(union_status)
