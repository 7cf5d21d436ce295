"""Form pieces shared by the apps: date inputs, and forms that show the models' rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
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


class RuleErrorsMixin:
    """Show the messages of a model's rules or of a write service on this form.

    The rules key each message on the model's field; a form may call that field otherwise
    (`rule_fields`, e.g. a union's `status_on` is the event form's `on`) or not show it at
    all (a member's leaving date on the correction form): such messages go above the form
    rather than crash it, as Django's `add_error` would for an unknown field.
    """

    rule_fields: dict[str, str] = {}

    def add_error(self, field, error):
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            regrouped: dict[str, list] = {}
            for name, errors in error.error_dict.items():
                name = self.rule_fields.get(name, name)
                if name != NON_FIELD_ERRORS and name not in self.fields:
                    name = NON_FIELD_ERRORS
                regrouped.setdefault(name, []).extend(errors)
            error = ValidationError(regrouped)
        super().add_error(field, error)


class RulesModelForm(RuleErrorsMixin, forms.ModelForm):
    """A model form that shows every message of the model's `clean`, whichever fields it has."""
