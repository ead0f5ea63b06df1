"""The administrator's import page (`/manage/import/`): upload a CSV/XLSX caseload, read the
dry run's report row by row, then confirm (cases.intake.importing, docs/import.md).

Between the dry run and the confirmation the file is kept only in the user's session,
encrypted with the field keys (never as plaintext on disk), and only until it is confirmed
or discarded; without a confirmation nothing of it is saved."""

import base64
import hashlib
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.intake import importing
from caseworks.access.permissions import role_required
from caseworks.access.roles import Role
from caseworks.fields import get_fernet

STASH = "cases.import"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (XLSX or CSV)"),
        help_text=gettext_lazy("One row a person; the columns as in the template."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importing.MAX_BYTES:
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
            return render(
                request,
                "cases/import/report.html",
                {"plan": plan, "token": token, "name": upload.name},
            )
    return render(request, "cases/import/upload.html", {"form": form})


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
        plan = importing.run(data, filename=name, user=request.user)
    except importing.NotImported as e:
        return render(
            request, "cases/import/report.html", {"plan": e.plan, "token": "", "name": name}
        )
    return render(request, "cases/import/done.html", {"plan": plan, "name": name})


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
