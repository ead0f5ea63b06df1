"""Uploading through the page: a photo from the phone, several pages, hostile files refused
with a reason and nothing half-saved, uploads never written to a temporary file."""

import hashlib
import io

import pytest
from django.db import connection
from PIL import Image

from cases.models import ClientReference
from documents.models import Document, DocumentBlob, DocumentFile, DocumentKind
from documents.selectors import file_content
from tests.documents.conftest import (
    DOCX,
    EXIF_MARKER,
    HTML,
    SVG,
    jpeg_with_gps,
    pdf_with_javascript_and_attachment,
    photo,
    png_bomb,
    png_html_polyglot,
    upload_file,
)


def url(case) -> str:
    return f"/cases/{case.code}/documents/new/"


def post(http, case, *files, field="file", **data):
    payload = {"kind": DocumentKind.OTHER, "title": "Brief vom Jobcenter", **data}
    payload[field] = list(files)
    return http.post(url(case), payload)


def nothing_stored():
    return not (Document.objects.exists() or DocumentFile.objects.exists())


def test_the_upload_page_offers_camera_and_file_chooser(client, alice, alice_case):
    client.force_login(alice)
    page = client.get(url(alice_case)).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'accept="image/*,application/pdf"' in page
    assert 'capture="environment"' in page
    assert page.count("multiple") >= 2
    assert 'name="submission"' in page  # one save per filled-in form


def test_it_uploads_a_phone_photo_without_its_gps(client, alice, alice_case):
    client.force_login(alice)
    person = alice_case.clients.get()
    response = post(
        client, alice_case, upload_file(jpeg_with_gps()), field="camera", client=person.pk
    )
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{alice_case.code}/documents/{document.code}/"
    assert document.client == person and document.uploaded_by == alice
    file = document.files.get()
    stored = file_content(file)
    assert file.sha256 == hashlib.sha256(stored).hexdigest() and file.size == len(stored)
    assert EXIF_MARKER.encode() not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
    # In the database: ciphertext only.
    blob = bytes(DocumentBlob.objects.get().data)
    assert stored not in blob and stored[:64] not in blob


def test_several_pages_become_one_pdf(client, alice, alice_case):
    client.force_login(alice)
    post(client, alice_case, upload_file(photo()), upload_file(photo(fmt="PNG"), "p2.png"))
    file = DocumentFile.objects.get()
    assert file.content_type == "application/pdf" and file.pages == 2


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (png_bomb(), "bomb.png", "too large (more than"),
        (SVG, "drawing.svg", "SVG drawings are not accepted"),
        (HTML, "page.html", "Web pages (HTML) are not accepted"),
        (SVG, "harmless.jpg", "SVG drawings are not accepted"),  # the name does not count
        (DOCX, "letter.docx", "Office files"),
        (b"", "empty.pdf", "The file is empty"),
    ],
)
def test_a_hostile_file_is_refused_with_a_reason_and_nothing_is_saved(
    client, alice, alice_case, data, name, reason
):
    client.force_login(alice)
    response = post(client, alice_case, upload_file(data, name))
    assert response.status_code == 200
    page = response.content.decode()
    assert reason in page
    assert name not in page  # the browser's file name is not repeated
    assert nothing_stored()


def test_a_polyglot_and_a_hostile_pdf_are_stored_only_sanitised(client, alice, alice_case):
    client.force_login(alice)
    post(client, alice_case, upload_file(png_html_polyglot(), "x.png", "image/png"))
    post(client, alice_case, upload_file(pdf_with_javascript_and_attachment(), "x.pdf"))
    stored = [file_content(f) for f in DocumentFile.objects.all()]
    assert len(stored) == 2
    assert all(b"<script" not in data for data in stored)


def test_a_path_as_file_name_is_neither_used_nor_stored(client, alice, alice_case):
    client.force_login(alice)
    post(client, alice_case, upload_file(photo(), "../../etc/passwd"))
    file = DocumentFile.objects.get()
    download = client.get(f"/cases/{alice_case.code}/documents/{file.document.code}/download/")
    assert "passwd" not in download["Content-Disposition"]
    assert download["Content-Disposition"].startswith('attachment; filename="dokument-other-')
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            assert "passwd" not in repr(cursor.fetchall()), table


def test_an_upload_over_the_limit_is_refused_while_it_arrives(client, alice, alice_case, settings):
    settings.CASEWORKS_DOCUMENT_MAX_MB = 1
    client.force_login(alice)
    big = photo(size=(900, 900), fmt="BMP")  # 2.4 MB
    assert len(big) > 1024 * 1024
    response = post(client, alice_case, upload_file(big, "big.bmp"))
    assert response.status_code == 200
    assert "larger than 1 MB" in response.content.decode()
    assert nothing_stored()


def test_uploads_never_touch_the_disk(client, alice, alice_case, settings, tmp_path):
    """Above FILE_UPLOAD_MAX_MEMORY_SIZE Django writes uploads to a temporary file; the
    documents' upload handler keeps them in memory."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(alice)
    response = post(client, alice_case, upload_file(photo(size=(800, 600), fmt="PNG")))
    assert response.status_code == 302
    assert list(tmp_path.iterdir()) == []


def test_the_upload_keeps_the_csrf_check(client, alice, alice_case):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    response = strict.post(url(alice_case), {"title": "x", "file": [upload_file(photo())]})
    assert response.status_code == 403
    assert nothing_stored()


def test_a_double_tap_saves_once(client, alice, alice_case):
    client.force_login(alice)
    data = photo()
    first = post(client, alice_case, upload_file(data), submission="tok-1")
    second = post(client, alice_case, upload_file(data), submission="tok-1")
    assert first.status_code == 302
    # The same form's token: the second tap goes where the first went (issue 36).
    assert second.status_code == 302 and second.url == first.url
    assert Document.objects.count() == 1


def test_the_upload_starts_from_a_reference_number(client, alice, alice_case):
    person = alice_case.clients.get()
    reference = ClientReference.objects.create(client=person, kind="passport", number="P123")
    client.force_login(alice)
    page = client.get(url(alice_case) + f"?reference={reference.code}&kind=identity")
    form = page.context["form"]
    assert form.initial["reference"] == reference.pk and form.initial["kind"] == "identity"
    post(client, alice_case, upload_file(photo()), kind="identity", reference=reference.pk)
    document = Document.objects.get()
    assert document.reference == reference
    assert document.client == person  # follows from the reference number


def test_a_link_to_another_case_is_refused(client, alice, alice_case, charlie_case):
    other = charlie_case.clients.get().statuses.get()
    client.force_login(alice)
    response = post(client, alice_case, upload_file(photo()), status=other.pk)
    assert response.status_code == 200
    assert nothing_stored()


def test_a_closed_case_takes_no_uploads(client, alice, sam, alice_case):
    from cases.services import case_close

    case_close(actor=sam, case=alice_case, reason="moved_away", acknowledged=[])
    client.force_login(alice)  # the caseworker no longer reaches a closed case at all
    assert client.get(url(alice_case)).status_code == 404
    client.force_login(sam)  # its supervisor reads it, and records nothing
    page = client.get(url(alice_case))
    assert page.status_code == 200 and page.context["read_only"]
    assert "The case is closed" in page.content.decode()
    main = page.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert 'type="submit"' not in main
    response = post(client, alice_case, upload_file(photo()))
    assert response.status_code == 200 and "The case is closed" in response.content.decode()
    assert nothing_stored()
