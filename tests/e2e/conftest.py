"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

`make test-e2e` runs them; `.ci/run` installs Chromium. Screenshots of every step go to
var/e2e/<width>/; every page visited is checked with axe-core (vendored from npm) and must
show no serious or critical violation, and no Content-Security-Policy violation.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from caseworks.access.roles import Role
from caseworks.models import Organisation, Team

# Playwright's sync API keeps an event loop in this thread; the tests' own ORM calls are
# ordinary synchronous code (the server runs in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CASEWORKS_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "var" / "e2e"
AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
PASSWORD = "e2e password 2026 lang genug"
# The same flags CI's machine needs: no sandbox as root, nothing reaching out to the network.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Asks for German pages; headless Chromium still draws date fields as MM/DD/YYYY
    # (a German desktop Chromium shows TT.MM.JJJJ).
    "--lang=de-DE",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: apt-get install chromium "
            "(or set CASEWORKS_CHROMIUM)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def house(transactional_db):
    """Roles, the directory, one organisation with a team, and the people of the journey."""
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    call_command("load_service_directory", verbosity=0)
    organisation = Organisation.objects.create(
        name="AWO Kreisverband Musterstadt e. V.",
        short_name="AWO",
        letter_sender="AWO · Marktstraße 1 · 12345 Musterstadt",
        address="Marktstraße 1\n12345 Musterstadt",
    )
    team = Team.objects.create(organisation=organisation, name="Team A")
    users = {}
    for username, first, last, role in [
        ("leyla", "Leyla", "Demir", Role.CASEWORKER),
        ("jonas", "Jonas", "Hoffmann", Role.CASEWORKER),
        ("sabine", "Sabine", "Becker", Role.SUPERVISOR),
        ("petra", "Petra", "Kühn", Role.OFFICE),
        ("karl", "Karl", "Neumann", Role.VOLUNTEER),
    ]:
        user = get_user_model().objects.create_user(
            username, password=PASSWORD, first_name=first, last_name=last
        )
        user.groups.add(Group.objects.get(name=role))
        if role == Role.SUPERVISOR:
            team.supervisors.add(user)
        elif role in (Role.CASEWORKER, Role.OFFICE):
            team.members.add(user)
        users[username] = user
    return {"team": team, "users": users}


class Journey:
    """A browser tab with the checks every page gets."""

    def __init__(self, page, base_url, width):
        self.page = page
        self.base_url = base_url
        self.width = width
        self.step = 0
        self.csp_violations = []
        self.checked = []
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.csp_violations.append(message.text)

    def go(self, path):
        response = self.page.goto(self.base_url + path)
        assert response.status < 400, (path, response.status)

    def check(self, name):
        """Screenshot, axe-core, CSP, and no horizontal scrolling on a phone."""
        self.step += 1
        self.page.wait_for_load_state("load")
        folder = SHOTS / str(self.width)
        folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=folder / f"{self.step:02d}-{name}.png", full_page=True)
        if not self.page.evaluate("typeof axe !== 'undefined'"):
            self.page.evaluate(AXE)  # via DevTools, not a <script>: the CSP stays strict
        result = self.page.evaluate("""async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values:
                ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }""")
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        assert not bad, f"{name}: {bad}"
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name}: {overflow}px horizontal overflow at {self.width}px"
        assert not self.csp_violations, f"{name}: {self.csp_violations}"
        self.checked.append(name)

    def sign_in(self, username):
        self.page.context.clear_cookies()
        self.go("/accounts/login/")
        self.page.fill('[name="username"]', username)
        self.page.fill('[name="password"]', PASSWORD)
        self.submit()

    def submit(self, text=None):
        """Press the page's submit button (in <main>; the header's is "Abmelden")."""
        buttons = self.page.locator("main button[type=submit]")
        if text:
            buttons = buttons.filter(has_text=re.compile(text))
        with self.page.expect_navigation():
            buttons.first.click()


@pytest.fixture(params=[360, 1280], ids=["phone", "desk"])
def journey(request, browser, live_server):
    width = request.param
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="de-DE", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield Journey(page, live_server.url, width)
    context.close()
