"""Forms for grassroots unions: founding, editing and the life events (suspend, reactivate, dissolve).

The forms read what the user typed; the rules (dates, changes of status) are the model's
and the services' (GrassrootsUnion.clean, branches.services), shared with the import and
the admin.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from branches.models import Employer, Federation, GrassrootsUnion, UnionStatus
from branches.selectors import union_code_suggestion
from unionboard.forms import DateInput, RuleErrorsMixin, RulesModelForm


class UnionForm(RulesModelForm):
    """Found a union in one of the user's federations, or correct its details.

    A new union's code may be left empty: it is then made from the federation's code and
    the name (branches.selectors.union_code_suggestion), and a form shown again with an
    error elsewhere shows that code filled in.
    """

    class Meta:
        model = GrassrootsUnion
        # The name and federation first: a code left empty is made from them.
        fields = ["name", "federation", "code", "sector", "founded_on", "employees"]
        widgets = {"founded_on": DateInput()}

    code_suggested = False

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = Federation.objects.editable_by(user).vi_ordered()
        self.fields["federation"].empty_label = None
        if self.instance.pk:
            # The federation and the founding credit move only through the admin (mergers).
            del self.fields["federation"]
            self.fields["code"].disabled = True
        else:
            first = self.fields["federation"].queryset.first()
            example = union_code_suggestion(
                federation_code=first.code if first else "", name=str(_("Garment Company No. 10"))
            )
            self.fields["code"].required = False
            self.fields["code"].help_text = _(
                "Leave it empty to use a code made from the federation and the name, such as %(example)s."
            ) % {"example": example}

    def clean(self):
        cleaned = super().clean()
        federation, name = cleaned.get("federation"), cleaned.get("name")
        new = not self.instance.pk
        if new and not cleaned.get("code") and "code" not in self.errors and federation and name:
            cleaned["code"] = union_code_suggestion(federation_code=federation.code, name=name)
            self.code_suggested = True
            self.data = self.data.copy()
            self.data[self.add_prefix("code")] = cleaned["code"]
        return cleaned


class UnionEventForm(RuleErrorsMixin, forms.Form):
    """A life event with its date: suspend, reactivate or dissolve (branches.services.union_set_status)."""

    EVENTS = {
        "suspend": (UnionStatus.SUSPENDED, _("Suspend")),
        "reactivate": (UnionStatus.ACTIVE, _("Reactivate")),
        "dissolve": (UnionStatus.DISSOLVED, _("Dissolve")),
    }
    rule_fields = {"status_on": "on"}

    on = forms.DateField(label=_("Date"), widget=DateInput())

    def __init__(self, *args, union: GrassrootsUnion, event: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.union = union
        self.status, self.label = self.EVENTS[event]


class EmployerForm(RulesModelForm):
    """Record or correct an employer of one of the user's federations (rules: Employer.clean)."""

    class Meta:
        model = Employer
        fields = ["tax_code", "name", "ward", "sector", "federation", "employees", "counted_on", "union"]
        widgets = {"counted_on": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        federations = Federation.objects.editable_by(user).vi_ordered()
        self.fields["federation"].queryset = federations
        self.fields["federation"].empty_label = None
        self.fields["union"].queryset = (
            GrassrootsUnion.objects.editable_by(user).order_by("name_sort", "code")
        )
        self.fields["union"].label_from_instance = lambda union: f"{union.name} ({union.code})"
        self.fields["union"].empty_label = _("None (not covered)")
        self.fields["union"].help_text = _("The grassroots union inside this employer, if it has one.")
        if self.instance.pk:
            self.initial["tax_code"] = self.instance.tax_code_display
