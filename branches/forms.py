"""Forms for grassroots unions: founding, editing and the life events (suspend, reactivate, dissolve).

The forms read what the user typed; the rules (dates, changes of status) are the model's
and the services' (GrassrootsUnion.clean, branches.services), shared with the import and
the admin.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from branches.models import Federation, GrassrootsUnion, UnionStatus
from unionboard.forms import DateInput, RuleErrorsMixin, RulesModelForm


class UnionForm(RulesModelForm):
    """Found a union in one of the user's federations, or correct its details."""

    class Meta:
        model = GrassrootsUnion
        fields = ["code", "name", "federation", "sector", "founded_on", "employees"]
        widgets = {"founded_on": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = Federation.objects.editable_by(user).vi_ordered()
        self.fields["federation"].empty_label = None
        if self.instance.pk:
            # The federation and the founding credit move only through the admin (mergers).
            del self.fields["federation"]
            self.fields["code"].disabled = True


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
