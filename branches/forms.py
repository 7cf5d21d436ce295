"""Forms for grassroots unions: founding, editing and the life events (suspend, reactivate, dissolve)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from branches.models import Federation, GrassrootsUnion, UnionStatus
from unionboard.forms import DateInput, not_in_future


class UnionForm(forms.ModelForm):
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

    def clean_founded_on(self):
        return not_in_future(self.cleaned_data["founded_on"])


class UnionEventForm(forms.Form):
    """A life event with its date: suspend, reactivate or dissolve."""

    EVENTS = {
        "suspend": (UnionStatus.SUSPENDED, _("Suspend"), {UnionStatus.ACTIVE}),
        "reactivate": (UnionStatus.ACTIVE, _("Reactivate"), {UnionStatus.SUSPENDED}),
        "dissolve": (UnionStatus.DISSOLVED, _("Dissolve"), {UnionStatus.ACTIVE, UnionStatus.SUSPENDED}),
    }

    on = forms.DateField(label=_("Date"), widget=DateInput())

    def __init__(self, *args, union: GrassrootsUnion, event: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.union = union
        self.status, self.label, self.allowed_from = self.EVENTS[event]

    def clean(self):
        cleaned = super().clean()
        if self.union.status not in self.allowed_from:
            raise forms.ValidationError(
                _("This union is %(status)s: that change is not possible."),
                params={"status": self.union.get_status_display().lower()},
            )
        return cleaned

    def clean_on(self):
        on = not_in_future(self.cleaned_data["on"])
        if on < self.union.founded_on:
            raise forms.ValidationError(_("The date cannot precede the founding."))
        if self.union.status_on and on < self.union.status_on:
            raise forms.ValidationError(_("The date cannot precede the union's last change of status."))
        return on
