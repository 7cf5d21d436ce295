"""Forms for members: admission, correction, departure and transfer.

The forms read what the user typed; the dated rules are the model's and the services'
(Member.clean, Transfer.clean, members.services), shared with the import and the admin.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import GrassrootsUnion, UnionStatus
from branches.selectors import receiving_unions
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
            # Most admissions are recorded on the day: today's date, in the city's time zone.
            self.fields["admitted_on"].initial = timezone.localdate
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


# A code the user cannot transfer into gets one answer, whether no union has it or it is
# another federation's union that is suspended or dissolved: the form must not tell an
# officer which codes other federations use (active unions are shown by the search anyway).
NO_RECEIVING_UNION = _(
    "No active grassroots union has the code “%(code)s”: search for the union and choose it "
    "from the list."
)
CONFIRM_NEEDED = _("Tick the box to confirm the transfer to another federation.")
OUT_OF_DATE = _("This form is out of date: reload the page and try again.")


class TransferForm(RuleErrorsMixin, forms.Form):
    """Move a member to another union, in this federation or another; the admission credit stays.

    The receiving union is any active union of the city (found by the page's search,
    branches.selectors.search_receiving_unions) or one of the user's own. A move out of the
    user's federations takes a second step: the page names the receiving federation and
    the user ticks `confirm` (posted with `step=confirm`), for they will no longer be
    able to change the member's record. The form carries the union the member was in when
    it was drawn: a form opened before someone else transferred the same member is refused
    (members.services.member_transfer).
    """

    to_union = forms.CharField(
        label=_("Receiving union"),
        max_length=50,
        error_messages={"required": _("Search for the receiving union and choose it from the list.")},
    )
    transferred_on = forms.DateField(label=_("Transferred on"), widget=DateInput())
    from_union = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": OUT_OF_DATE})
    confirm = forms.BooleanField(label=_("I confirm the transfer"), required=False)
    step = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, member: Member, user, **kwargs):
        kwargs["initial"] = {**kwargs.get("initial", {}), "from_union": member.union_id}
        super().__init__(*args, **kwargs)
        self.member = member
        self.user = user
        self.leaves_federations = False

    def clean_to_union(self) -> GrassrootsUnion:
        code = self.cleaned_data["to_union"].strip()
        reachable = receiving_unions() | GrassrootsUnion.objects.editable_by(self.user)
        union = reachable.filter(code=code).select_related("federation").first()
        if union is None:
            raise forms.ValidationError(NO_RECEIVING_UNION, params={"code": code})
        return union

    def clean_from_union(self) -> GrassrootsUnion:
        """The union the page showed the member in (members.services.member_transfer compares)."""
        return GrassrootsUnion(pk=self.cleaned_data["from_union"])

    def clean(self) -> dict:
        data = super().clean() or self.cleaned_data
        union = data.get("to_union")
        if union is not None:
            own = GrassrootsUnion.objects.editable_by(self.user)
            self.leaves_federations = not own.filter(pk=union.pk).exists()
        if self.leaves_federations and not data.get("confirm") and data.get("step") == "confirm":
            self.add_error("confirm", CONFIRM_NEEDED)
        return data

    @property
    def needs_confirmation(self) -> bool:
        """A valid move out of the user's federations, not confirmed yet."""
        return self.leaves_federations and not self.cleaned_data.get("confirm")
