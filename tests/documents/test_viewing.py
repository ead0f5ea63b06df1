"""Viewing and downloading: safe headers, the access log, and who sees which document."""

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import CoverAccess
from caseworks.models import AccessLog
from documents.models import DocumentKind
from tests.documents.conftest import plain_pdf, upload_document


def base(case, document) -> str:
    return f"/cases/{case.code}/documents/{document.code}/"


def test_the_preview_of_a_photo_is_sandboxed_and_logged(client, alice, alice_case, alice_document):
    client.force_login(alice)
    page = client.get(base(alice_case, alice_document))
    assert page.status_code == 200
    assert f'<img src="{base(alice_case, alice_document)}file/"' in page.content.decode()
    shown = client.get(base(alice_case, alice_document) + "file/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert shown["Content-Disposition"].startswith('inline; filename="dokument-other-')
    csp = shown["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'") and "sandbox" in csp
    assert "no-store" in shown["Cache-Control"]
    actions = AccessLog.objects.filter(object_code=alice_document.code).values_list(
        "action", "username"
    )
    assert sorted(actions) == [("document.shown", "alice"), ("document.viewed", "alice")]


def test_a_pdf_is_shown_by_the_browser_and_downloaded_with_a_neutral_name(
    client, alice, alice_case
):
    document = upload_document(
        alice, alice_case, title="Befund Karimi", data=plain_pdf(3), dated_on=timezone.localdate()
    )
    client.force_login(alice)
    page = client.get(base(alice_case, document)).content.decode()
    assert "Open the PDF (3 pages)" in page
    shown = client.get(base(alice_case, document) + "file/")
    assert shown["Content-Type"] == "application/pdf"
    # No sandbox for a PDF (browsers' viewers refuse to run in one); nothing else allowed.
    assert shown["Content-Security-Policy"].startswith("default-src 'none'")
    assert "script-src" not in shown["Content-Security-Policy"]
    download = client.get(base(alice_case, document) + "download/")
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;") and "Karimi" not in disposition
    assert f"{timezone.localdate():%Y-%m-%d}-v1.pdf" in disposition
    assert "sandbox" in download["Content-Security-Policy"]
    assert download.content.startswith(b"%PDF-")
    assert AccessLog.objects.filter(action="document.downloaded", username="alice").count() == 1


@pytest.mark.parametrize("who", ["olga", "vera", "charlie", "adam", "dora"])
def test_it_checks_ownership(client, request, alice_case, alice_document, who):
    """Office, volunteers, another team, the admin and the DPO (who has the disclosure):
    404 on every document page."""
    client.force_login(request.getfixturevalue(who))
    for suffix in ("", "file/", "download/", "replace/", "delete/", "deadlines/"):
        assert client.get(base(alice_case, alice_document) + suffix).status_code == 404
    assert client.get(f"/cases/{alice_case.code}/documents/").status_code == 404
    assert client.get(f"/cases/{alice_case.code}/documents/new/").status_code == 404
    assert not AccessLog.objects.filter(object_code=alice_document.code).exists()


def test_a_document_is_reached_only_through_its_own_case(
    client, alice, alice_case, charlie, charlie_case
):
    other = upload_document(charlie, charlie_case)
    client.force_login(alice)
    # alice's case in the address, charlie's document code: not found.
    assert client.get(base(alice_case, other)).status_code == 404


def test_medical_documents_only_for_the_assigned_caseworker_and_supervisors(
    client, alice, bob, sam, sue, alice_case
):
    medical = upload_document(alice, alice_case, kind=DocumentKind.MEDICAL, title="Befund")
    plain = upload_document(alice, alice_case, title="Jobcenter")
    # bob works on the case too: shared with him ...
    case_services.case_share(actor=alice, case=alice_case, user=bob)
    for user, sees in ((alice, True), (sam, True), (bob, False)):
        client.force_login(user)
        assert client.get(base(alice_case, plain)).status_code == 200
        status = client.get(base(alice_case, medical) + "file/").status_code
        assert status == (200 if sees else 404), user
        listing = client.get(f"/cases/{alice_case.code}/documents/").content.decode()
        assert ("Befund" in listing) is sees
        case_file = client.get(f"/cases/{alice_case.code}/").content.decode()
        assert ("Befund" in case_file) is sees
        history = client.get(f"/cases/{alice_case.code}/history/").content.decode()
        assert "Befund" not in history  # the history tab is open to everyone on the case
    # ... or covering it for a day: still no medical documents.
    case_services.case_unshare(actor=alice, case=alice_case, user=bob)
    CoverAccess.objects.create(
        case=alice_case,
        user=bob,
        reason="Urlaub",
        expires_at=timezone.now() + timezone.timedelta(hours=2),
    )
    client.force_login(bob)
    assert client.get(base(alice_case, plain)).status_code == 200
    assert client.get(base(alice_case, medical)).status_code == 404
    client.force_login(sue)  # another team's supervisor
    assert client.get(base(alice_case, plain)).status_code == 404


def test_the_case_file_lists_documents_in_a_fixed_number_of_queries(client, alice, alice_case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    upload_document(alice, alice_case)
    client.force_login(alice)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/cases/{alice_case.code}/documents/")
    for _ in range(10):
        upload_document(
            alice, alice_case, kind=DocumentKind.IDENTITY, client=alice_case.clients.get()
        )
    with CaptureQueriesContext(connection) as many:
        client.get(f"/cases/{alice_case.code}/documents/")
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as case_file:
        page = client.get(f"/cases/{alice_case.code}/")
    assert page.status_code == 200 and "Upload document" in page.content.decode()
    upload_document(alice, alice_case)
    with CaptureQueriesContext(connection) as case_file_more:
        client.get(f"/cases/{alice_case.code}/")
    assert len(case_file_more) == len(case_file)
