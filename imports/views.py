"""Upload, preview and confirm a spreadsheet of grassroots unions or members.

Officers import into their own federations (superusers anywhere); city staff read only and
get 403. The preview writes nothing; the confirmation checks the stored file again and
writes it in one transaction, or nothing.
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from openpyxl import Workbook
from openpyxl.styles import Font

from imports import progress, service, storage
from imports.forms import KIND_CHOICES, ImportForm
from imports.schemas import SCHEMAS
from unionboard.access import require_editor
from unionboard.spreadsheets import escape_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How long a second confirmation of the same file waits for the first one to end.
CONFIRM_WAIT_SECONDS = 30


def _column_guide() -> list[dict]:
    """Per kind offered in the browser: its columns, which are required, their aliases."""
    return [
        {
            "kind": kind, "label": label,
            "columns": [
                {"name": column.name, "required": column.required, "aliases": column.aliases}
                for column in SCHEMAS[kind].columns
            ],
        }
        for kind, label in KIND_CHOICES
    ]


def _preview(request, result: service.ImportResult, token: str | None, kind: str):
    context = {
        "result": result,
        "token": token,
        "form": ImportForm(initial={"kind": kind}),
        "guide": _column_guide(),
        "progress_token": progress.expect(request.user.pk),  # for the confirmation, or another upload
    }
    return render(request, "imports/preview.html", context)


@require_http_methods(["GET", "POST"])
def upload(request):
    """GET: the form. POST: check the file and show what it would change (writes nothing)."""
    require_editor(request.user)
    # the lists' "Import a file" links say which kind (?kind=employers)
    asked = request.GET.get("kind")
    initial = {"kind": asked} if asked in dict(KIND_CHOICES) else {}
    form = ImportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        uploaded = form.cleaned_data["file"]
        report = progress.reporter(
            request, progress.CHECKING, progress.estimate_rows(uploaded, uploaded.name)
        )
        # identity changes are listed for approval, none approved yet
        result = service.import_file(
            kind=kind, source=uploaded, filename=uploaded.name, size=uploaded.size,
            scope_user=request.user, history_user=request.user, commit=False,
            approved_identity_changes=(), progress=report,
        )
        token = storage.keep(request, uploaded, kind, rows=result.rows) if result.ok else None
        if report is not None:
            report.finish(result.rows)
        return _preview(request, result, token, kind)
    context = {"form": form, "guide": _column_guide(), "progress_token": progress.expect(request.user.pk)}
    return render(request, "imports/upload.html", context)


@require_POST
def confirm(request):
    """Write the previewed file after checking it again; then say what was written.

    The stored file is claimed first: a second confirmation of it (a double click, a
    second tab) does not import it again, and does not stand in line for the database
    behind the first; it waits a little for the first to end and says how it ended.
    """
    require_editor(request.user)
    token = request.POST.get("token", "")
    pending = storage.find(request, token)
    applying = storage.claim(pending) if pending is not None else None
    if applying is None:
        if pending is not None:
            ended = storage.wait_while_applying(token, CONFIRM_WAIT_SECONDS)
            if ended == storage.DONE:
                messages.info(request, _("This file has already been imported."))
                return redirect("imports:upload")
            if ended == storage.APPLYING:
                messages.info(
                    request,
                    _("This file is still being imported after a first confirmation: "
                      "look at the list of members in a moment."),
                )
                return redirect("imports:upload")
        messages.error(
            request, _("This import is no longer waiting for confirmation: upload the file again.")
        )
        return redirect("imports:upload")
    # the identity changes the officer ticked; a tick approves one change, old and new
    approved = request.POST.getlist("identity")[: service.MAX_CHANGES_SHOWN]
    result = None
    report = progress.reporter(request, progress.WRITING, pending.rows)
    try:
        with applying.open("rb") as source:
            result = service.import_file(
                kind=pending.kind, source=source, filename=pending.filename,
                scope_user=request.user, history_user=request.user, commit=True,
                approved_identity_changes=approved, progress=report,
            )
    finally:
        storage.finish(token, written=result is not None and result.written)
        if report is not None:
            report.finish(result.rows if result is not None else 0)
    if not result.ok:
        return _preview(request, result, None, pending.kind)
    messages.success(
        request,
        _("%(file)s imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
        % {"file": result.filename, "created": result.created, "updated": result.updated,
           "unchanged": result.unchanged},
    )
    if result.identity_held:
        messages.warning(
            request,
            ngettext(
                "%(count)s identity change was not approved: that member was left as they were.",
                "%(count)s identity changes were not approved: those members were left as they were.",
                result.identity_held,
            ) % {"count": result.identity_held},
        )
    return redirect("imports:upload")


@require_safe
def progress_status(request, token: str):
    """How far the user's upload or confirmation under `token` is, for the page's progress bar.

    Only the user who sent the form is answered: the report is filed under their id, so
    anyone else (another officer, an administrator) gets a 404, as for a token never used.
    """
    require_editor(request.user)
    state = progress.read(request.user.pk, token)
    if state is None:
        raise Http404
    done, total = state["done"], state["total"]
    if state["stage"] == progress.SENDING:
        text = _("Sending the file…")
    elif state["stage"] == progress.FINISHED:
        text = _("Done: %(done)s rows. The page is on its way.") % {"done": localize(done)}
    elif state["stage"] == progress.WRITING and total:
        text = _("Writing: row %(done)s of %(total)s") % {"done": localize(done), "total": localize(total)}
    elif state["stage"] == progress.WRITING:
        text = _("Writing: %(done)s rows so far") % {"done": localize(done)}
    elif total:
        text = _("Checking: row %(done)s of about %(total)s") % {
            "done": localize(done), "total": localize(total),
        }
    else:
        text = _("Checking: %(done)s rows so far") % {"done": localize(done)}
    return JsonResponse({"stage": state["stage"], "done": done, "total": total, "text": text})


@require_safe
def template(request, kind: str, fmt: str):
    """A file to fill in: the header row and one example row (generated, not a real person)."""
    require_editor(request.user)
    rows = [[escape_cell(value) for value in row] for row in SCHEMAS[kind].example_rows()]
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")  # so that Excel reads the Vietnamese letters as UTF-8
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = kind
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="unionboard-{kind}.{fmt}"'
    return response
