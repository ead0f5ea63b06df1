"""The server side of visits without signal (visits.offline): what the service worker may
cache, the day's list, and a draft sent back online (save once, version check, conflicts)."""

import base64
import datetime
import json
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils import timezone

from cases import services as case_services
from cases.models import Contact, Task
from tests.visits.conftest import TODAY, plan, record
from visits import offline
from visits.models import Visit

NOTE = "Frau K. hat Angst vor der Anhörung beim BAMF"


def send(client, case, *, kind="visit", version=None, submission="draft-1", **fields):
    data = {
        "draft_kind": kind,
        "case": str(case.code),
        "case_version": str(case.version if version is None else version),
        "submission": submission,
        "date": str(TODAY),
        "duration_minutes": "45",
        "place": "accommodation",
        "topics": ["housing", "health"],
        "notes": NOTE,
    }
    data.update(fields)
    return client.post("/visits/offline/send/", data)


def notes_saved(case) -> int:
    """Visits of the case with the draft's note (notes are encrypted: compared in Python)."""
    return sum(1 for visit in Visit.objects.filter(case=case) if visit.notes == NOTE)


@pytest.fixture
def due_today(alice, opened_case, first_visit):
    case_services.case_set_next_visit_due(actor=alice, case=opened_case, next_visit_due=TODAY)
    opened_case.refresh_from_db()
    return opened_case


# --- the allow-list -----------------------------------------------------------------------------


def test_it_lists_only_the_shell_its_files_and_the_day(db):
    urls = offline.cacheable_urls()
    assert "/visits/offline/" in urls and "/visits/offline/day.json" in urls
    for url in urls:
        assert url.startswith(("/visits/offline/", "/static/")), url
        assert not re.search(r"/cases/|/week/|/documents/|/session/|/send/", url), url


def test_no_cached_address_answers_with_a_name_or_a_note(client, alice, due_today):
    record(alice, due_today, date=TODAY, notes=NOTE)
    client.force_login(alice)
    secrets = [
        "Ahmad",
        "Karimi",
        NOTE,
        client.session.get(offline.SESSION_KEY, {}).get("key", "—none—"),
    ]
    session = client.get("/visits/offline/session/").json()
    secrets.append(session["key"])
    for url in offline.cacheable_urls():
        if url.startswith(settings.STATIC_URL):  # a file of the repository, the same for all
            assert finders.find(url.removeprefix(settings.STATIC_URL)), url
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        for secret in secrets:
            assert secret not in text, (url, secret)
        assert session["tag"] not in text, url


def test_the_worker_is_served_with_its_allow_list_and_scope(client, db):
    response = client.get("/visits/offline/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/visits/offline/"
    body = response.content.decode()
    listed = json.loads(re.search(r"var ALLOWED = (\[.*?\]);", body).group(1))
    assert listed == offline.cacheable_urls()
    assert "__CACHE_NAME__" not in body and "caseworks-offline-" in body
    # The CSP stays as strict as on every page.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_manifest_starts_at_the_shell(client, db):
    response = client.get("/visits/offline/manifest.webmanifest")
    body = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert body["start_url"] == body["scope"] == "/visits/offline/"
    assert {icon["sizes"] for icon in body["icons"]} >= {"192x192", "512x512"}


def test_the_shell_has_no_inline_script_no_key_and_no_token(client, alice, due_today):
    client.force_login(alice)
    page = client.get("/visits/offline/").content.decode()
    assert "<script>" not in page and "csrfmiddlewaretoken" not in page
    assert 'data-tag=""' in page and 'data-state="shell"' in page
    assert 'name="visit-notes"' in page and 'name="visit-topics"' in page
    assert 'name="contact-note"' in page and 'name="task-title"' in page
    # Nobody's names: the household's (present) and the plan's needs stay online.
    assert "visit-present" not in page and "visit-needs" not in page and "Karimi" not in page


# --- the day's list -----------------------------------------------------------------------------


def test_the_day_carries_references_and_times_only(client, alice, due_today):
    at = timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(23, 0)))
    plan(alice, due_today, when=at, accompanied_by=alice)
    client.force_login(alice)
    body = client.get("/visits/offline/day.json").json()
    assert body["date"] == str(TODAY)
    kinds = sorted(item["kind"] for item in body["items"])
    assert kinds == ["accompaniment", "visit_due"]
    for item in body["items"]:
        assert set(item) == {"kind", "reference", "time", "case", "version"}
        assert item["reference"] == due_today.reference
    accompaniment = next(i for i in body["items"] if i["kind"] == "accompaniment")
    assert accompaniment["time"] == "23:00"
    text = json.dumps(body)
    for personal in ("Ahmad", "Karimi", "Verlängerung", "Praxis"):
        assert personal not in text


def test_the_day_is_the_users_own(client, charlie, due_today):
    client.force_login(charlie)
    assert client.get("/visits/offline/day.json").json()["items"] == []


def test_it_checks_ownership_of_the_offline_pages(client, sam, db):
    # Signed out: to the sign-in page; the worker and the manifest are public (no data).
    for url in ("/visits/offline/", "/visits/offline/day.json", "/visits/offline/session/"):
        assert client.get(url).status_code == 302, url


# --- the session's key --------------------------------------------------------------------------


def test_the_key_lives_with_the_session(client, alice, bob, db):
    client.force_login(alice)
    first = client.get("/visits/offline/session/").json()
    again = client.get("/visits/offline/session/").json()
    assert first["key"] == again["key"] and first["tag"] == again["tag"]
    assert len(base64.b64decode(first["key"])) == 32
    client.logout()
    client.force_login(bob)
    other = client.get("/visits/offline/session/").json()
    assert other["key"] != first["key"] and other["tag"] != first["tag"]


def test_every_signed_in_page_names_its_session_and_a_signed_out_one_says_so(client, alice, db):
    page = client.get("/accounts/login/").content.decode()
    assert 'data-state="signed-out"' in page
    client.force_login(alice)
    # Before the shell asked for the key, the session has no tag (a page writes no session).
    page = client.get("/visits/week/").content.decode()
    assert 'data-tag=""' in page and 'data-state="signed-in"' in page
    assert offline.SESSION_KEY not in client.session
    key = client.get("/visits/offline/session/").json()["key"]
    page = client.get("/visits/week/").content.decode()
    tag = client.session[offline.SESSION_KEY]["tag"]
    assert f'data-tag="{tag}"' in page and key not in page


# --- a draft sent back online -------------------------------------------------------------------


def test_a_draft_is_saved_as_a_visit(client, alice, due_today):
    client.force_login(alice)
    response = send(client, due_today)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "saved"
    visit = Visit.objects.get(case=due_today, kind="follow_up")
    assert visit.notes == NOTE and visit.topics == ["housing", "health"]
    assert response.json()["url"] == f"/cases/{due_today.code}/visits/{visit.code}/"


def test_a_draft_sent_twice_is_saved_once(client, alice, due_today):
    client.force_login(alice)
    assert send(client, due_today).json()["status"] == "saved"
    # The answer was lost (the signal went again): the phone sends the same draft again.
    again = send(client, due_today)
    assert again.status_code == 200
    assert again.json() == {
        "status": "saved",
        "already": True,
        "url": f"/cases/{due_today.code}/visits/{Visit.objects.get(kind='follow_up').code}/",
    }
    assert Visit.objects.filter(case=due_today, kind="follow_up").count() == 1


def test_a_draft_against_a_changed_case_is_a_conflict(client, alice, bob, due_today):
    written_against = due_today.version
    # Meanwhile a colleague records a visit, which moves the case's next visit.
    record(bob, due_today, date=TODAY, next_visit_due=TODAY + datetime.timedelta(days=14))
    due_today.refresh_from_db()
    assert due_today.version != written_against
    client.force_login(alice)
    response = send(client, due_today, version=written_against)
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "conflict" and body["reason"] == "changed"
    assert body["current"]["version"] == due_today.version
    assert body["current"]["last_visit"]["date"]  # the other side, to compare with
    assert body["changed_fields"]
    assert NOTE not in response.content.decode()
    assert Visit.objects.filter(case=due_today).count() == 2  # the first and bob's: no merge
    # Sent anyway, against the case as it is now: a visit of its own.
    again = send(client, due_today, version=due_today.version, submission="draft-2")
    assert again.json()["status"] == "saved"
    assert notes_saved(due_today) == 1


def test_a_draft_for_a_closed_case_is_a_conflict_for_the_supervisor(client, alice, sam, due_today):
    written_against = due_today.version
    closed = due_today
    closed.closed_on = TODAY
    closed.closing_reason = "moved_away"
    closed.version += 1
    closed.save()
    client.force_login(sam)
    response = send(client, closed, version=written_against)
    assert response.status_code == 409
    assert response.json()["reason"] == "closed"
    assert response.json()["current"]["closed_on"]
    assert notes_saved(closed) == 0


def test_a_draft_for_a_case_no_longer_visible_is_404(client, charlie, due_today):
    client.force_login(charlie)
    assert send(client, due_today).status_code == 404
    assert notes_saved(due_today) == 0


def test_an_invalid_draft_is_refused_with_the_forms_messages(client, alice, due_today):
    client.force_login(alice)
    tomorrow = str(TODAY + datetime.timedelta(days=1))
    response = send(client, due_today, date=tomorrow)
    assert response.status_code == 400
    assert "date" in response.json()["errors"]
    assert notes_saved(due_today) == 0


def test_a_contact_and_a_task_are_saved_from_drafts(client, alice, due_today):
    client.force_login(alice)
    contact = client.post(
        "/visits/offline/send/",
        {
            "draft_kind": "contact",
            "case": str(due_today.code),
            "case_version": str(due_today.version),
            "submission": "contact-1",
            "kind": "phone",
            "date": str(TODAY),
            "duration_minutes": "10",
            "topics": ["work"],
            "note": "Rückruf Jobcenter",
        },
    )
    assert contact.json()["status"] == "saved", contact.content
    assert Contact.objects.get(case=due_today).note == "Rückruf Jobcenter"
    due_today.refresh_from_db()
    task = client.post(
        "/visits/offline/send/",
        {
            "draft_kind": "task",
            "case": str(due_today.code),
            "case_version": str(due_today.version),
            "submission": "task-1",
            "title": "Kita-Anmeldung nachfragen",
            "due_on": str(TODAY + datetime.timedelta(days=7)),
        },
    )
    assert task.json()["status"] == "saved", task.content
    (saved,) = [t for t in Task.objects.filter(case=due_today) if t.title.startswith("Kita")]
    assert saved.assigned_to == alice


def test_an_unknown_kind_is_refused(client, alice, due_today):
    client.force_login(alice)
    response = send(client, due_today, kind="letter")
    assert response.status_code == 400 and "draft_kind" in response.json()["errors"]
    assert notes_saved(due_today) == 0


def test_sending_leaves_no_flash_message_but_keeps_others(client, alice, due_today):
    client.force_login(alice)
    # Another tab saved a contact; its message waits for that tab's next page.
    url = f"/cases/{due_today.code}/contacts/new/"
    contact = {"kind": "phone", "date": str(TODAY), "duration_minutes": "5", "note": "Rückruf"}
    assert client.post(url, contact).status_code == 302
    due_today.refresh_from_db()
    assert send(client, due_today).json()["status"] == "saved"
    page = client.get("/visits/week/").content.decode()
    assert "Entwurf gesendet." not in page and "Draft sent." not in page
    assert "Kontakt erfasst." in page or "Contact recorded." in page
