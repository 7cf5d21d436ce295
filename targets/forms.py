"""The officers' forms: the reported indicators of a federation for one period, and the
grades of its grassroots unions for a year."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.formats import date_format, localize
from django.utils.translation import gettext_lazy as _

from branches.models import Federation, GrassrootsUnion, UnionStatus
from targets import progress
from targets.models import Grade, Indicator, Report, Source, UnionRating
from targets.services import report_build
from unionboard.forms import DateInput


class ReportForm(forms.Form):
    """As-of date and one figure per active reported indicator, pre-filled with the latest
    report of the year. The rules are the model's (Report.clean), run on every figure."""

    as_of = forms.DateField(
        label=_("Figures as of"), widget=DateInput()
    )

    def __init__(self, *args, federation: Federation, year: int, **kwargs):
        self.federation, self.year = federation, year
        self.indicators = list(
            Indicator.objects.filter(active=True, source=Source.REPORTED).order_by("order", "code")
        )
        latest: dict[int, Report] = {}
        for report in Report.objects.filter(
            federation=federation, as_of__year=year, indicator__in=self.indicators
        ).order_by("as_of"):
            latest[report.indicator_id] = report
        today = progress.today()
        default_day = today if today.year == year else datetime.date(year, 12, 31)
        initial: dict[str, object] = {"as_of": default_day}
        for ind in self.indicators:
            if ind.pk in latest:
                initial[ind.code] = latest[ind.pk].value
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.latest = latest
        for ind in self.indicators:
            last = latest.get(ind.pk)
            self.fields[ind.code] = forms.IntegerField(
                label=ind.name, required=False,
                help_text=(
                    _("Last reported: %(value)s as of %(date)s.")
                    % {"value": localize(last.value), "date": date_format(last.as_of, "SHORT_DATE_FORMAT")}
                    if last else _("Not reported yet this year.")
                ),
            )

    def clean(self):
        cleaned = super().clean()
        as_of = cleaned.get("as_of")
        if as_of is None:
            return cleaned
        self.reports = []
        for ind in self.indicators:
            value = cleaned.get(ind.code)
            if value is None:
                continue
            try:
                report_build(
                    federation=self.federation, indicator=ind, as_of=as_of, value=value, year=self.year
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    self.add_error("as_of" if field == "as_of" else ind.code, messages)
            else:
                self.reports.append((ind, value))
        if not self.reports and not self.errors:
            raise ValidationError(_("Enter at least one figure."))
        return cleaned


class RatingsForm(forms.Form):
    """The grade of each grassroots union of a federation for one year (xếp loại CĐCS), one
    choice per union, pre-filled with the grades already given. The unions are those that
    existed in the year: founded by its end, not dissolved or suspended before it began. A
    grade left empty stays as it was; the rules are the model's (UnionRating.clean)."""

    def __init__(self, *args, federation: Federation, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        self.unions = list(
            GrassrootsUnion.objects.filter(federation=federation, founded_on__lte=end)
            .exclude(~Q(status=UnionStatus.ACTIVE), status_on__lt=start)
            .order_by("name", "code")
        )
        self.given = dict(
            UnionRating.objects.filter(union__in=self.unions, year=year).values_list("union_id", "grade")
        )
        choices = [("", _("— not rated —")), *Grade.choices]
        for union in self.unions:
            self.fields[self.field_name(union)] = forms.ChoiceField(
                label=f"{union.name} ({union.code})", choices=choices, required=False,
                initial=self.given.get(union.pk, ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    @staticmethod
    def field_name(union: GrassrootsUnion) -> str:
        return f"grade_{union.pk}"

    def rows(self):
        """(union, its grade field) for the template's table."""
        return [(union, self[self.field_name(union)]) for union in self.unions]

    @property
    def changes(self) -> list[tuple[GrassrootsUnion, str]]:
        """The grades given or changed by this form (an empty choice changes nothing)."""
        return [
            (union, grade) for union in self.unions
            if (grade := self.cleaned_data.get(self.field_name(union))) and grade != self.given.get(union.pk)
        ]
