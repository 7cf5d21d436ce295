"""Filters of the unions list: federation, sector, status, founded year, name or code."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branches.models import (
    PRIORITY_SIZE,
    Employer,
    Federation,
    GrassrootsUnion,
    Sector,
    UnionStatus,
)
from unionboard.text import fold


class UnionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or code"), method="search")
    federation = django_filters.ModelChoiceFilter(label=_("Federation"), queryset=Federation.objects.none())
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Sector.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=UnionStatus.choices)
    founded_year = django_filters.NumberFilter(
        label=_("Founded in (year)"), method="founded_in", min_value=1945, max_value=2100
    )

    class Meta:
        model = GrassrootsUnion
        fields = ["q", "federation", "sector", "status", "founded_year"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["federation"].queryset = Federation.objects.visible_to(user).vi_ordered()

    def search(self, queryset, name, value):
        """Diacritics ignored: "thanh xuan" finds "Thanh Xuân"; a code matches from its start."""
        return queryset.filter(Q(name_search__contains=fold(value)) | Q(code__istartswith=value.strip()))

    def founded_in(self, queryset, name, value):
        year = int(value)
        return queryset.filter(founded_on__range=(datetime.date(year, 1, 1), datetime.date(year, 12, 31)))


class EmployerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or tax code"), method="search")
    federation = django_filters.ModelChoiceFilter(label=_("Federation"), queryset=Federation.objects.none())
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Sector.choices)
    covered = django_filters.ChoiceFilter(
        label=_("Grassroots union"), method="by_cover",
        choices=[("yes", _("Covered (has a union)")), ("no", _("Not covered"))],
    )
    large = django_filters.BooleanFilter(
        label=_("25 employees or more"), method="by_size", widget=forms.CheckboxInput,
    )

    class Meta:
        model = Employer
        fields = ["q", "federation", "sector", "covered", "large"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["federation"].queryset = Federation.objects.visible_to(user).vi_ordered()

    def search(self, queryset, name, value):
        """Diacritics ignored: "anh sang" finds "Ánh Sáng"; a tax code matches from its start."""
        digits = value.replace("-", "").replace(" ", "").strip()
        condition = Q(name_search__contains=fold(value))
        if digits.isdigit():
            condition |= Q(tax_code__startswith=digits)
        return queryset.filter(condition)

    def by_cover(self, queryset, name, value):
        return queryset.filter(union__isnull=value != "yes")

    def by_size(self, queryset, name, value):
        return queryset.filter(employees__gte=PRIORITY_SIZE) if value else queryset
