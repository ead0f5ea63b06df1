"""The Art. 15 disclosure PDF, built in the background (cases.privacy.exports): asked for on
its page, built by the worker, offered once to the one who asked, with their rights checked
again on download and the disclosure logged once it was handed out."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import DisclosureExport
from cases.privacy import exports, pdf
from caseworks.models import AccessLog
from tests.referrals.conftest import pdf_text

pytestmark = pytest.mark.django_db


def base(case):
    person = case.clients.get()
    return person, f"/cases/{case.code}/clients/{person.code}/disclosure"


def ask(client, case) -> str:
    """Ask for the PDF; the URL of its page."""
    _person, url = base(case)
    response = client.post(f"{url}.pdf")
    assert response.status_code == 302
    return response["Location"]


def test_it_is_built_in_the_background_and_handed_out_once(client, sam, alice_case):
    """Issue 35: a person with 2,000 visits took 39 s under load, past gunicorn's 30 s."""
    person, url = base(alice_case)
    client.force_login(sam)
    page = client.get(f"{url}.pdf")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert b"Create the PDF" in page.content
    status_url = ask(client, alice_case)
    export = DisclosureExport.objects.get()
    assert status_url == f"{url}/{export.code}/"
    waiting = client.get(status_url)
    assert waiting.status_code == 200 and waiting["Refresh"] == "3"
    assert b"being created" in waiting.content
    assert not AccessLog.objects.filter(action="client.disclosure.pdf").exists()

    assert exports.export_build_next() is not None
    assert exports.export_build_next() is None  # nothing else waits
    ready = client.get(status_url)
    assert not ready.has_header("Refresh") and b"Download the PDF" in ready.content
    download = client.get(f"{status_url}auskunft.pdf")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith('attachment; filename="auskunft-')
    text = pdf_text(download.content)
    assert "Art. 15" in text and person.last_name in text
    logged = AccessLog.objects.filter(action="client.disclosure.pdf", username="sam")
    assert logged.count() == 1
    # Handed out once: the row and its PDF are gone.
    assert not DisclosureExport.objects.exists()
    assert client.get(f"{status_url}auskunft.pdf").status_code == 404


def test_the_pdf_is_stored_encrypted(client, sam, alice_case):
    from django.db import connection

    client.force_login(sam)
    ask(client, alice_case)
    exports.export_build_next()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pdf FROM cases_disclosureexport")
        (stored,) = cursor.fetchone()
    raw = stored.encode() if isinstance(stored, str) else bytes(stored)
    assert raw and b"%PDF" not in raw
    assert DisclosureExport.objects.get().pdf.startswith(b"%PDF")


def test_asking_again_while_it_is_built_gives_the_same_export(client, sam, alice_case):
    client.force_login(sam)
    assert ask(client, alice_case) == ask(client, alice_case)
    assert DisclosureExport.objects.count() == 1


def test_the_export_is_logged_only_once_it_succeeded(client, sam, alice_case, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the export failed")

    monkeypatch.setattr(pdf, "render_pdf", fail)
    client.force_login(sam)
    status_url = ask(client, alice_case)
    exports.export_build_next()
    failed = client.get(status_url)
    assert b"could not be created" in failed.content and not failed.has_header("Refresh")
    assert client.get(f"{status_url}auskunft.pdf").status_code == 404
    assert not AccessLog.objects.filter(action="client.disclosure.pdf").exists()
    monkeypatch.undo()
    again = ask(client, alice_case)
    assert again != status_url  # a failed one is not waited for
    exports.export_build_next()
    assert client.get(f"{again}auskunft.pdf").status_code == 200
    assert AccessLog.objects.filter(action="client.disclosure.pdf").count() == 1


def test_it_checks_ownership(client, sam, dora, sue, alice, alice_case):
    """Only the one who asked sees the export; rights are checked again on download."""
    client.force_login(sam)
    status_url = ask(client, alice_case)
    exports.export_build_next()
    for user in (dora, sue, alice):  # the carrier's DPO may ask herself, not take sam's
        client.force_login(user)
        assert client.get(status_url).status_code == 404, user.username
        assert client.get(f"{status_url}auskunft.pdf").status_code == 404, user.username
    for user in (sue, alice):
        client.force_login(user)
        _person, url = base(alice_case)
        assert client.post(f"{url}.pdf").status_code == 404, user.username
    # Sam no longer supervises the team: his own export is 404 too, and nothing is logged.
    alice_case.team.supervisors.remove(sam)
    client.force_login(sam)
    assert client.get(f"{status_url}auskunft.pdf").status_code == 404
    assert DisclosureExport.objects.filter(status="ready").count() == 1
    assert not AccessLog.objects.filter(action="client.disclosure.pdf").exists()


def test_the_worker_builds_what_waits_and_deletes_what_expired(client, sam, alice_case):
    client.force_login(sam)
    ask(client, alice_case)
    old = DisclosureExport.objects.create(
        person=alice_case.clients.get(),
        requested_by=sam,
        language="de",
        status=DisclosureExport.Status.READY,
        pdf=b"%PDF-old",
        requested_at=timezone.now() - datetime.timedelta(days=8),
    )
    call_command("build_disclosures", max_seconds=0, verbosity=0)
    assert not DisclosureExport.objects.filter(pk=old.pk).exists()
    assert DisclosureExport.objects.get().status == DisclosureExport.Status.READY


def test_a_dead_workers_claim_is_taken_again(client, sam, alice_case):
    client.force_login(sam)
    ask(client, alice_case)
    now = timezone.now()
    DisclosureExport.objects.update(status="building", started_at=now - datetime.timedelta(hours=1))
    assert exports.export_build_next(now=now).status == DisclosureExport.Status.READY
    DisclosureExport.objects.update(status="building", started_at=now)
    assert exports.export_build_next(now=now) is None  # a live claim is left alone


def test_the_json_is_still_made_at_once(client, sam, alice_case):
    _person, url = base(alice_case)
    client.force_login(sam)
    response = client.get(f"{url}.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert client.post(f"{url}.json").status_code == 405


def test_the_pages_and_the_pdf_speak_the_requesters_language(client, sam, alice_case):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    client.force_login(sam)
    status_url = ask(client, alice_case)
    assert "Das PDF wird erstellt" in client.get(status_url).content.decode()
    assert DisclosureExport.objects.get().language == "de"
    exports.export_build_next()  # the worker runs in English here (tests/conftest.py)
    text = pdf_text(client.get(f"{status_url}auskunft.pdf").content)
    assert "Auskunft über gespeicherte Daten" in text
