"""Form pieces shared by the apps: date inputs and the rule that records are not dated ahead."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """The browser's date picker (ISO value), accepted alongside dd/mm/yyyy typed in."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def not_in_future(day: datetime.date | None) -> datetime.date | None:
    if day and day > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return day
