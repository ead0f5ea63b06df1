"""Replacing a document (a new version, the old one kept) and deleting it with a reason."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from caseworks.web.concurrency import ConcurrentEdit
from documents import services
from documents.models import Document, DocumentBlob, DocumentFile
from documents.selectors import file_content
from tests.documents.conftest import make_upload, photo, plain_pdf, upload_file


def base(case, document) -> str:
    return f"/cases/{case.code}/documents/{document.code}/"


def test_a_new_version_keeps_the_old_one(client, alice, alice_case, alice_document):
    client.force_login(alice)
    first = alice_document.files.get()
    response = client.post(
        base(alice_case, alice_document) + "replace/",
        {"version": alice_document.version, "file": [upload_file(plain_pdf(2), "neu.pdf")]},
    )
    assert response.status_code == 302
    files = list(DocumentFile.objects.filter(document=alice_document).order_by("number"))
    assert [f.number for f in files] == [1, 2]
    assert files[0].replaced_at is not None and files[1].replaced_at is None
    assert file_content(files[0]).startswith(b"\xff\xd8")  # the photo, still readable
    shown = client.get(base(alice_case, alice_document) + "file/")
    assert shown["Content-Type"] == "application/pdf"  # the current version
    old = client.get(base(alice_case, alice_document) + f"versions/{first.code}/download/")
    assert old.status_code == 200 and old["Content-Type"] == "image/jpeg"
    assert "-v1.jpg" in old["Content-Disposition"]
    page = client.get(base(alice_case, alice_document)).content.decode()
    assert "Version 1 of" in page and "Version 2 of" in page
    history = client.get(f"/cases/{alice_case.code}/history/").content.decode()
    assert "Document: other" in history


def test_a_replacement_with_a_hostile_file_changes_nothing(
    client, alice, alice_case, alice_document
):
    client.force_login(alice)
    response = client.post(
        base(alice_case, alice_document) + "replace/",
        {"version": alice_document.version, "file": [upload_file(b"<svg><script/></svg>")]},
    )
    assert response.status_code == 200 and "SVG" in response.content.decode()
    assert alice_document.files.count() == 1
    assert Document.objects.get().version == alice_document.version


def test_a_replacement_over_a_colleagues_is_refused(alice, bob, alice_case, alice_document):
    services.document_replace(
        actor=alice, document=alice_document, upload=make_upload(), expected_version=1
    )
    with pytest.raises(ConcurrentEdit):
        services.document_replace(
            actor=bob, document=alice_document, upload=make_upload(), expected_version=1
        )


def test_deleting_removes_every_version_and_keeps_a_note_with_the_reason(
    client, alice, alice_case, alice_document
):
    services.document_replace(
        actor=alice, document=alice_document, upload=make_upload(photo()), expected_version=1
    )
    client.force_login(alice)
    assert (
        client.post(base(alice_case, alice_document) + "delete/", {"version": 2}).status_code == 200
    )
    assert DocumentFile.objects.count() == 2  # no reason: nothing deleted
    response = client.post(
        base(alice_case, alice_document) + "delete/",
        {"version": 2, "reason": "falsche Familie"},
    )
    assert response.status_code == 302
    assert not DocumentFile.objects.exists() and not DocumentBlob.objects.exists()
    document = Document.objects.get()
    assert document.is_deleted and document.deleted_by == alice
    assert document.deletion_reason == "falsche Familie"
    page = client.get(base(alice_case, alice_document)).content.decode()
    assert "falsche Familie" in page and "no longer stored" in page
    assert client.get(base(alice_case, alice_document) + "file/").status_code == 404
    assert client.get(base(alice_case, alice_document) + "download/").status_code == 404
    with pytest.raises(ValidationError):
        services.document_delete(
            actor=alice, document=document, reason="again", expected_version=document.version
        )


def test_a_closed_case_keeps_its_documents_readable_but_unchanged(
    client, alice, sam, alice_case, alice_document
):
    from cases.services import case_close

    case_close(actor=sam, case=alice_case, reason="moved_away", closed_on=datetime.date.today())
    client.force_login(sam)
    assert client.get(base(alice_case, alice_document) + "file/").status_code == 200
    # The delete and replace pages say why nothing can be changed; a POST changes nothing.
    for page in ("delete/", "replace/"):
        response = client.get(base(alice_case, alice_document) + page)
        assert response.status_code == 200 and response.context["read_only"], page
        assert "The case is closed" in response.content.decode(), page
        assert "Delete the document" not in response.content.decode()
    response = client.post(
        base(alice_case, alice_document) + "delete/", {"reason": "x", "version": 1}
    )
    assert response.status_code == 200 and "The case is closed" in response.content.decode()
    alice_document.refresh_from_db()
    assert not alice_document.is_deleted and alice_document.files.count() == 1
    assert alice_document.version == 1
    with pytest.raises(ValidationError):
        services.document_delete(actor=sam, document=alice_document, reason="x", expected_version=1)
