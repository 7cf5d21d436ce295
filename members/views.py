"""Members in the browser: list, admit, correct, record a departure, transfer; scoped to the user."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from branches.models import GrassrootsUnion
from branches.selectors import PICK_LIMIT, PICK_MIN_CHARS, search_receiving_unions
from members import exports, services
from members.filters import MemberFilter
from members.forms import DepartureForm, MemberForm, TransferForm
from members.models import Member, Transfer
from members.selectors import member_record
from members.tables import MemberTable, TransferOutTable
from unionboard import roles
from unionboard.access import object_to_edit, require_editor
from unionboard.pagecache import CachedContentView, visible_federations
from unionboard.revisions import ITSELF, RECORDS, Reads
from unionboard.spreadsheets import export_query, export_response


def _member_to_edit(request, card_no: str) -> Member:
    # A member the user moved out of their federations is theirs to read, not to change: 403.
    return object_to_edit(
        Member.objects.readable_by(request.user).select_related("union"),
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
        return {
            "filter": filterset, "table": table, "can_edit": roles.can_edit_records(request.user),
            "query": export_query(request),
        }


@require_safe
def member_export(request, fmt: str):
    """Every member the list shows with these filters (the same scope: the user's federations)."""
    filterset = MemberFilter(
        request.GET or None, queryset=Member.objects.visible_to(request.user), user=request.user
    )
    if filterset.is_bound and not filterset.is_valid():  # e.g. another federation's id typed in
        return HttpResponseBadRequest(
            _("The filters are not valid: correct them on the list, then export again."),
            content_type="text/plain; charset=utf-8",
        )
    members = filterset.qs
    return export_response(
        fmt, f"members_{timezone.localdate().isoformat()}",
        header=exports.CSV_COLUMNS, csv_rows=exports.csv_rows(members) if fmt == "csv" else (),
        title=_("Members"), headings=exports.xlsx_headings(),
        xlsx_rows=exports.xlsx_rows(members) if fmt == "xlsx" else (), widths=exports.XLSX_WIDTHS,
    )


@require_safe
def member_detail(request, card_no: str):
    record = member_record(request.user, card_no)
    if record is None:
        raise Http404
    member = record.member
    history = (
        member.history.select_related("history_user").order_by("-history_date")[:20]
        if request.user.is_staff and record.left_by is None
        else []
    )
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "transfers": record.transfers,
            "left_by": record.left_by,
            "history": history,
            "can_edit": record.left_by is None
            and Member.objects.editable_by(request.user).filter(pk=member.pk).exists(),
        },
    )


def union_transfers_out(request, code: str):
    """Every transfer out of a union the user may see, newest first, each member's record linked.

    An officer finds here the members they moved to other federations, whose records they
    still read up to the transfer (members.selectors.member_record).
    """
    union = get_object_or_404(GrassrootsUnion.objects.visible_to(request.user), code=code)
    transfers = Transfer.objects.filter(from_union=union).select_related(
        "member", "to_union__federation", "recorded_by"
    )
    table = TransferOutTable(transfers, request)
    return render(request, "members/union_transfers_out.html", {"union": union, "table": table})


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
    """Choose the receiving union by a search across the city, then the date; confirm a move out.

    The search is a plain GET form (`q`) listing matching active unions with their
    federation, each with a radio button: no script, the same on a phone. A move out of
    the user's federations is checked, then put to the user to confirm, naming the
    receiving federation, before it is written.
    """
    member = _member_to_edit(request, card_no)
    form = TransferForm(request.POST or None, member=member, user=request.user)
    query = request.GET.get("q", "").strip()
    transfer = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        move = {
            "member": member, "to_union": data["to_union"], "transferred_on": data["transferred_on"],
            "from_union": data["from_union"],
        }
        try:
            if form.needs_confirmation:
                services.member_transfer_check(**move)
            else:
                transfer = services.member_transfer(**move, user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
    if transfer is not None:
        messages.success(
            request,
            _("%(name)s moved to %(union)s (%(federation)s).")
            % {"name": member.full_name, "union": transfer.to_union.name,
               "federation": transfer.to_union.federation.name},
        )
        return redirect(member)  # read only, up to the transfer, when it left the user's federations
    chosen = form.cleaned_data.get("to_union") if form.is_bound else None  # is_valid() has run
    confirming = form.is_bound and chosen is not None and (
        "confirm" in form.errors or (not form.errors and form.needs_confirmation)
    )
    results = search_receiving_unions(query, excluding=member.union_id) if not confirming else []
    if isinstance(chosen, GrassrootsUnion) and chosen.pk not in {union.pk for union in results}:
        results.insert(0, chosen)  # the union picked before stays picked when the form comes back
    return render(
        request,
        "members/member_transfer.html",
        {
            "form": form,
            "member": member,
            "title": _("Transfer to another union"),
            "query": query,
            "results": results[:PICK_LIMIT],
            "more_results": len(results) > PICK_LIMIT,
            "min_chars": PICK_MIN_CHARS,
            "limit": PICK_LIMIT,
            "chosen": chosen,
            "confirming": confirming,
        },
    )
