"""Grassroots unions and employers in the browser: lists, founding, editing and the life events,
scoped to the user."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from branches import exports
from branches.filters import EmployerFilter, UnionFilter
from branches.forms import EmployerForm, UnionEventForm, UnionForm
from branches.models import Employer, GrassrootsUnion
from branches.selectors import employer_of, employers_for, latest_members, latest_transfers, unions_for
from branches.services import union_found, union_set_status
from branches.tables import EmployerTable, UnionTable
from unionboard import roles
from unionboard.access import object_to_edit, require_editor
from unionboard.pagecache import CachedContentView, visible_federations
from unionboard.revisions import ITSELF, RECORDS, Reads
from unionboard.spreadsheets import export_query, export_response


class UnionListView(CachedContentView):
    """The grassroots unions the user may see, filtered, sorted and paged."""

    page = "unions"
    template_name = "branches/union_list.html"

    def reads(self) -> list[Reads]:
        """The records of the user's federations: their unions (with their members counted) and names."""
        return [Reads(visible_federations(self.request.user), (RECORDS, ITSELF))]

    def get_content_context(self) -> dict[str, Any]:
        request = self.request
        filterset = UnionFilter(request.GET or None, queryset=unions_for(request.user), user=request.user)
        table = UnionTable(filterset.qs, request)
        return {
            "filter": filterset, "table": table, "can_edit": roles.can_edit_records(request.user),
            "query": export_query(request),
        }


@require_safe
def union_export(request, fmt: str):
    """Every union the list shows with these filters (the same scope: the user's federations)."""
    filterset = UnionFilter(request.GET or None, queryset=unions_for(request.user), user=request.user)
    if filterset.is_bound and not filterset.is_valid():  # e.g. another federation's id typed in
        return HttpResponseBadRequest(
            _("The filters are not valid: correct them on the list, then export again."),
            content_type="text/plain; charset=utf-8",
        )
    unions = filterset.qs
    return export_response(
        fmt, f"unions_{timezone.localdate().isoformat()}",
        header=exports.CSV_COLUMNS, csv_rows=exports.csv_rows(unions) if fmt == "csv" else (),
        title=_("Grassroots unions"), headings=exports.xlsx_headings(),
        xlsx_rows=exports.xlsx_rows(unions) if fmt == "xlsx" else (), widths=exports.XLSX_WIDTHS,
    )


@require_safe
def union_detail(request, code: str):
    union = get_object_or_404(unions_for(request.user), code=code)
    can_edit = GrassrootsUnion.objects.editable_by(request.user).filter(pk=union.pk).exists()
    members = latest_members(union)
    transfers = latest_transfers(union)
    history = []
    if request.user.is_staff:
        history = union.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "branches/union_detail.html",
        {
            "union": union,
            "employer": employer_of(union, request.user),
            "can_edit": can_edit,
            "members": members,
            "transfers": transfers,
            "history": history,
            "events": UnionEventForm.EVENTS,
        },
    )


@require_http_methods(["GET", "POST"])
def union_create(request):
    require_editor(request.user)
    form = UnionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            union = union_found(union=form.save(commit=False), user=request.user)
        except ValidationError as exc:  # e.g. the code taken since the form was checked
            form.add_error(None, exc)
        else:
            messages.success(request, _("Grassroots union “%(name)s” recorded.") % {"name": union.name})
            if form.code_suggested:
                messages.info(request, _("Its code, made from the federation and the name: %(code)s.") % {
                    "code": union.code,
                })
            return redirect(union)
    return render(request, "branches/union_form.html", {"form": form, "title": _("Found a grassroots union")})


@require_http_methods(["GET", "POST"])
def union_edit(request, code: str):
    union = object_to_edit(
        GrassrootsUnion.objects.visible_to(request.user),
        GrassrootsUnion.objects.editable_by(request.user),
        code=code,
    )
    form = UnionForm(request.POST or None, instance=union, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Changes saved."))
        return redirect(union)
    return render(
        request,
        "branches/union_form.html",
        {
            "form": form,
            "union": union,
            "title": _("Edit %(name)s") % {"name": union.name},
        },
    )


@require_http_methods(["GET", "POST"])
def union_event(request, code: str, event: str):
    if event not in UnionEventForm.EVENTS:
        raise Http404
    union = object_to_edit(
        GrassrootsUnion.objects.visible_to(request.user),
        GrassrootsUnion.objects.editable_by(request.user),
        code=code,
    )
    form = UnionEventForm(request.POST or None, union=union, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            union_set_status(union=union, status=form.status, on=form.cleaned_data["on"], user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The union's status is now: %(status)s.") % {"status": union.get_status_display()}
            )
            return redirect(union)
    return render(request, "branches/union_event.html", {"form": form, "union": union})


@require_safe
def employer_list(request):
    """The employers the user may see, filtered, sorted and paged."""
    filterset = EmployerFilter(request.GET or None, queryset=employers_for(request.user), user=request.user)
    table = EmployerTable(filterset.qs, request)
    return render(request, "branches/employer_list.html", {
        "filter": filterset, "table": table, "can_edit": roles.can_edit_records(request.user),
    })


@require_safe
def employer_detail(request, tax_code: str):
    employer = get_object_or_404(employers_for(request.user), tax_code=tax_code)
    can_edit = Employer.objects.editable_by(request.user).filter(pk=employer.pk).exists()
    history = []
    if request.user.is_staff:
        history = employer.history.select_related("history_user").order_by("-history_date")[:20]
    return render(request, "branches/employer_detail.html", {
        "employer": employer, "can_edit": can_edit, "history": history,
    })


def _saved(form: EmployerForm) -> Employer | None:
    """Save the checked form; None, with the reason on the form, if another write took its
    tax code or union between the check and the write (the unique constraints hold)."""
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        form.add_error(
            None, _("Another employer took this tax code or union meanwhile: check and save again.")
        )
        return None


@require_http_methods(["GET", "POST"])
def employer_create(request):
    require_editor(request.user)
    form = EmployerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid() and (employer := _saved(form)) is not None:
        messages.success(request, _("Employer “%(name)s” recorded.") % {"name": employer.name})
        return redirect(employer)
    return render(request, "branches/employer_form.html", {"form": form, "title": _("Record an employer")})


@require_http_methods(["GET", "POST"])
def employer_edit(request, tax_code: str):
    employer = object_to_edit(
        Employer.objects.visible_to(request.user), Employer.objects.editable_by(request.user),
        tax_code=tax_code,
    )
    form = EmployerForm(request.POST or None, instance=employer, user=request.user)
    if request.method == "POST" and form.is_valid() and (saved := _saved(form)) is not None:
        messages.success(request, _("Changes saved."))
        return redirect(saved)
    return render(request, "branches/employer_form.html", {
        "form": form, "employer": employer, "title": _("Edit %(name)s") % {"name": employer.name},
    })
