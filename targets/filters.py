"""Filters for the dashboards: year, as-of date and federation kind (django-filter)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from branches.models import Federation, FederationKind
from targets import progress
from targets.models import MEMBERSHIP, Cluster, Quota
from unionboard.forms import DateInput


class PeriodForm(forms.Form):
    """Refuses an as-of date outside the chosen year."""

    def clean(self):
        cleaned = super().clean()
        year, as_of = cleaned.get("year"), cleaned.get("as_of")
        if year and as_of and as_of.year != int(year):
            self.add_error("as_of", _("The as-of date must fall in the chosen year."))
        return cleaned


def year_choices() -> list[tuple[int, str]]:
    """Years with quotas, and every year from 2015 to next year (one query).

    Labels are strings so that no thousands separator is put into a year.
    """
    current = progress.today().year
    years = set(Quota.objects.order_by().values_list("year", flat=True).distinct())
    years.update(range(2015, current + 2))
    return [(year, str(year)) for year in sorted(years, reverse=True)]


class PeriodFilter(django_filters.FilterSet):
    """Year and as-of date; they choose the period, they do not narrow the federations."""

    year = django_filters.TypedChoiceFilter(
        label=_("Year"), method="keep", coerce=int
    )
    # The product's date input (31/10/2020 in Vietnamese), not the browser's date picker; it
    # also reads the ISO dates of the product's own links (as_of=2020-10-31).
    as_of = django_filters.DateFilter(label=_("As of"), method="keep", widget=DateInput())

    class Meta:
        model = Federation
        fields: list[str] = []
        form = PeriodForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = year_choices()

    def keep(self, queryset, name, value):
        return queryset

    def period(self) -> progress.Period:
        """The period the form asks for; the default year or date where it is empty or invalid.

        Each field counts on its own, as for the filters: an invalid kind or as-of date
        leaves a valid year standing (`years_read` relies on it). A value the form cannot
        read is never dropped silently: its error stays on its field, beside what was typed.
        """
        data = {}
        if self.is_bound:
            self.form.is_valid()  # cleans every field; the invalid ones stay out of cleaned_data
            data = self.form.cleaned_data
        year = int(data.get("year") or progress.today().year)
        as_of = data.get("as_of")
        period = progress.make_period(year, as_of if as_of and as_of.year == year else None)
        if self.is_bound:
            shown = self.form.data.copy()
            if "year" in self.form.errors:
                # A year that is no choice would leave the menu on its first year (next year);
                # it shows the year the page shows, under the error about the one asked for.
                shown["year"] = str(year)
            if as_of:
                # A link's ISO date (as_of=2020-10-31) is shown as the language writes it.
                shown["as_of"] = formats.localize_input(as_of)
            self.form.data = shown
        return period


class RankingFilter(PeriodFilter):
    kind = django_filters.ChoiceFilter(
        label=_("Kind of federation"), choices=FederationKind.choices, empty_label=_("All kinds")
    )
    indicator = django_filters.MultipleChoiceFilter(
        label=_("Indicators"), method="keep",
        widget=forms.SelectMultiple(attrs={"size": 3}),
        help_text=_("The two membership indicators unless others are chosen."),
    )

    class Meta(PeriodFilter.Meta):
        fields = ["kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Administrators add indicators: the menu is read, never written in code (one query).
        self.indicators = progress.indicators_in_force()
        self.filters["indicator"].extra["choices"] = [(ind.code, ind.name) for ind in self.indicators]

    def chosen(self) -> list:
        """The indicators asked for, in their page order; the membership two by default."""
        codes: list[str] = []
        if self.is_bound:
            self.form.is_valid()
            codes = self.form.cleaned_data.get("indicator") or []
        wanted = set(codes) or set(MEMBERSHIP)
        return [ind for ind in self.indicators if ind.code in wanted]


class LeagueFilter(RankingFilter):
    """The rankings' filters: those of the overview, and an emulation cluster of the year."""

    cluster = django_filters.ModelChoiceFilter(
        label=_("Emulation cluster"), queryset=Cluster.objects.none(), method="keep",
        empty_label=_("All federations"),
    )

    class Meta(RankingFilter.Meta):
        pass

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the clusters of the year asked for (one query when the menu is drawn)
        raw = str(self.data.get("year") or "")
        year = int(raw) if raw.isdigit() and len(raw) == 4 else progress.today().year
        self.filters["cluster"].queryset = Cluster.objects.filter(year=year).order_by("name")

    def chosen_cluster(self) -> Cluster | None:
        """The cluster chosen (of the chosen year), if any."""
        if not self.is_bound or not self.form.is_valid():
            return None
        return self.form.cleaned_data.get("cluster")


def years_read(data) -> tuple[int, ...]:
    """The years a dashboard of these query parameters reads: its year and the year before.

    Decided without the form (which reads the quota years), so a repeat view stays cheap,
    and as `period()` decides: a year the menu always offers is taken; one it might offer
    only for its quotas reads the current year and the year before too (a key may cover
    more than the page shows, never less); anything else is the current year.
    """
    current = progress.today().year
    raw = data.get("year") or str(current)
    # a year has four digits: no int() of a 10.000-digit parameter
    if raw.isdigit() and len(raw) <= 4 and str(int(raw)) == raw:
        year = int(raw)
        if 2015 <= year <= current + 1:
            return (year, year - 1)
        if 2000 <= year <= 2100:
            return tuple(sorted({year, year - 1, current, current - 1}, reverse=True))
    return (current, current - 1)
