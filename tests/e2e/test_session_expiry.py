"""The idle end of a session, as a caseworker meets it on a phone: a warning with a countdown
and "Weiter angemeldet bleiben" before it; after it, a note sent anyway comes back in the form
once she has signed in again (caseworks.web.stash). The idle time is seconds here."""

import re

from tests.e2e.conftest import PASSWORD, Journey
from tests.helpers import open_case

NOTE = "Herr Haddad hat den Termin beim Jobcenter am Donnerstag um 9 Uhr."
IDLE_SECONDS = 12
LEAD_SECONDS = 9


def test_the_warning_comes_and_a_note_survives_the_end(browser, live_server, house, settings):
    settings.CASEWORKS_SESSION_IDLE_MINUTES = IDLE_SECONDS / 60
    settings.SESSION_COOKIE_AGE = IDLE_SECONDS
    settings.CASEWORKS_SESSION_WARNING_MINUTES = LEAD_SECONDS / 60
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15000)
    journey = Journey(page, live_server.url, 360)
    case = open_case(house["users"]["leyla"], house["team"], first_name="Amal", last_name="Haddad")
    form = f"/cases/{case.code}/visits/new/"

    journey.sign_in("leyla")
    journey.go(form)
    page.fill('[name="notes"]', NOTE)
    banner = page.get_by_role("region", name="Sitzung")
    banner.wait_for(state="visible")
    assert "Ihre Sitzung endet bald" in banner.inner_text()
    assert re.search(r"Verbleibende Zeit: 0:0\d Min\.", banner.inner_text())
    journey.check("session-warning")

    stay = banner.get_by_role("button", name="Weiter angemeldet bleiben")
    stay.click()
    banner.wait_for(state="hidden")
    assert page.get_by_role("status").filter(has_text="Sie bleiben angemeldet.").count() == 1

    # No request any more: the warning again, then the end.
    banner.get_by_text("Ihre Sitzung ist abgelaufen.").wait_for(timeout=(IDLE_SECONDS + 5) * 1000)
    assert page.input_value('[name="notes"]') == NOTE  # still in the page, not yet saved
    page.wait_for_timeout(1500)  # the server counts whole seconds
    journey.submit("speichern")

    assert "/accounts/login/" in page.url
    assert page.get_by_text(
        "Ihre Sitzung ist abgelaufen. Nach der Anmeldung ist Ihre Eingabe wieder da."
    ).is_visible()
    journey.check("session-ended-sign-in")
    page.fill('[name="username"]', "leyla")
    page.fill('[name="password"]', PASSWORD)
    journey.submit()

    assert page.url == live_server.url + form
    assert page.input_value('[name="notes"]') == NOTE
    assert page.get_by_text("Bitte prüfen Sie sie und speichern Sie.").is_visible()
    journey.check("session-note-back")
    context.close()
