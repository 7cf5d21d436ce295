"""The officers' report form: every reported indicator of a federation for one period."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format, localize
from django.utils.translation import gettext_lazy as _

from branches.models import Federation
from targets import progress
from targets.models import Indicator, Report, Source
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
