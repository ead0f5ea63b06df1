"""Visits where there is no signal (issue 34), on a phone (360 px) in Chromium's offline mode:
the day loaded, the signal gone, a visit recorded with topics and notes, the page reloaded
while offline (the draft still there, and in storage only as ciphertext), the signal back and
the visit saved once; the same with the case closed meanwhile (a conflict, both sides shown);
signing out with a waiting draft (a warning with the count, then nothing readable left in
caches, IndexedDB, localStorage or sessionStorage)."""

import datetime

import pytest
from django.utils import timezone

from cases import services as case_services
from tests.e2e import test_phone_day
from tests.e2e.conftest import Journey
from visits import offline
from visits.models import Visit

# The caseworker's day of tests/e2e/test_phone_day.py: a case with its follow-up visit due
# today (and a running deadline and a task, which the supervisor's closing has to handle).
day = test_phone_day.day

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
IDLE_SECONDS = 20
NOTE = "Frau Haddad fürchtet die Anhörung beim BAMF am Dienstag"

# Everything the browser keeps for this origin, as text: IndexedDB (every store, binary values
# as bytes read as Latin-1 and as UTF-8), the Cache Storage (every response's body),
# localStorage and sessionStorage. Whether a CryptoKey can be exported is reported as well.
STORAGE = """async () => {
  const out = {idb: [], caches: [], local: {}, session: {}, keys: []};
  const text = (value) => {
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      const bytes = new Uint8Array(value.buffer ? value.buffer : value);
      return new TextDecoder('latin1').decode(bytes) + new TextDecoder().decode(bytes);
    }
    if (value instanceof CryptoKey) {
      out.keys.push({extractable: value.extractable, usages: value.usages});
      return '[CryptoKey]';
    }
    if (value && typeof value === 'object') {
      return Object.keys(value).map((k) => k + '=' + text(value[k])).join(';');
    }
    return String(value);
  };
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    for (const name of db.objectStoreNames) {
      const rows = await new Promise((ok) => {
        const r = db.transaction(name).objectStore(name).getAll();
        r.onsuccess = () => ok(r.result);
      });
      out.idb.push(info.name + '/' + name + ':' + rows.map(text).join('|'));
    }
    db.close();
  }
  out.cached = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      out.cached.push(new URL(request.url).pathname);
      out.caches.push(name + ' ' + request.url + ' ' + await response.text());
    }
  }
  for (let i = 0; i < localStorage.length; i++) {
    out.local[localStorage.key(i)] = localStorage.getItem(localStorage.key(i));
  }
  for (let i = 0; i < sessionStorage.length; i++) {
    out.session[sessionStorage.key(i)] = sessionStorage.getItem(sessionStorage.key(i));
  }
  return out;
}"""


def storage(page) -> dict:
    return page.evaluate(STORAGE)


def dump(found: dict) -> str:
    return repr(found)


def notes_saved(case) -> int:
    return sum(1 for visit in Visit.objects.filter(case=case) if visit.notes == NOTE)


def load_the_day(journey, case):
    page = journey.page
    journey.go("/visits/offline/")
    # The worker installed (the allow-list cached) and in control of the page.
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    page.locator(f'#offline-case option[value="{case.code}"]').wait_for(state="attached")
    assert case.reference in page.inner_text("#offline-day")


def record_offline(journey, case):
    page = journey.page
    page.context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    page.select_option("#offline-case", str(case.code))
    page.check('input[name="visit-topics"][value="health"]')
    page.check('input[name="visit-topics"][value="asylum"]')
    page.fill('[name="visit-notes"]', NOTE)
    page.locator("#offline-form button[type=submit]").click()
    page.locator(".offline-draft").wait_for()
    assert page.locator("#offline-status").get_attribute("data-waiting") == "1"


@pytest.mark.parametrize("journey", [360], indirect=True, ids=["phone"])
def test_a_visit_recorded_offline_is_saved_once_back_online(journey, day):
    page = journey.page
    case = day["case"]
    journey.sign_in("leyla")
    load_the_day(journey, case)
    journey.check("offline-tag")
    # Installable: the manifest loads (the CSP allows it from this site) and names the shell.
    found = page.context.new_cdp_session(page).send("Page.getAppManifest")
    assert not found.get("errors"), found
    assert '"start_url": "/visits/offline/"' in found["data"], found

    record_offline(journey, case)
    # Reloaded without a signal: the shell from the worker's cache, the draft still readable
    # on the page (the key survives in IndexedDB) and in storage only as ciphertext.
    response = page.reload()
    assert response is not None and response.from_service_worker
    draft = page.locator(".offline-draft")
    draft.wait_for()
    assert NOTE in draft.inner_text()
    page.locator('#offline-status[data-offline="yes"]').wait_for()
    journey.check("offline-entwurf")
    kept = storage(page)
    assert kept["idb"], kept
    assert NOTE not in dump(kept) and "Anhörung" not in dump(kept)
    assert "Haddad" not in dump(kept)
    assert kept["keys"] and not any(key["extractable"] for key in kept["keys"])
    # The worker kept the allow-list and nothing else (no case file, no week, no key).
    assert kept["cached"] and set(kept["cached"]) <= set(offline.cacheable_urls())
    assert Visit.objects.filter(case=case).count() == 1  # only the first visit so far

    page.context.set_offline(False)
    page.wait_for_function("() => document.querySelectorAll('.offline-draft').length === 0")
    assert notes_saved(case) == 1
    visit = Visit.objects.get(case=case, kind="follow_up")
    assert sorted(visit.topics) == ["asylum", "health"]
    assert page.locator("#offline-status").get_attribute("data-waiting") == "0"
    # Another reload and another signal change send nothing again.
    page.reload()
    page.locator("#offline-status[data-waiting]").wait_for(state="attached")
    page.wait_for_timeout(500)
    assert Visit.objects.filter(case=case, kind="follow_up").count() == 1
    journey.check("offline-gesendet")


@pytest.mark.parametrize("journey", [360], indirect=True, ids=["phone"])
def test_a_draft_for_a_case_closed_meanwhile_is_a_conflict_and_sign_out_leaves_nothing(
    journey, day
):
    page = journey.page
    case = day["case"]
    sabine = day["users"]["sabine"]
    journey.sign_in("leyla")
    load_the_day(journey, case)
    record_offline(journey, case)

    # Meanwhile the supervisor closes the case.
    current = type(case).objects.get(pk=case.pk)
    case_services.case_close(
        actor=sabine,
        case=current,
        reason="moved_away",
        acknowledged=[item.key for item in case_services.case_open_items(current)],
        deadline_reason="Die Anwältin überwacht die Frist.",
    )

    page.context.set_offline(False)
    conflict = page.locator('.offline-draft[data-state="conflict"]')
    conflict.wait_for()
    text = conflict.inner_text()
    assert NOTE in text  # your side, kept
    assert conflict.locator(".offline-mine").is_visible()
    assert conflict.locator(".offline-server").is_visible()  # the case's side
    assert notes_saved(case) == 0
    journey.check("offline-konflikt")

    # Signing out with the draft waiting: first a warning with the count, then nothing left.
    journey.go("/visits/week/")
    page.locator(".offline-bar").wait_for()
    page.locator("header form button[type=submit]").click()
    warning = page.locator("#offline-logout-warning")
    warning.wait_for()
    assert "1" in warning.inner_text()
    journey.check("offline-abmelden-warnung")
    with page.expect_navigation():
        warning.locator("button").first.click()
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    assert "/accounts/login/" in page.url or page.url.endswith("/")
    left = storage(page)
    assert not left["idb"], left
    assert not left["caches"], left
    assert not left["session"], left
    for secret in (NOTE, "Anhörung", case.reference, str(case.code), "Haddad"):
        assert secret not in dump(left), (secret, left)
    assert notes_saved(case) == 0


def test_the_idle_end_deletes_the_drafts_after_saying_so(browser, live_server, day, settings):
    settings.CASEWORKS_SESSION_IDLE_MINUTES = IDLE_SECONDS / 60
    settings.SESSION_COOKIE_AGE = IDLE_SECONDS
    settings.CASEWORKS_SESSION_WARNING_MINUTES = 5 / 60
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15000)
    journey = Journey(page, live_server.url, 360)
    case = day["case"]
    journey.sign_in("leyla")
    load_the_day(journey, case)
    record_offline(journey, case)
    # Offline, nothing reaches the server: the session ends on its idle time, and with it
    # the key and the drafts in the browser — first a warning saying how many.
    warning = page.locator("#offline-idle-warning")
    warning.wait_for()
    assert "1 nicht gesendete" in warning.inner_text()
    page.locator(".offline-notice", has_text="wurden gelöscht").wait_for(
        timeout=(IDLE_SECONDS + 15) * 1000
    )
    assert page.locator(".offline-draft").count() == 0
    left = storage(page)
    assert not left["idb"] and not left["caches"], left
    assert NOTE not in dump(left)
    context.set_offline(False)
    page.wait_for_timeout(1000)
    assert notes_saved(case) == 0
    context.close()


@pytest.mark.parametrize("journey", [360], indirect=True, ids=["phone"])
def test_a_draft_can_be_reviewed_and_deleted(journey, day):
    page = journey.page
    case = day["case"]
    journey.sign_in("leyla")
    load_the_day(journey, case)
    record_offline(journey, case)
    draft = page.locator(".offline-draft")
    review = draft.inner_text()
    assert NOTE in review and case.reference in review and "Gesundheit" in review
    page.once("dialog", lambda dialog: dialog.accept())
    draft.get_by_role("button", name="Entwurf löschen").click()
    draft.wait_for(state="detached")
    assert page.locator("#offline-status").get_attribute("data-waiting") == "0"
    assert NOTE not in dump(storage(page))
    page.context.set_offline(False)
    page.wait_for_timeout(1000)
    assert notes_saved(case) == 0
