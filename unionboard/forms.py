"""Form pieces shared by the apps: date inputs and the rule that records are not dated ahead."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """A date typed the way the language writes it: 31/10/2020 in Vietnamese (ISO also accepted).

    Not the browser's date picker: it shows the browser's own locale (mm/dd/yyyy on an
    English Windows), whatever language the page is in.
    """

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", "autocomplete": "off"}
            | (attrs or {})
        )


def not_in_future(day: datetime.date | None) -> datetime.date | None:
    if day and day > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return day
