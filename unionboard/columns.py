"""Table columns shared by the apps' django-tables2 tables."""

from __future__ import annotations

import django_tables2 as tables
from django.template.loader import get_template


class CellTemplateColumn(tables.TemplateColumn):
    """A TemplateColumn whose template sees only its own cell.

    django-tables2 renders a TemplateColumn with the whole page context and the request,
    so every cell runs every context processor again: 90 progress cells on the rankings
    made the page ten times slower than its queries. Cell templates here need nothing
    but the cell (record, value, column and the column's extra context), so they get
    just that.
    """

    def render(self, record, table, value, bound_column, **kwargs):
        context = self.get_context_data(
            record=record, table=table, value=value, bound_column=bound_column, **kwargs
        )
        return get_template(self.template_name).render(context)
