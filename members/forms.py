"""Forms for members: admission, correction, departure and transfer.

The forms read what the user typed; the dated rules are the model's and the services'
(Member.clean, Transfer.clean, members.services), shared with the import and the admin.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from branches.models import GrassrootsUnion, UnionStatus
from members.models import LeftReason, Member
from unionboard.forms import DateInput, RuleErrorsMixin, RulesModelForm


class MemberForm(RulesModelForm):
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


class DepartureForm(RuleErrorsMixin, forms.Form):
    """A departure's date and reason (members.services.member_leave checks them)."""

    left_on = forms.DateField(label=_("Left on"), widget=DateInput())
    left_reason = forms.ChoiceField(label=_("Reason for leaving"), choices=LeftReason.choices)


class TransferForm(RuleErrorsMixin, forms.Form):
    """Move a member to another union, in this federation or another; the admission credit stays.

    The form carries the union the member was in when it was drawn: a form opened before
    someone else transferred the same member is refused (members.services.member_transfer).
    """

    to_union = forms.CharField(
        label=_("Receiving union (code)"),
        max_length=50,
        help_text=_("The code of the grassroots union the member moves to, in any federation."),
    )
    transferred_on = forms.DateField(label=_("Transferred on"), widget=DateInput())
    from_union = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, initial={"from_union": member.union_id}, **kwargs)
        self.member = member

    def clean_to_union(self) -> GrassrootsUnion:
        code = self.cleaned_data["to_union"].strip()
        union = GrassrootsUnion.objects.filter(code=code).select_related("federation").first()
        if union is None:
            raise forms.ValidationError(
                _("No grassroots union has the code “%(code)s”."), params={"code": code}
            )
        return union

    def clean_from_union(self) -> GrassrootsUnion | None:
        """The union the page showed; a form posted without it is judged against the present one."""
        pk = self.cleaned_data["from_union"]
        return None if pk is None else GrassrootsUnion(pk=pk)
