"""Issue 19 in the browser: the supervision pages and the house setup (/manage/) fit 1024 and
1280 px without horizontal scrolling (every page is checked by Journey.check: screenshot,
axe-core, CSP, overflow), and a house is set up through /manage/ only: the administrator
(no superuser) creates an organisation, a team, a caseworker with an enrolment code and a
service; the new caseworker signs in, enrols the second factor and finds an empty caseload."""

import datetime
import re
import time
from base64 import b32decode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.oath import TOTP

from cases import services as case_services
from caseworks.access.roles import Role
from caseworks.models import Organisation, Service, Team
from tests.e2e.conftest import PASSWORD, Journey
from tests.helpers import open_case
from visits import services as visit_services

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
FIGURES = [
    "open_cases",
    "persons",
    "deadlines_escalated",
    "expiring",
    "first_visit_pending",
    "visits_30",
    "overdue",
    "accompaniments_week",
    "contacts_30",
    "hours_30",
    "referrals_waiting",
]


def _journey(request, browser, live_server, width):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="de-DE", accept_downloads=True
    )
    request.addfinalizer(context.close)
    page = context.new_page()
    page.set_default_timeout(15000)
    return Journey(page, live_server.url, width)


@pytest.fixture(params=[1024, 1280], ids=["1024", "1280"])
def wide(request, browser, live_server):
    return _journey(request, browser, live_server, request.param)


@pytest.fixture(params=[360, 1024, 1280], ids=["phone", "1024", "1280"])
def any_width(request, browser, live_server):
    return _journey(request, browser, live_server, request.param)


def caseload(house):
    """Something behind every figure of the dashboard, for Leyla, Jonas and unassigned."""
    from referrals import services as referral_services

    team, users = house["team"], house["users"]
    leyla, jonas, sabine, petra = (users[n] for n in ("leyla", "jonas", "sabine", "petra"))
    family = open_case(
        leyla, team, opened_on=TODAY - 200 * DAY, valid_until=TODAY + 3 * DAY
    )  # the residence document expires in three days
    case_services.client_create(
        actor=leyla,
        case=family,
        data={"first_name": "Zahra", "last_name": "Karimi", "relationship": "child"},
    )
    visit_services.visit_record(
        actor=leyla,
        case=family,
        kind="first",
        date=TODAY - 60 * DAY,
        duration_minutes=90,
        place="accommodation",
    )
    case_services.deadline_add(
        actor=leyla, case=family, title="Klagefrist § 74 AsylG", due_on=TODAY + DAY
    )
    waiting = open_case(
        leyla, team, opened_on=TODAY - 20 * DAY, allocated_on=TODAY - 12 * DAY
    )  # first visit pending for 12 days
    case_services.contact_record(
        actor=leyla, case=waiting, kind="phone", date=TODAY - 2 * DAY, duration_minutes=20
    )
    visited = open_case(jonas, team, opened_on=TODAY - 90 * DAY, allocated_on=TODAY - 95 * DAY)
    visit_services.visit_record(
        actor=jonas,
        case=visited,
        kind="first",
        date=TODAY - 3 * DAY,
        duration_minutes=45,
        place="office",
    )
    visit_services.accompaniment_plan(
        actor=jonas,
        case=visited,
        data={
            "client": visited.clients.get(),
            "destination_kind": "authority",
            "destination_text": "Ausländerbehörde Musterstadt",
            "appointment_at": timezone.now() + datetime.timedelta(hours=2),
            "purpose": "Verlängerung",
            "accompanied_by": jonas,
        },
    )
    mbe = Service.objects.filter(category="mbe").first() or Service.objects.create(
        name="Migrationsberatung", kind="counselling", category="mbe"
    )
    client = family.clients.get(relationship="main_contact")
    referral_services.consent_record(
        actor=leyla, client=client, services=[mbe], purpose="Beratung", signed_on=TODAY
    )
    referral = referral_services.referral_create(
        actor=leyla,
        case=family,
        data={
            "client": client,
            "service": mbe,
            "reason": "Beratung",
            "follow_up_on": TODAY - 2 * DAY,
        },
    )
    referral = referral_services.referral_transition(actor=leyla, referral=referral, to="ready")
    referral_services.letter_issue(actor=petra, referral=referral)
    referral_services.referral_transition(actor=leyla, referral=referral, to="sent")
    open_case(sabine, team, opened_on=TODAY - 30 * DAY)  # unassigned
    return {"family": family}


def test_every_supervision_page_fits(wide, house):
    journey, page = wide, wide.page
    team, users = house["team"], house["users"]
    caseload(house)
    journey.sign_in("sabine")
    journey.go("/supervision/")
    journey.check("supervision-dashboard")
    page.locator("details.more-figures summary").first.click()
    journey.check("supervision-dashboard-mehr")
    for who in (users["leyla"].pk, "none"):
        for figure in FIGURES:
            journey.go(f"/supervision/cases/?team={team.pk}&caseworker={who}&figure={figure}")
            journey.check(f"drilldown-{figure}-{'leyla' if who != 'none' else 'offen'}")
    journey.go(f"/supervision/reassign/?team={team.pk}&caseworker={users['leyla'].pk}")
    journey.check("umverteilen")
    boxes = page.locator('main input[name="cases"]')
    assert boxes.count() == 2
    assert not any(box.is_checked() for box in boxes.all())  # nothing preselected
    boxes.first.check()
    page.select_option('[name="to"]', str(users["jonas"].pk))
    journey.submit()
    journey.check("umverteilen-bestaetigen")
    journey.go("/supervision/statistics/")
    journey.check("statistik")
    this_year = page.locator(".period-presets a").filter(has_text=re.compile("Jahr")).first
    with page.expect_navigation():
        this_year.click()
    journey.check("statistik-jahr")


def test_the_house_is_set_up_through_manage_only(any_width, house, settings):
    journey, page = any_width, any_width.page
    admin = get_user_model().objects.create_user(
        "andrea", password=PASSWORD, first_name="Andrea", last_name="Admin"
    )
    admin.groups.add(Group.objects.get(name=Role.ADMIN))
    assert not admin.is_superuser and not admin.is_staff
    journey.sign_in("andrea")
    assert page.url.endswith("/manage/")
    journey.check("einrichtung")
    assert page.locator('header a[href="/admin/"]').count() == 0

    # An organisation with its letterhead and data protection.
    journey.go("/manage/organisations/")
    journey.check("organisationen")
    journey.go("/manage/organisations/new/")
    page.fill('[name="name"]', "Diakonisches Werk Musterstadt e. V.")
    page.fill('[name="short_name"]', "Diakonie")
    page.select_option('[name="protection_law"]', "dsg_ekd")
    page.fill('[name="dpo_contact"]', "Örtlich Beauftragte für den Datenschutz, Kirchplatz 2")
    page.fill('[name="letter_sender"]', "Diakonie · Kirchplatz 2 · 12345 Musterstadt")
    page.fill('[name="address"]', "Kirchplatz 2\n12345 Musterstadt")
    journey.check("organisation-neu")
    journey.submit()
    organisation = Organisation.objects.get(short_name="Diakonie")

    # A team with its supervisor (Sabine from the house).
    journey.go("/manage/teams/new/")
    page.select_option('[name="organisation"]', str(organisation.pk))
    page.fill('[name="name"]', "Team Nord – Flüchtlingsbegleitung")
    page.check(f'[name="supervisors"][value="{house["users"]["sabine"].pk}"]')
    journey.check("team-neu")
    journey.submit()
    team = Team.objects.get(name__startswith="Team Nord")
    journey.check("teams")

    # A caseworker in the team, then the enrolment code for the second factor.
    journey.go("/manage/users/new/")
    page.fill('[name="username"]', "mira")
    page.fill('[name="first_name"]', "Mira")
    page.fill('[name="last_name"]', "Yilmaz")
    page.fill('[name="email"]', "mira.yilmaz@diakonie.example")
    page.check('[name="roles"][value="caseworker"]')
    page.check(f'[name="teams"][value="{team.pk}"]')
    page.fill('[name="password1"]', PASSWORD)
    page.fill('[name="password2"]', PASSWORD)
    journey.check("benutzer-neu")
    journey.submit()
    mira = get_user_model().objects.get(username="mira")
    assert list(mira.teams.all()) == [team] and not mira.is_staff
    journey.check("benutzer")
    journey.go(f"/manage/users/{mira.manage_code.code}/enrolment-code/")
    journey.check("anmeldecode")
    journey.submit()
    code = page.locator(".enrolment-code code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", code)
    journey.check("anmeldecode-ausgegeben")
    for path in (
        f"/manage/users/{mira.manage_code.code}/password/",
        f"/manage/users/{mira.manage_code.code}/deactivate/",
        f"/manage/users/{mira.manage_code.code}/unlock/",
    ):
        journey.go(path)
        journey.check("benutzer-" + path.rstrip("/").rsplit("/", 1)[1])
    journey.go("/manage/users/")
    journey.check("benutzerliste")

    # A service in the directory.
    journey.go("/manage/services/new/")
    page.fill('[name="name"]', "Psychosoziale Beratung Nord")
    page.select_option('[name="kind"]', "counselling")
    page.select_option('[name="category"]', "psychosocial")
    page.fill('[name="languages"]', "Deutsch, Arabisch, Farsi")
    journey.check("dienst-neu")
    journey.submit()
    service = Service.objects.get(name="Psychosoziale Beratung Nord")
    journey.check("dienste")
    journey.go(f"/manage/services/{service.code}/")
    journey.check("dienst-bearbeiten")
    journey.go(f"/manage/services/{service.code}/deactivate/")
    journey.check("dienst-deaktivieren")
    journey.go(f"/manage/teams/{team.code}/")
    journey.check("team-bearbeiten")
    journey.go(f"/manage/organisations/{organisation.code}/")
    journey.check("organisation-bearbeiten")

    # Mira signs in (the second factor required, as in production) and enrols with the code.
    settings.CASEWORKS_REQUIRE_2FA = True
    journey.sign_in("mira")
    assert "/accounts/code/setup/" in page.url
    journey.check("zweiter-faktor-code")
    page.fill('[name="enrolment_code"]', code)
    journey.submit()
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    journey.check("zweiter-faktor-app")
    totp = TOTP(b32decode(secret), 30, 0, 6, 0)
    totp.time = time.time()
    page.fill('[name="otp_token"]', f"{totp.token():06d}")
    journey.submit()
    journey.check("wiederherstellungscodes")
    with page.expect_navigation():
        page.locator("main a.button.primary").first.click()
    journey.go("/cases/")
    journey.check("leere-fallliste")
    empty = page.locator("main .empty")
    assert "Noch keine Fälle" in empty.inner_text()
    assert empty.locator('a[href="/cases/new/"]').count() == 1
