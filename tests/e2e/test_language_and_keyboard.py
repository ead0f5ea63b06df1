"""German first: no English UI string left on the main German pages; the language switch;
sign-in and a form by keyboard alone, with a visible focus."""

import re
from pathlib import Path

import polib

from tests.helpers import open_case

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES" / "django.po"


def english_ui_strings() -> list[re.Pattern]:
    """Our own msgids of two words or more whose German differs: if one of them shows on a
    German page, a string escaped translation."""
    patterns = []
    for entry in polib.pofile(str(CATALOGUE)):
        text = entry.msgid
        if entry.obsolete or "%" in text or "{" in text or len(text.split()) < 2:
            continue
        if entry.msgstr.strip() == text.strip():
            continue
        patterns.append(re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)"))
    return patterns


def test_no_english_left_on_the_german_pages(journey, house):
    page = journey.page
    leyla = house["users"]["leyla"]
    case = open_case(leyla, house["team"], first_name="Amal", last_name="Haddad")
    journey.sign_in("leyla")
    strings = english_ui_strings()
    assert len(strings) > 200
    pages = [
        "/cases/",
        "/cases/new/",
        f"/cases/{case.code}/",
        f"/cases/{case.code}/history/",
        f"/cases/{case.code}/visits/new/",
        f"/cases/{case.code}/accompaniments/new/",
        f"/cases/{case.code}/consents/new/",
        f"/cases/{case.code}/referrals/new/",
        "/visits/week/",
        "/referrals/",
        "/accounts/security/",
    ]
    # Switch to English and back, as a user would, with the switch in the footer.
    journey.go("/cases/")
    page.select_option("#language", "en")
    page.locator(".language-form button").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "My caseload"
    page.select_option("#language", "de")
    page.locator(".language-form button").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Meine Fälle"
    leftovers = {}
    for path in pages:
        journey.go(path)
        assert page.locator("html").get_attribute("lang") == "de"
        text = page.locator("body").inner_text()
        found = [p.pattern for p in strings if p.search(text)]
        if found:
            leftovers[path] = found
    assert not leftovers, leftovers
    journey.check("deutsch")


def test_sign_in_and_a_form_by_keyboard_alone(journey, house):
    page = journey.page
    journey.go("/accounts/login/")
    # The user name field has the focus when the page opens.
    assert page.evaluate("document.activeElement.name") == "username"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused field shows no focus outline"
    page.keyboard.type("leyla")
    page.keyboard.press("Tab")
    from tests.e2e.conftest import PASSWORD

    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/cases/")
    # On every page the first Tab reaches "skip to content"; Enter moves the focus to <main>.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The search form: type, Enter, results page.
    page.focus('[name="q"]')
    page.keyboard.type("Haddad")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The results page carries a token, never the name (see test_search_stays_out_of_urls).
    assert "s=" in page.url and "Haddad" not in page.url
    assert page.input_value('[name="q"]') == "Haddad"
    journey.check("tastatur")
