"""Documents in the data-protection lifecycle: encrypted at rest, key rotation, backup and
restore, the disclosure (Art. 15) with the files, retention."""

import datetime
import gzip
import io
import json
import zipfile

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from cases import services as case_services
from cases.models import Case
from cases.privacy import pdf
from caseworks.crypto import keys
from caseworks.fields import DecryptionError
from caseworks.models import AccessLog
from caseworks.ops.backup import dump, restore
from documents.models import Document, DocumentBlob, DocumentFile, FileCorrupted
from documents.selectors import file_content
from tests.documents.conftest import EXIF_MARKER, jpeg_with_gps, plain_pdf, upload_document
from tests.helpers import TODAY, open_case

YEAR = datetime.timedelta(days=365)


@pytest.fixture
def stored(alice, alice_case):
    person = alice_case.clients.get()
    photo_document = upload_document(
        alice, alice_case, title="Ausweis Quittenbaum", client=person, data=jpeg_with_gps()
    )
    pdf_document = upload_document(alice, alice_case, title="Bescheid", data=plain_pdf(2))
    return {
        "photo": photo_document,
        "pdf": pdf_document,
        "bytes": {f.pk: file_content(f) for f in DocumentFile.objects.all()},
    }


def raw_rows() -> bytes:
    """Every row of every table, as the database holds it."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        out.append(bytes(value))
                    else:
                        out.append(str(value).encode())
    return b"\n".join(out)


def test_neither_the_files_nor_their_titles_are_readable_at_rest(stored):
    everything = raw_rows()
    for data in stored["bytes"].values():
        assert data[100:164] not in everything
    assert b"Quittenbaum" not in everything
    assert EXIF_MARKER.encode() not in everything


def test_a_damaged_or_moved_blob_is_refused(stored):
    first, second = DocumentBlob.objects.order_by("pk")[:2]
    data = bytearray(first.data)
    data[-1] ^= 1
    DocumentBlob.objects.filter(pk=first.pk).update(data=bytes(data))
    with pytest.raises(FileCorrupted) as error:
        file_content(DocumentFile.objects.get(pk=first.file_id))
    assert "Quittenbaum" not in str(error.value)
    # Another file's bytes (with their key) copied into this row: refused, not shown.
    DocumentBlob.objects.filter(pk=first.pk).update(data=bytes(second.data))
    DocumentFile.objects.filter(pk=first.file_id).update(
        key=DocumentFile.objects.filter(pk=second.file_id).values("key")[:1]
    )
    with pytest.raises(FileCorrupted):
        file_content(DocumentFile.objects.get(pk=first.file_id))


def test_a_wrong_key_is_an_error_never_garbage(stored, settings):
    settings.CASEWORKS_FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(DecryptionError):
        file_content(DocumentFile.objects.defer("key").first())


def test_rotation_re_wraps_the_file_keys_and_the_files_stay_readable(stored, settings):
    old_key = settings.CASEWORKS_FIELD_KEYS[0]
    new_key = Fernet.generate_key().decode()
    blobs_before = {b.pk: bytes(b.data) for b in DocumentBlob.objects.all()}
    settings.CASEWORKS_FIELD_KEYS = [new_key, old_key]
    assert keys.pending(only={"documents_documentfile", "documents_document"}) >= 4
    call_command("rotate_keys", stdout=io.StringIO())
    assert keys.pending() == 0
    settings.CASEWORKS_FIELD_KEYS = [new_key]
    for file in DocumentFile.objects.all():
        assert file_content(file) == stored["bytes"][file.pk]
    assert Document.objects.get(pk=stored["photo"].pk).title == "Ausweis Quittenbaum"
    # The megabytes themselves were not rewritten: only their keys were.
    assert {b.pk: bytes(b.data) for b in DocumentBlob.objects.all()} == blobs_before


def test_backup_and_restore_bring_the_files_back(stored):
    buffer = io.BytesIO()
    counts = dump(buffer)
    assert counts["documents_documentblob"] == 2
    raw = gzip.decompress(buffer.getvalue())
    assert b"Quittenbaum" not in raw and EXIF_MARKER.encode() not in raw
    DocumentFile.objects.all().delete()
    Document.objects.all().delete()
    buffer.seek(0)
    restore(buffer)
    for file in DocumentFile.objects.all():
        assert file_content(file) == stored["bytes"][file.pk]


def test_the_disclosure_zip_holds_the_json_and_the_files(
    client, sam, alice_case, stored, monkeypatch
):
    """Not the PDF: WeasyPrint would make the request wait (a person with 2,000 visits passed
    gunicorn's 30 s); it is built in the background, and the ZIP's note says so."""

    def no_pdf(*args, **kwargs):
        raise AssertionError("the ZIP made a PDF in the request")

    monkeypatch.setattr(pdf, "render_pdf", no_pdf)
    person = alice_case.clients.get()
    client.force_login(sam)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    response = client.get(f"/cases/{alice_case.code}/documents/disclosure/{person.code}.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert names[:2] == ["LIESMICH.txt", "auskunft.json"]
    assert not [n for n in names if n.endswith(".pdf") and not n.startswith("dokumente/")]
    readme = " ".join(archive.read("LIESMICH.txt").decode().split())
    assert "Art. 15 DSGVO" in readme and "auskunft.json" in readme
    assert "ein PDF, ist nicht in diesem Archiv" in readme and "„Auskunft (PDF)“" in readme
    assert str(alice_case.team.organisation) in readme
    files = sorted(n for n in names if n.startswith("dokumente/"))
    # The person's photo and the household's PDF, under neutral names.
    assert len(files) == 2 and all("Quittenbaum" not in n for n in files)
    assert {archive.read(n) for n in files} == set(stored["bytes"].values())
    data = json.loads(archive.read("auskunft.json"))
    assert {d["title"] for d in data["documents"]} == {"Ausweis Quittenbaum", "Bescheid"}
    assert len(data["document_files"]) == 1  # the person's own file's record
    assert AccessLog.objects.filter(action="client.disclosure.zip").count() == 1


def test_only_the_teams_supervisor_and_the_dpo_get_the_zip(client, alice, sue, dora, alice_case):
    person = alice_case.clients.get()
    address = f"/cases/{alice_case.code}/documents/disclosure/{person.code}.zip"
    for user, status in ((alice, 404), (sue, 404), (dora, 200)):
        client.force_login(user)
        assert client.get(address).status_code == status


def test_retention_deletes_the_documents_with_the_case(alice, sam, team_a):
    old = open_case(alice, team_a, last_name="Altfall", opened_on=TODAY - 5 * YEAR)
    upload_document(alice, old, client=old.clients.get())
    document = upload_document(alice, old)
    codes = [document.code]
    case_services.case_close(
        actor=sam, case=old, reason="moved_away", closed_on=TODAY - 4 * YEAR, acknowledged=[]
    )
    current = open_case(alice, team_a, last_name="Offen")
    kept = upload_document(alice, current)
    from cases.privacy.retention import apply_retention

    _run, totals = apply_retention(dry_run=True)
    assert totals["documents"] == 2 and totals["document_files"] == 2
    apply_retention(dry_run=False)
    assert not Case.objects.filter(pk=old.pk).exists()
    assert list(Document.objects.all()) == [kept]
    assert DocumentBlob.objects.count() == 1 and DocumentFile.objects.count() == 1
    assert not Document.history.filter(case_id=old.pk).exists()
    assert not AccessLog.objects.filter(object_code__in=codes).exists()
