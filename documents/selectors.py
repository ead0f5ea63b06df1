"""Reading documents: every view, panel and export goes through these.

Who sees a case's documents: whoever sees the case (cases.selectors.case_get_for_user —
caseworkers and supervisors; office, volunteers and everyone else get 404 there). Medical
documents (Art. 9 DSGVO) narrower: the assigned caseworker and the supervisors of the case's
team only — not a colleague the case is shared with, nor one covering it.
"""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from cases.models import Case
from cases.selectors import case_get_for_user, case_is_supervised_by
from documents.models import Document, DocumentBlob, DocumentFile, DocumentKind

# What lists need of a file version (never its key or its bytes).
FILE_FIELDS = (
    "id",
    "code",
    "document_id",
    "number",
    "content_type",
    "size",
    "pages",
    "sha256",
    "uploaded_at",
    "replaced_at",
)


def may_see_medical(*, case: Case, user) -> bool:
    """The one definition of who may see medical documents of a case."""
    return case.assigned_to_id == user.pk or case_is_supervised_by(case=case, user=user)


def documents_for_case(*, case: Case, user, include_deleted: bool = False) -> QuerySet[Document]:
    """The case's documents the user may see, newest first, with their file versions
    (newest first) in two queries whatever their number. `case` must come from a case
    selector (the user may see it)."""
    documents = Document.objects.filter(case=case)
    if not may_see_medical(case=case, user=user):
        documents = documents.exclude(kind=DocumentKind.MEDICAL)
    if not include_deleted:
        documents = documents.filter(deleted_at__isnull=True)
    files = DocumentFile.objects.only(*FILE_FIELDS).order_by("-number")
    return documents.select_related("client").prefetch_related(Prefetch("files", queryset=files))


def document_get_for_user(*, user, code, document_code, include_deleted: bool = False) -> Document:
    """The document if the user may see it (and its case), else 404."""
    case = case_get_for_user(user=user, code=code)
    document = (
        documents_for_case(case=case, user=user, include_deleted=include_deleted)
        .filter(code=document_code)
        .first()
    )
    if document is None:
        raise Http404("No such document")
    document.case = case  # the checked case, with what case_get_for_user loaded
    return document


def current_file(document: Document) -> DocumentFile | None:
    """The newest version (from the prefetched list documents_for_case loads)."""
    files = list(document.files.all())
    return files[0] if files else None


def file_get_for_document(*, document: Document, file_code=None) -> DocumentFile:
    """A version of the document (the current one without a code), else 404."""
    files = list(document.files.all())
    if file_code is not None:
        files = [f for f in files if f.code == file_code]
    if not files:
        raise Http404("No such file")
    return files[0]


def file_content(file: DocumentFile) -> bytes:
    """The file's bytes, decrypted and checked against their SHA-256 (FileCorrupted else)."""
    blob = DocumentBlob.objects.get(file_id=file.pk)
    blob.file = file  # its key, deferred in lists, is read on first use
    try:
        return blob.open()
    finally:
        # Setting blob.file also caches the blob on the file: a cycle only the garbage
        # collector frees, holding the encrypted bytes of every file read (150 MB for a
        # disclosure of 200 files). The file does not keep its blob.
        file._state.fields_cache.pop("blob", None)
