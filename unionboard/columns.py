"""Table columns shared by the apps' django-tables2 tables."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.formats import date_format


class DayColumn(tables.Column):
    """A date as the locale writes it short (31/10/2020 in Vietnamese).

    django-tables2's DateColumn compiles a template for every cell; a members page has
    a hundred dates, so this one formats them directly.
    """

    def render(self, value):
        return date_format(value, "SHORT_DATE_FORMAT")

    def value(self, value):
        return value.isoformat()
