"""The administrator's import page (`/manage/import/`): upload a CSV/XLSX caseload, read the
dry run's report row by row, then confirm (cases.intake.importing, docs/import.md).

Between the dry run and the confirmation the file is kept only in the user's session,
encrypted with the field keys (never as plaintext on disk), and only until it is confirmed
or discarded; without a confirmation nothing of it is saved.

The confirmation starts an import run and writes batches for at most WEB_BUDGET seconds
(below the worker's timeout); a larger file continues on the run's page ("continue"), which
also offers, for a run that was interrupted, to continue or undo it. Not through
form_page/submit: they wrap the service in one transaction, the very thing a batched import
avoids. A double confirmation cannot import twice: the stash is used once, one run at a time
(import_one_running), each source row once (ImportedRow.key)."""

import base64
import hashlib
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.intake import importing
from cases.intake.reading import MAX_BYTES
from cases.law.status_names import accepted
from cases.models.imports import ImportRun
from caseworks.access.permissions import role_required
from caseworks.access.roles import Role
from caseworks.fields import get_fernet

STASH = "cases.import"
# Seconds of batches a request writes before it answers (gunicorn's timeout is 30 s).
WEB_BUDGET = 15.0


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (XLSX or CSV)"),
        help_text=gettext_lazy("One row a person; the columns as in the template."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(_("The file is larger than 10 MB."))
        if not upload.name.lower().endswith((".xlsx", ".csv", ".txt")):
            raise ValidationError(_("Upload an XLSX or CSV file."))
        return upload


def _stash(request, name: str, data: bytes) -> str:
    token = uuid.uuid4().hex
    request.session[STASH] = {
        "token": token,
        "name": name[:100],
        "sha256": hashlib.sha256(data).hexdigest(),
        "data": get_fernet().encrypt(base64.b64encode(data)).decode("ascii"),
    }
    return token


def _unstash(request, token: str) -> tuple[str, bytes] | None:
    stash = request.session.get(STASH)
    if not stash or stash.get("token") != token:
        return None
    data = base64.b64decode(get_fernet().decrypt(stash["data"].encode("ascii")))
    if hashlib.sha256(data).hexdigest() != stash["sha256"]:
        return None
    return stash["name"], data


@role_required(Role.ADMIN)
def upload(request):
    """Step 1: the file; step 2 (same URL, POST): the dry run's report with "import"."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            plan = importing.plan(data, filename=upload.name, user=request.user)
        except ValidationError as e:
            form.add_error("file", e)
        else:
            token = _stash(request, upload.name, data) if plan.ok and plan.new_persons else ""
            return _report(request, plan, name=upload.name, token=token)
    return render(
        request,
        "cases/import/upload.html",
        {"form": form, "unfinished": _unfinished(), "accepted_statuses": accepted()},
    )


def _report(request, plan: importing.Plan, *, name: str, token: str = ""):
    """The dry run's report: per row what happens and the residence status it records,
    every problem, and the residence statuses the import accepts."""
    return render(
        request,
        "cases/import/report.html",
        {"plan": plan, "token": token, "name": name, "accepted_statuses": accepted()},
    )


def _unfinished() -> dict | None:
    run = importing.unfinished_run()
    if run is None:
        return None
    return {"run": run, "interrupted": importing.is_interrupted(run)}


@role_required(Role.ADMIN, methods=["POST"])
def confirm(request):
    """Step 3: import the stashed file; "discard" forgets it."""
    token = request.POST.get("token", "")
    stashed = _unstash(request, token)
    request.session.pop(STASH, None)
    if request.POST.get("discard") or stashed is None:
        if stashed is None and not request.POST.get("discard"):
            messages.error(request, _("The file is no longer here: upload it again."))
        else:
            messages.info(request, _("Nothing was imported."))
        return redirect("manage_import:upload")
    name, data = stashed
    try:
        run, plan = importing.start(data, filename=name, user=request.user)
    except importing.NotImported as e:
        return _report(request, e.plan, name=name)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("manage_import:upload")
    return _advance(request, run, planned=plan)


def _advance(request, run: ImportRun, *, planned: importing.Plan | None = None):
    """Write batches for a while; then the run's page (it says whether it is finished)."""
    try:
        importing.advance(run, user=request.user, planned=planned, budget=WEB_BUDGET)
    except importing.NotImported as e:
        messages.error(request, _("The file no longer imports without errors: undo the import."))
        return _report(request, e.plan, name=run.filename)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("manage_import:run", code=run.code)


@role_required(Role.ADMIN, methods=["GET", "HEAD"])
def run_page(request, code):
    """An import run: its progress; "continue" or "undo" while it is not finished."""
    run = get_object_or_404(ImportRun, code=code)
    return render(
        request,
        "cases/import/run.html",
        {"run": run, "interrupted": importing.is_interrupted(run)},
    )


@role_required(Role.ADMIN, methods=["POST"])
def run_continue(request, code):
    run = get_object_or_404(ImportRun, code=code, state=ImportRun.State.RUNNING)
    return _advance(request, run)


@role_required(Role.ADMIN, methods=["POST"])
def run_undo(request, code):
    run = get_object_or_404(ImportRun, code=code, state=ImportRun.State.RUNNING)
    try:
        importing.undo(run, user=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.info(request, _("The import was undone: nothing of it is left."))
    return redirect("manage_import:run", code=run.code)


@role_required(Role.ADMIN, methods=["GET", "HEAD"])
def template(request):
    """The column template, as XLSX (default) or CSV (?format=csv)."""
    if request.GET.get("format") == "csv":
        response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="import-vorlage.csv"'
        return response
    response = HttpResponse(
        importing.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="import-vorlage.xlsx"'
    return response
