"""Forms for members: admission, correction, departure and transfer, each with its dated rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from branches.models import GrassrootsUnion, UnionStatus
from members.models import Member, MemberStatus, Transfer
from unionboard.forms import DateInput, not_in_future


class MemberForm(forms.ModelForm):
    """Admit a member into one of the user's unions, or correct a member's details."""

    class Meta:
        model = Member
        fields = ["card_no", "full_name", "gender", "birth_date", "union", "admitted_on"]
        widgets = {"birth_date": DateInput(), "admitted_on": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["union"]  # a member changes union only through a transfer
        else:
            self.fields["union"].queryset = (
                GrassrootsUnion.objects.editable_by(user)
                .filter(status=UnionStatus.ACTIVE)
                .select_related("federation")
                .order_by("name_sort", "code")
            )
            self.fields["union"].label_from_instance = lambda u: f"{u.name} ({u.code})"

    def clean_birth_date(self):
        return not_in_future(self.cleaned_data["birth_date"])

    def clean_admitted_on(self):
        return not_in_future(self.cleaned_data["admitted_on"])

    def clean(self):
        cleaned = super().clean()
        union = cleaned.get("union") or (self.instance.union if self.instance.pk else None)
        admitted, born = cleaned.get("admitted_on"), cleaned.get("birth_date")
        if union and admitted and admitted < union.founded_on:
            self.add_error("admitted_on", _("The admission cannot precede the union's founding."))
        if born and admitted and born >= admitted:
            self.add_error("birth_date", _("The date of birth must precede the admission."))
        if self.instance.pk and admitted and self.instance.left_on and admitted > self.instance.left_on:
            self.add_error("admitted_on", _("The admission cannot follow the departure."))
        return cleaned


class DepartureForm(forms.Form):
    left_on = forms.DateField(label=_("Left on"), widget=DateInput())

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_left_on(self):
        left_on = not_in_future(self.cleaned_data["left_on"])
        if left_on < self.member.admitted_on:
            raise forms.ValidationError(_("The leaving date cannot precede the admission."))
        return left_on

    def save(self) -> Member:
        self.member.status, self.member.left_on = MemberStatus.LEFT, self.cleaned_data["left_on"]
        self.member.save()
        return self.member


class TransferForm(forms.Form):
    """Move a member to another union, in this federation or another; the admission credit stays."""

    to_union = forms.CharField(
        label=_("Receiving union (code)"),
        max_length=50,
        help_text=_("The code of the grassroots union the member moves to, in any federation."),
    )
    transferred_on = forms.DateField(label=_("Transferred on"), widget=DateInput())

    def __init__(self, *args, member: Member, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.member, self.user = member, user

    def clean_to_union(self):
        code = self.cleaned_data["to_union"].strip()
        union = GrassrootsUnion.objects.filter(code=code).select_related("federation").first()
        if union is None:
            raise forms.ValidationError(
                _("No grassroots union has the code “%(code)s”."), params={"code": code}
            )
        if union.pk == self.member.union_id:
            raise forms.ValidationError(_("The member is already in this union."))
        if union.status != UnionStatus.ACTIVE:
            raise forms.ValidationError(_("That union is not active."))
        return union

    def clean_transferred_on(self):
        day = not_in_future(self.cleaned_data["transferred_on"])
        if day < self.member.admitted_on:
            raise forms.ValidationError(_("The transfer cannot precede the admission."))
        last = (
            self.member.transfers.order_by("-transferred_on").values_list("transferred_on", flat=True).first()
        )
        if last and day < last:
            raise forms.ValidationError(_("The transfer cannot precede the member's previous transfer."))
        return day

    def clean(self):
        cleaned = super().clean()
        union, day = cleaned.get("to_union"), cleaned.get("transferred_on")
        if union and day and day < union.founded_on:
            self.add_error("transferred_on", _("The receiving union was not founded yet on that date."))
        if self.member.status != MemberStatus.ACTIVE:
            raise forms.ValidationError(_("A member who has left cannot be transferred."))
        return cleaned

    def save(self) -> Transfer:
        transfer = Transfer.objects.create(
            member=self.member,
            from_union_id=self.member.union_id,
            to_union=self.cleaned_data["to_union"],
            transferred_on=self.cleaned_data["transferred_on"],
            recorded_by=self.user,
        )
        self.member.union = self.cleaned_data["to_union"]
        self.member.save()
        return transfer
