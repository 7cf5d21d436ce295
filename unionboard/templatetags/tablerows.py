"""`{% table_row row %}`: a django-tables2 row drawn in one pass.

django-tables2's row template asks every cell for its column's attributes, which are
rebuilt from the table's and the column's on each call: on a page of 50 members that
was more time than the cells themselves. A column's cell attributes are the same on
every row unless one is computed from the record, so they are built once per table;
a column with computed attributes still gets them cell by cell. The output is the
template's: `<tr attrs><td attrs>cell</td>…</tr>`, cells localized as `{{ cell }}`.
"""

from __future__ import annotations

from django import template
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django_tables2.columns.base import BoundColumn
from django_tables2.rows import BoundRow

register = template.Library()


def _fixed_cell_attrs(column: BoundColumn) -> SafeString | None:
    """The column's <td> attributes if no record changes them, else None."""
    declared = {**column._table.attrs, **column.column.attrs}
    td = declared.get("td", declared.get("cell", {}))
    if any(callable(value) for value in td.values()):
        return None
    return column.attrs["td"].as_html()


@register.simple_tag
def table_row(row: BoundRow) -> SafeString:
    table = row.table
    fixed = getattr(table, "_fixed_cell_attrs", None)
    if fixed is None:
        fixed = table._fixed_cell_attrs = {column.name: _fixed_cell_attrs(column) for column in table.columns}
    cells = []
    for column, cell in row.items():
        attrs = fixed[column.name]
        if attrs is None:
            attrs = column.attrs["td"].as_html()
        value = cell if column.localize is False else localize(cell)
        cells.append((attrs, value))
    return format_html(
        "<tr {}>{}</tr>", row.attrs.as_html(), format_html_join("", "<td {}>{}</td>", cells)
    )
