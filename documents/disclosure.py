"""The disclosure (Art. 15 DSGVO) with the person's documents: one ZIP with the JSON and the
PDF export (cases.privacy.views, cases.privacy.pdf) and every stored version of every
document about the person or their whole household, under neutral names.

The ZIP is streamed (zipstream-ng): a person with 200 documents is hundreds of megabytes,
which built in memory took a worker past a gigabyte. The exports are made before the first
byte is sent, so that an error there is an error page; then one document file at a time is
decrypted, checked and written, and let go before the next. A file is decrypted whole, not
piece by piece: AES-GCM authenticates the whole file, and bytes whose tag was not yet checked
must not leave the server (the database driver also reads the column whole). So the memory
a download needs is that of its largest file, whatever the number of files.
"""

from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, Q
from django.http import HttpRequest

# zipstream-ng ships no type information (no py.typed marker).
from zipstream import ZIP_DEFLATED, ZIP_STORED, ZipStream  # type: ignore[import-untyped]

from cases.models import Client
from cases.privacy.pdf import disclosure_pdf
from cases.privacy.views import disclosure_json
from caseworks.audit.dataprotection import disclosure
from documents.models import Document, DocumentFile, neutral_filename
from documents.selectors import file_content

# The pieces a file is handed to the ZIP, and the server to the browser, in.
PIECE = 64 * 1024


def person_documents(person: Client) -> list[Document]:
    """Documents about the person, and those about their whole household (no person)."""
    return list(
        Document.objects.filter(case_id=person.case_id)
        .filter(Q(client=person) | Q(client__isnull=True))
        .filter(deleted_at__isnull=True)
        .prefetch_related(Prefetch("files", queryset=DocumentFile.objects.order_by("number")))
        .order_by("created_at", "pk")
    )


def _pieces(file_id: int) -> Iterator[bytes]:
    """One file's bytes, decrypted and checked (documents.selectors.file_content), in pieces.

    The file is loaded here, not taken from the list its name came from, which lives until
    the last file is written; file_content keeps no blob on the file, so each file's bytes go
    as soon as they are written."""
    file = DocumentFile.objects.get(pk=file_id)
    content = memoryview(file_content(file))
    for start in range(0, len(content), PIECE):
        yield bytes(content[start : start + PIECE])


def disclosure_zip(request: HttpRequest, person: Client) -> Iterable[bytes]:
    """The ZIP as an iterable of pieces for a StreamingHttpResponse. The exports and the list
    of files are made now (their errors come before the response); the files are read,
    decrypted and written while the ZIP is sent."""
    data = disclosure(person)
    archive = ZipStream(compress_type=ZIP_STORED)
    # The exports exactly as the disclosure page gives them.
    archive.add(disclosure_json(data), "auskunft.json", compress_type=ZIP_DEFLATED)
    archive.add(disclosure_pdf(data), "auskunft.pdf", compress_type=ZIP_DEFLATED)
    for number, document in enumerate(person_documents(person), start=1):
        for file in document.files.all():
            # Photos and PDFs are compressed already: stored as they are.
            archive.add(
                _pieces(file.pk),
                f"dokumente/{number:03d}-{neutral_filename(document, file)}",
                size=file.size,
            )
    return archive
