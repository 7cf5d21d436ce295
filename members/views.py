"""Members in the browser: list, admit, correct, record a departure, transfer; scoped to the user."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from branches.models import GrassrootsUnion
from members import services
from members.filters import MemberFilter
from members.forms import DepartureForm, MemberForm, TransferForm
from members.models import Member, Transfer
from members.tables import MemberTable
from unionboard import roles
from unionboard.access import object_to_edit, require_editor
from unionboard.pagecache import CachedContentView, visible_federations
from unionboard.revisions import ITSELF, RECORDS, Reads


def _member_to_edit(request, card_no: str) -> Member:
    return object_to_edit(
        Member.objects.visible_to(request.user).select_related("union"),
        Member.objects.editable_by(request.user),
        card_no=card_no,
    )


class MemberListView(CachedContentView):
    """The members the user may see, filtered, sorted and paged."""

    page = "members"
    template_name = "members/member_list.html"

    def reads(self) -> list[Reads]:
        """The records of the user's federations: their members (with their unions) and names."""
        return [Reads(visible_federations(self.request.user), (RECORDS, ITSELF))]

    def get_content_context(self) -> dict[str, Any]:
        request = self.request
        members = Member.objects.visible_to(request.user).select_related("union")
        filterset = MemberFilter(request.GET or None, queryset=members, user=request.user)
        table = MemberTable(filterset.qs, request)  # newest first unless ?sort= says otherwise
        return {"filter": filterset, "table": table, "can_edit": roles.can_edit_records(request.user)}


def member_detail(request, card_no: str):
    member = get_object_or_404(
        Member.objects.visible_to(request.user).select_related("union__federation", "admitted_federation"),
        card_no=card_no,
    )
    transfers = Transfer.objects.filter(member=member).select_related("from_union", "to_union", "recorded_by")
    history = (
        member.history.select_related("history_user").order_by("-history_date")[:20]
        if request.user.is_staff
        else []
    )
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "transfers": transfers,
            "history": history,
            "can_edit": Member.objects.editable_by(request.user).filter(pk=member.pk).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def member_create(request):
    require_editor(request.user)
    initial = {}
    if code := request.GET.get("union"):
        initial["union"] = GrassrootsUnion.objects.editable_by(request.user).filter(code=code).first()
    form = MemberForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_admit(member=form.save(commit=False), user=request.user)
        except ValidationError as exc:  # e.g. the card number recorded meanwhile by someone else
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s admitted.") % {"name": member.full_name})
            return redirect(member)
    return render(request, "members/member_form.html", {"form": form, "title": _("Admit a member")})


@require_http_methods(["GET", "POST"])
def member_edit(request, card_no: str):
    member = _member_to_edit(request, card_no)
    form = MemberForm(request.POST or None, instance=member, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Changes saved."))
        return redirect(member)
    return render(
        request,
        "members/member_form.html",
        {
            "form": form,
            "member": member,
            "title": _("Edit %(name)s") % {"name": member.full_name},
        },
    )


@require_http_methods(["GET", "POST"])
def member_leave(request, card_no: str):
    member = _member_to_edit(request, card_no)
    form = DepartureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_leave(
                member=member, left_on=form.cleaned_data["left_on"],
                reason=form.cleaned_data["left_reason"], user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Departure recorded."))
            return redirect(member)
    return render(
        request,
        "members/member_action.html",
        {
            "form": form,
            "member": member,
            "title": _("Record a departure"),
        },
    )


@require_http_methods(["GET", "POST"])
def member_transfer(request, card_no: str):
    member = _member_to_edit(request, card_no)
    form = TransferForm(request.POST or None, member=member)
    transfer = None
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.member_transfer(
                member=member, to_union=form.cleaned_data["to_union"],
                transferred_on=form.cleaned_data["transferred_on"], user=request.user,
                from_union=form.cleaned_data["from_union"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
    if transfer is not None:
        messages.success(
            request,
            _("%(name)s moved to %(union)s.")
            % {
                "name": member.full_name,
                "union": transfer.to_union.name,
            },
        )
        if Member.objects.visible_to(request.user).filter(pk=member.pk).exists():
            return redirect(member)
        return redirect(transfer.from_union)  # moved out of the user's federations
    return render(
        request,
        "members/member_action.html",
        {
            "form": form,
            "member": member,
            "title": _("Transfer to another union"),
        },
    )
