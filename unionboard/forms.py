"""Form pieces shared by the apps: date inputs, forms that show the models' rules, whether a
value can be looked up in a column at all, and the sign-in forms."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import connection, models
from django.forms.boundfield import BoundField
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


class MarkedBoundField(BoundField):
    """A required field says so to screen readers, also where HTML's `required` cannot go
    (a list without an empty choice, such as a departure's reason)."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.field.required and not (widget or self.field.widget).is_hidden:
            attrs.setdefault("aria-required", "true")
        return attrs


class RuleErrorsMixin:
    """Show the messages of a model's rules or of a write service on this form.

    The rules key each message on the model's field; a form may call that field otherwise
    (`rule_fields`, e.g. a union's `status_on` is the event form's `on`) or not show it at
    all (a member's leaving date on the correction form): such messages go above the form
    rather than crash it, as Django's `add_error` would for an unknown field.
    """

    rule_fields: dict[str, str] = {}
    # A record form marks its required fields: a star beside the label (static/css) besides
    # the inputs' `required`, which screen readers announce.
    required_css_class = "required"
    bound_field_class: type[BoundField] | None = MarkedBoundField

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


def fits_column(field: models.Field, value: object) -> bool:
    """Whether `value` can be looked up in `field`'s column at all.

    A lookup with a value of the wrong kind raises, and one past the column's integers
    (`10**30`) raises on SQLite and fails on PostgreSQL; both were answered with a 500 where
    the answer is "no such record".
    """
    try:
        prepared = field.get_prep_value(field.to_python(value))
    except (ValidationError, ValueError, TypeError):
        return False
    if isinstance(prepared, int):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return (low is None or prepared >= low) and (high is None or prepared <= high)
    return not (isinstance(prepared, str) and "\x00" in prepared)


class BoundedUsernameMixin:
    """Django's login forms announce the username's maximum length but never check it, and the
    failed sign-in was then recorded by the login throttling in a 255-character column: a
    10.000-character username answered 500 on PostgreSQL. Here the length is checked first."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginForm(BoundedUsernameMixin, AuthenticationForm):
    """The product's sign-in form."""


class AdminLoginForm(BoundedUsernameMixin, AdminAuthenticationForm):
    """The admin's sign-in form."""
