"""Filters of the members list: federation, union, status, admitted year, gender, name or card."""

from __future__ import annotations

import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branches.models import Federation, GrassrootsUnion
from members.models import Gender, Member, MemberStatus
from unionboard import roles
from unionboard.text import fold


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or card number"), method="search")
    federation = django_filters.ModelChoiceFilter(
        label=_("Federation"), queryset=Federation.objects.none(), field_name="union__federation"
    )
    union = django_filters.ModelChoiceFilter(
        label=_("Grassroots union"), queryset=GrassrootsUnion.objects.none()
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MemberStatus.choices)
    admitted_year = django_filters.NumberFilter(
        label=_("Admitted in (year)"), method="admitted_in", min_value=1945, max_value=2100
    )
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Gender.choices)

    class Meta:
        model = Member
        fields = ["q", "federation", "union", "status", "admitted_year", "gender"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["federation"].queryset = Federation.objects.visible_to(user).vi_ordered()
        unions = GrassrootsUnion.objects.visible_to(user).order_by("name_sort", "code")
        if roles.is_city_wide(user):
            # Thousands of unions city-wide: offer a federation's unions once one is chosen.
            # The choice is read through the federation field, which refuses anything that is
            # not one of the user's federations (text, 10^30) before it reaches a query.
            try:
                federation = self.filters["federation"].field.clean((data or {}).get("federation"))
            except ValidationError:
                federation = None
            unions = unions.filter(federation=federation) if federation else unions.none()
        self.filters["union"].queryset = unions

    def search(self, queryset, name, value):
        """A card number matches from its start; a name ignores diacritics ("nguyen" finds "Nguyễn")."""
        value = value.strip()
        return queryset.filter(Q(card_no__startswith=value.upper()) | Q(name_search__contains=fold(value)))

    def admitted_in(self, queryset, name, value):
        year = int(value)
        return queryset.filter(admitted_on__range=(datetime.date(year, 1, 1), datetime.date(year, 12, 31)))
