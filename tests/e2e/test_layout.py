"""Issue 36, item 9: no page is wider than a phone. At 360 px every role's start page, every
entry of its menu and the pages behind them that people open most (a case file, a newsletter
draft, the caseload drill-down) fit the screen: a table wider than the screen scrolls inside
its own box (static/css/base.css), long words and addresses wrap.

One browser page visits them all in turn and collects every page that is too wide, so one
run names all of them (a test per page would start the browser and the server data anew
each time)."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from caseworks.access.roles import Role
from community import services as community_services
from tests.e2e.conftest import PASSWORD
from tests.e2e.test_setup_and_supervision import caseload, dpo_house
from volunteers import services as volunteer_services

WIDTH = 360


def _user(username, first_name, last_name, role):
    user = get_user_model().objects.create_user(
        username, password=PASSWORD, first_name=first_name, last_name=last_name
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def _people_and_pages(house):
    """Something on every page (a caseload, an access log, a draft), and the pages to open
    besides each role's menu."""
    team, users = house["team"], house["users"]
    family = caseload(house)["family"]
    dpo_house(house)
    cody = _user("cody", "Clara", "Koch", Role.COORDINATOR)
    _user("andrea", "Andrea", "Admin", Role.ADMIN)
    volunteer = volunteer_services.volunteer_create(
        actor=cody,
        user=users["karl"],
        data={"status": "active", "email": "karl@example.org", "districts": ["Nord"]},
        languages=[("Arabisch", "good"), ("Kurdisch (Kurmanji)", "basic")],
    )
    draft = community_services.issue_create(
        actor=cody,
        subject="Neuigkeiten aus dem Begegnungscafé im Dezember",
        body="Liebe Ehrenamtliche, https://www.example.org/eine/sehr/lange/adresse/ohne/pause",
    )
    community_services.event_create(
        actor=cody,
        title="Austauschtreffen",
        kind="exchange",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        duration_minutes=120,
        place="Begegnungscafé, Marktplatz 3",
        capacity=10,
        audience="volunteers",
        description="Erfahrungen austauschen.",
    )
    case = f"/cases/{family.code}"
    return [
        ("leyla", [f"{case}/", f"{case}/history/", f"{case}/deadlines/", f"{case}/visits/new/"]),
        (
            "sabine",
            [
                f"/supervision/cases/?team={team.pk}&caseworker={users['leyla'].pk}"
                "&figure=open_cases",
                f"/supervision/reassign/?team={team.pk}&caseworker={users['leyla'].pk}",
            ],
        ),
        ("petra", []),
        ("karl", []),
        (
            "cody",
            [
                f"/volunteers/{volunteer.code}/",
                "/newsletter/new/",
                f"/newsletter/{draft.code}/",
                f"/newsletter/{draft.code}/edit/",
            ],
        ),
        ("andrea", []),
        ("datenschutz", []),
    ]


def test_the_main_pages_of_every_role_fit_a_phone(browser, live_server, house):
    rounds = _people_and_pages(house)
    context = browser.new_context(viewport={"width": WIDTH, "height": 780}, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15000)
    visited, too_wide = [], []
    try:
        for username, extra in rounds:
            context.clear_cookies()
            page.goto(live_server.url + "/accounts/login/")
            page.fill('[name="username"]', username)
            page.fill('[name="password"]', PASSWORD)
            with page.expect_navigation():
                page.locator("main button[type=submit]").first.click()
            menu = page.eval_on_selector_all(
                "header nav a", "links => links.map(a => a.getAttribute('href'))"
            )
            assert menu, f"{username}: no menu after signing in ({page.url})"
            for path in ["/", *menu, *extra]:
                if path.endswith(".pdf"):
                    continue
                response = page.goto(live_server.url + path)
                assert response.status < 400, (username, path, response.status)
                width = page.evaluate("document.documentElement.scrollWidth")
                visited.append((username, path))
                if width > WIDTH:
                    too_wide.append(f"{username} {path}: {width} px")
    finally:
        context.close()
    assert not too_wide, f"wider than {WIDTH} px: {too_wide}"
    # Every role was there, with its menu: the check above ran on the pages that matter.
    assert {username for username, _path in visited} == {username for username, _ in rounds}
    assert len(visited) >= 30, visited
