"""The disclosure (Art. 15 DSGVO) with the person's documents: one ZIP with the JSON and the
PDF export (cases.privacy.views) and every stored version of every document about the
person or their whole household, under neutral names."""

import io
import zipfile

from django.http import HttpRequest

from cases.models import Client
from caseworks.audit.dataprotection import disclosure
from documents.models import Document, DocumentFile, neutral_filename
from documents.selectors import file_content


def person_documents(person: Client) -> list[Document]:
    """Documents about the person, and those about their whole household (no person)."""
    from django.db.models import Prefetch, Q

    return list(
        Document.objects.filter(case_id=person.case_id)
        .filter(Q(client=person) | Q(client__isnull=True))
        .filter(deleted_at__isnull=True)
        .prefetch_related(Prefetch("files", queryset=DocumentFile.objects.order_by("number")))
        .order_by("created_at", "pk")
    )


def disclosure_zip(request: HttpRequest, person: Client) -> bytes:
    # The exports exactly as the disclosure page gives them.
    from cases.privacy.views import disclosure_json, disclosure_pdf

    data = disclosure(person)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("auskunft.json", disclosure_json(data), compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(
            "auskunft.pdf", disclosure_pdf(request, data), compress_type=zipfile.ZIP_DEFLATED
        )
        for number, document in enumerate(person_documents(person), start=1):
            for file in document.files.all():
                # Photos and PDFs are compressed already: stored as they are.
                archive.writestr(
                    f"dokumente/{number:03d}-{neutral_filename(document, file)}",
                    file_content(file),
                    compress_type=zipfile.ZIP_STORED,
                )
    return buffer.getvalue()
