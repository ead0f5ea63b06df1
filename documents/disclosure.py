"""The disclosure (Art. 15 DSGVO) with the person's documents: one ZIP with the JSON export
(cases.privacy.views), a note on what it holds, and every stored version of every document
about the person or their whole household, under neutral names.

The readable PDF is not in it: WeasyPrint takes seconds for a long accompaniment (a person
with 2,000 visits passed gunicorn's 30 s under load), so it is built in the background
(cases.privacy.exports) and asked for on its own page; the note says so. The JSON holds
every value of every version, and is made quickly.

The ZIP is streamed (zipstream-ng): a person with 200 documents is hundreds of megabytes,
which built in memory took a worker past a gigabyte. The export is made before the first
byte is sent, so that an error there is an error page; then one document file at a time is
decrypted, checked and written, and let go before the next. A file is decrypted whole, not
piece by piece: AES-GCM authenticates the whole file, and bytes whose tag was not yet checked
must not leave the server (the database driver also reads the column whole). So the memory
a download needs is that of its largest file, whatever the number of files.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# zipstream-ng ships no type information (no py.typed marker).
from zipstream import ZIP_DEFLATED, ZIP_STORED, ZipStream  # type: ignore[import-untyped]

from cases.models import Client
from cases.privacy.views import disclosure_json
from caseworks.audit.dataprotection import disclosure
from documents.models import Document, DocumentFile, neutral_filename
from documents.selectors import file_content

# The pieces a file is handed to the ZIP, and the server to the browser, in.
PIECE = 64 * 1024
# The note on what the ZIP holds (in German by default, as the names of its files).
README = "LIESMICH.txt"


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


def readme(data: dict) -> bytes:
    """What the ZIP holds, and where the readable PDF is: made separately (see above)."""
    text = _(
        "Disclosure of stored data (Art. 15 GDPR)\n"
        "Controller: %(controller)s. Produced on %(at)s.\n"
        "\n"
        "This archive holds:\n"
        "- auskunft.json: every value stored about the person with every earlier version, "
        "the changes and who opened the records, machine-readable (JSON);\n"
        "- dokumente/: every stored version of every document about the person or their "
        "whole household, under neutral names.\n"
        "\n"
        "The readable version of this disclosure, a PDF, is not in this archive: it is "
        "produced separately, in the background (for a long accompaniment that takes a few "
        "minutes), and handed over with it. In Caseworks it is asked for on the person's "
        'page "Disclosure (PDF)".\n'
    ) % {
        "controller": data["controller"],
        "at": date_format(datetime.fromisoformat(data["generated_at"]), "SHORT_DATETIME_FORMAT"),
    }
    return text.encode()


def disclosure_zip(request: HttpRequest, person: Client) -> Iterable[bytes]:
    """The ZIP as an iterable of pieces for a StreamingHttpResponse. The export and the list
    of files are made now (their errors come before the response); the files are read,
    decrypted and written while the ZIP is sent."""
    data = disclosure(person)
    archive = ZipStream(compress_type=ZIP_STORED)
    archive.add(readme(data), README, compress_type=ZIP_DEFLATED)
    # The JSON exactly as the disclosure page gives it.
    archive.add(disclosure_json(data), "auskunft.json", compress_type=ZIP_DEFLATED)
    for number, document in enumerate(person_documents(person), start=1):
        for file in document.files.all():
            # Photos and PDFs are compressed already: stored as they are.
            archive.add(
                _pieces(file.pk),
                f"dokumente/{number:03d}-{neutral_filename(document, file)}",
                size=file.size,
            )
    return archive
