"""The disclosure (Art. 15 DSGVO) of everything stored about one person, as JSON or PDF.

For the data protection officer of the case's carrier and the supervisors of its team; 404 for
everyone else (cases.selectors.case_get_for_disclosure), checked on every page, the download
too. The JSON is made in the request; the PDF takes seconds (minutes under load), so it is
built in the background (cases.privacy.exports): the PDF page asks for it, a page says it is
being created and refreshes itself, then offers it once. An export is logged once it has
been handed out (a failed one is not one).
"""

import json

from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from cases.models import Case, Client
from cases.models.disclosure import DisclosureExport
from cases.privacy import exports
from cases.selectors import case_get_for_disclosure, client_get_for_case
from caseworks.access.permissions import DATA_PROTECTION, role_required
from caseworks.access.roles import Role
from caseworks.audit.dataprotection import disclosure
from caseworks.audit.log import log_access

FORMATS = ("json", "pdf")
REFRESH_SECONDS = 3  # the "being created" page asks again this often


def disclosure_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def _person(request, code, client_code) -> tuple[Case, Client]:
    case = case_get_for_disclosure(user=request.user, code=code)
    return case, client_get_for_case(case=case, code=client_code)


def _export(request, person: Client, export_code) -> DisclosureExport:
    """The requester's own export of this person; 404 for anyone else's."""
    export = DisclosureExport.objects.filter(
        code=export_code, person=person, requested_by=request.user
    ).first()
    if export is None:
        raise Http404("No such export")
    return export


def _attachment(response: HttpResponse, case: Case, fmt: str) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="auskunft-{case.reference}-{stamp}.{fmt}"'
    )
    return response


@role_required(Role.SUPERVISOR, DATA_PROTECTION, methods=["GET", "POST"])
def disclosure_export(request, code, client_code, fmt):
    if fmt not in FORMATS:
        raise Http404("No such format")
    case, person = _person(request, code, client_code)
    if fmt == "pdf":
        return _pdf_request(request, case, person)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    response = HttpResponse(
        disclosure_json(disclosure(person)), content_type="application/json; charset=utf-8"
    )
    # Logged once it exists: a failed export (an error, a worker timeout) is not one.
    log_access(user=request.user, action="client.disclosure.json", obj=person, label=case.reference)
    return _attachment(response, case, "json")


def _pdf_request(request, case: Case, person: Client):
    """GET: the page to ask for the PDF (with the user's exports of the person still
    waiting or ready); POST: ask for it, then its page."""
    if request.method == "POST":
        export = exports.export_request(actor=request.user, person=person)
        return redirect("disclosure_status", case.code, person.code, export.code)
    mine = DisclosureExport.objects.filter(person=person, requested_by=request.user).order_by(
        "-requested_at"
    )
    return render(
        request,
        "cases/disclosure_request.html",
        {"case": case, "person": person, "exports": mine},
    )


@role_required(Role.SUPERVISOR, DATA_PROTECTION, methods=["GET"])
def disclosure_status(request, code, client_code, export_code):
    case, person = _person(request, code, client_code)
    export = _export(request, person, export_code)
    response = render(
        request,
        "cases/disclosure_status.html",
        {"case": case, "person": person, "export": export},
    )
    if export.in_progress:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@role_required(Role.SUPERVISOR, DATA_PROTECTION, methods=["GET"])
def disclosure_download(request, code, client_code, export_code):
    """The PDF, once: the rights are checked again (they may have ended since it was asked
    for), then it is logged and deleted as it is handed out."""
    case, person = _person(request, code, client_code)
    export = _export(request, person, export_code)
    pdf = exports.export_take(export=export, actor=request.user, label=case.reference)
    if pdf is None:
        raise Http404("Not ready, or already downloaded")
    return _attachment(HttpResponse(pdf, content_type="application/pdf"), case, "pdf")
