"""Document pages: list, upload, view (with preview), download, replace, delete, and the
§ 74 deadlines of a BAMF decision. Scoped by documents.selectors, written by
documents.services; every view of a file and every download is in the access log."""

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from cases.law.deadlines import grounds_deadline, lawsuit_deadline
from cases.page import SignedInRequest, case_context, case_form_page
from cases.selectors import (
    case_get_for_disclosure,
    case_get_for_user,
    client_get_for_case,
    open_case_get_for_user,
)
from caseworks.access.permissions import CASE_ROLES, DATA_PROTECTION, role_required
from caseworks.access.roles import Role
from caseworks.audit.log import log_access
from caseworks.web.forms import submit
from documents import services
from documents.disclosure import disclosure_zip
from documents.forms import (
    DeadlineConfirmForm,
    DocumentDeleteForm,
    DocumentReplaceForm,
    DocumentUploadForm,
    max_upload_bytes,
)
from documents.models import Document, DocumentFile, DocumentKind, neutral_filename
from documents.selectors import (
    current_file,
    document_get_for_user,
    documents_for_case,
    file_content,
    file_get_for_document,
)
from documents.uploads import BoundedMemoryUploadHandler

# The stored file shown on its own: nothing in it may run. Images in a sandbox (no script,
# no plugin, a unique origin). Browsers' PDF viewers refuse to work in a sandboxed document
# (Chromium shows "blocked"), so a PDF gets none: it was rewritten without JavaScript and
# actions (documents.sanitise), and its viewer is the browser's own.
IMAGE_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; form-action 'none'; base-uri 'none'; sandbox"
)
PDF_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; "
    "frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
)
# A download is never shown by the browser; sandboxed all the same.
DOWNLOAD_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"


def memory_uploads(view: Callable[..., Any]) -> Callable[..., Any]:
    """Uploads of this view stay in memory (documents.uploads), never in a temporary file.

    The upload handlers must be set before the body is read, and the CSRF check reads it:
    so the view is exempted from the middleware's check and checks the token itself,
    right after setting the handler (Django's documented pattern)."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapped(request: SignedInRequest, *args: Any, **kwargs: Any) -> Any:
        handler = BoundedMemoryUploadHandler(request, limit=max_upload_bytes())
        request.upload_handlers = [handler]
        request.document_uploads = handler  # type: ignore[attr-defined]
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapped)


def _too_large(request: SignedInRequest) -> bool:
    handler = getattr(request, "document_uploads", None)
    return bool(handler is not None and handler.too_large)


def _file_response(
    document: Document, file: DocumentFile, data: bytes, *, inline: bool
) -> HttpResponse:
    response = HttpResponse(data, content_type=file.content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{neutral_filename(document, file)}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    if not inline:
        response["Content-Security-Policy"] = DOWNLOAD_CSP
    elif file.is_image:
        response["Content-Security-Policy"] = IMAGE_CSP
    else:
        response["Content-Security-Policy"] = PDF_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store, private"
    return response


@role_required(*CASE_ROLES, methods=["GET", "HEAD"])
def document_list(request, code):
    case = case_get_for_user(user=request.user, code=code)
    documents = list(documents_for_case(case=case, user=request.user, include_deleted=True))
    log_access(user=request.user, action="document.list_viewed", obj=case, label=case.reference)
    return render(
        request,
        "documents/list.html",
        case_context(request, case, documents=documents, tab="documents"),
    )


@role_required(*CASE_ROLES)
@memory_uploads
def document_upload(request: SignedInRequest, code: uuid.UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    form = DocumentUploadForm(
        request.POST or None,
        request.FILES or None,
        case=case,
        initial={"dated_on": None, **DocumentUploadForm.initial_from(request.GET, case)},
    )
    form.too_large = _too_large(request)

    def done(document: Document) -> str:
        # A BAMF decision of one person goes on to its § 74 deadlines.
        page = (
            "documents:deadlines"
            if document.kind == DocumentKind.BAMF_DECISION and document.client_id
            else "documents:detail"
        )
        return reverse(page, args=[case.code, document.code])

    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.document_upload(
            actor=request.user, case=case, **form.service_arguments()
        ),
        success=_("Document uploaded."),
        done=done,
        creates=True,
        template="documents/upload.html",
        extra={"form": form, "max_mb": max_upload_bytes() // (1024 * 1024)},
    )


@role_required(*CASE_ROLES, methods=["GET", "HEAD"])
def document_detail(request, code, document_code):
    document = document_get_for_user(
        user=request.user, code=code, document_code=document_code, include_deleted=True
    )
    case = document.case
    log_access(user=request.user, action="document.viewed", obj=document, label=case.reference)
    return render(
        request,
        "documents/detail.html",
        case_context(
            request,
            case,
            document=document,
            file=current_file(document),
            files=list(document.files.all()),
        ),
    )


def _serve(request, code, document_code, *, file_code=None, inline: bool) -> HttpResponse:
    document = document_get_for_user(user=request.user, code=code, document_code=document_code)
    file = file_get_for_document(document=document, file_code=file_code)
    data = file_content(file)
    log_access(
        user=request.user,
        action="document.shown" if inline else "document.downloaded",
        obj=document,
        label=document.case.reference,
        detail={"version": file.number},
    )
    return _file_response(document, file, data, inline=inline)


@role_required(*CASE_ROLES, methods=["GET", "HEAD"])
def document_file(request, code, document_code):
    """The current file, to be shown by the browser (the preview)."""
    return _serve(request, code, document_code, inline=True)


@role_required(*CASE_ROLES, methods=["GET", "HEAD"])
def document_download(request, code, document_code):
    return _serve(request, code, document_code, inline=False)


@role_required(*CASE_ROLES, methods=["GET", "HEAD"])
def document_version_download(request, code, document_code, file_code):
    return _serve(request, code, document_code, file_code=file_code, inline=False)


@role_required(*CASE_ROLES)
@memory_uploads
def document_replace(
    request: SignedInRequest, code: uuid.UUID, document_code: uuid.UUID
) -> HttpResponse:
    document = document_get_for_user(user=request.user, code=code, document_code=document_code)
    form = DocumentReplaceForm(request.POST or None, request.FILES or None, instance=document)
    form.too_large = _too_large(request)
    return case_form_page(
        request,
        document.case,
        form,
        save=lambda: form.update(services.document_replace, actor=request.user, document=document),
        success=_("New version saved. The earlier one is kept in the document's versions."),
        done=reverse("documents:detail", args=[code, document.code]),
        template="documents/replace.html",
        extra={"form": form, "document": document},
    )


@role_required(*CASE_ROLES)
def document_delete(
    request: SignedInRequest, code: uuid.UUID, document_code: uuid.UUID
) -> HttpResponse:
    document = document_get_for_user(user=request.user, code=code, document_code=document_code)
    form = DocumentDeleteForm(request.POST or None, instance=document)
    return case_form_page(
        request,
        document.case,
        form,
        save=lambda: form.update(services.document_delete, actor=request.user, document=document),
        success=_("Document deleted."),
        done=reverse("documents:list", args=[code]),
        template="documents/delete.html",
        extra={"form": form, "document": document},
    )


@role_required(*CASE_ROLES)
def document_deadlines(request, code, document_code):
    """A BAMF decision's § 74 AsylG deadlines: computed from the day of service the user
    entered, shown, and created only when the user confirms them."""
    open_case_get_for_user(user=request.user, code=code)
    document = document_get_for_user(user=request.user, code=code, document_code=document_code)
    form = DeadlineConfirmForm(
        request.POST or None,
        instance=document,
        initial={"decision_type": document.decision_type, "served_on": document.served_on},
    )
    preview = None
    if document.kind == DocumentKind.BAMF_DECISION and document.decision_id is None:
        checked = request.POST.get("checked", "")
        confirmed = request.POST.get("action") == "create"
        if (
            request.method == "POST"
            and form.is_valid()
            and not (confirmed and checked == _checked(form.cleaned_data))
        ):
            # "Show the deadlines", or the values changed after they were shown: what is
            # created must be what the user saw.
            preview = _deadline_preview(form.cleaned_data)
        elif request.method == "POST":
            saved = submit(
                request,
                lambda: form.update(
                    services.document_record_deadlines, actor=request.user, document=document
                ),
                form,
                success=_("The deadlines were created."),
                creates=lambda deadlines: reverse("cases:deadlines", args=[code]),
            )
            if saved:
                return redirect("cases:deadlines", code=code)
        elif document.served_on and document.decision_type:
            preview = _deadline_preview(
                {"decision_type": document.decision_type, "served_on": document.served_on}
            )
    return render(
        request,
        "documents/deadlines.html",
        case_context(request, document.case, form=form, document=document, preview=preview),
    )


def _checked(data: dict) -> str:
    """The values a preview was shown for, sent back with "Create these deadlines"."""
    served_on = data.get("served_on")
    return f"{data.get('decision_type', '')}/{served_on.isoformat() if served_on else ''}"


def _deadline_preview(data: dict) -> dict | None:
    served_on = data.get("served_on")
    if not served_on or not data.get("decision_type"):
        return None
    if served_on > timezone.localdate():
        return None
    return {
        "lawsuit": lawsuit_deadline(data["decision_type"], served_on),
        "grounds": grounds_deadline(served_on),
        "checked": _checked(data),
    }


@role_required(Role.SUPERVISOR, DATA_PROTECTION, methods=["GET", "HEAD"])
def document_disclosure(request, code, client_code):
    """The Art. 15 disclosure as a ZIP: the JSON export and every stored file (the PDF is
    made in the background: cases.privacy.exports)."""
    case = case_get_for_disclosure(user=request.user, code=code)
    person = client_get_for_case(case=case, code=client_code)
    # Streamed: the JSON is made here, the files decrypted one by one while it is sent.
    response = StreamingHttpResponse(
        disclosure_zip(request, person), content_type="application/zip"
    )
    log_access(user=request.user, action="client.disclosure.zip", obj=person, label=case.reference)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="auskunft-{case.reference}-{stamp}.zip"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
