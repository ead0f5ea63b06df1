"""Issue 19 in the browser: the supervision pages and the house setup (/manage/) fit 1024 and
1280 px without horizontal scrolling (every page is checked by Journey.check: screenshot,
axe-core, CSP, overflow), and a house is set up through /manage/ only (issue 31: nobody
grants themselves anything): an administrator (no superuser) creates an organisation with its
DPO, a team, a caseworker and a service; a second administrator approves the account and the
DPO in the browser; the caseworker gets her one-time code by mail, sets her own password and
second factor at /accounts/reset/, signs in and finds an empty caseload."""

import datetime
import re
import time
from base64 import b32decode

import pypdfium2 as pdfium
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from django_otp.oath import TOTP

from cases import services as case_services
from cases.privacy.retention import apply_retention
from caseworks.access.roles import Role
from caseworks.audit.log import log_access
from caseworks.models import Organisation, Service, Team
from referrals import services as referral_services
from tests.e2e.conftest import PASSWORD, SHOTS, Journey
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


def _admin(username, first_name, last_name, email):
    user = get_user_model().objects.create_user(
        username, password=PASSWORD, first_name=first_name, last_name=last_name, email=email
    )
    user.groups.add(Group.objects.get(name=Role.ADMIN))
    assert not user.is_superuser and not user.is_staff
    return user


def _mails_to(address):
    """The mails in the outbox to `address` (the live server runs in this process)."""
    return [m for m in mail.outbox if address in m.to]


def _totp(secret, *, steps_ahead=0):
    totp = TOTP(b32decode(secret), 30, 0, 6, 0)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_the_house_is_set_up_through_manage_only(any_width, house, settings):
    """Two administrators set up a carrier: Andrea asks, Bernd approves; neither ever sees
    Mira's code or password. Mira gets the code by mail, sets her own password and second
    factor at /accounts/reset/ and signs in to an empty caseload."""
    journey, page = any_width, any_width.page
    andrea = _admin("andrea", "Andrea", "Admin", "andrea@haus.example")
    bernd = _admin("bernd", "Bernd", "Brandt", "bernd@haus.example")
    ulrike = get_user_model().objects.create_user(
        "ulrike", password=PASSWORD, first_name="Ulrike", last_name="Datenschutz"
    )
    mail.outbox.clear()
    journey.sign_in("andrea")
    assert page.url.endswith("/manage/")
    journey.check("einrichtung")
    assert page.locator('header a[href="/admin/"]').count() == 0

    # An organisation with its letterhead and data protection; Ulrike as its DPO (a request).
    journey.go("/manage/organisations/")
    journey.check("organisationen")
    journey.go("/manage/organisations/new/")
    page.fill('[name="name"]', "Diakonisches Werk Musterstadt e. V.")
    page.fill('[name="short_name"]', "Diakonie")
    page.select_option('[name="protection_law"]', "dsg_ekd")
    page.fill('[name="dpo_contact"]', "Örtlich Beauftragte für den Datenschutz, Kirchplatz 2")
    page.check(f'[name="dpos"][value="{ulrike.pk}"]')
    page.fill('[name="letter_sender"]', "Diakonie · Kirchplatz 2 · 12345 Musterstadt")
    page.fill('[name="address"]', "Kirchplatz 2\n12345 Musterstadt")
    journey.check("organisation-neu")
    journey.submit()
    organisation = Organisation.objects.get(short_name="Diakonie")
    assert not organisation.data_protection_officers.exists()  # waits for a second person
    journey.check("organisationen-dsb-beantragt")

    # A team with its supervisor (Sabine from the house).
    journey.go("/manage/teams/new/")
    page.select_option('[name="organisation"]', str(organisation.pk))
    page.fill('[name="name"]', "Team Nord – Flüchtlingsbegleitung")
    page.check(f'[name="supervisors"][value="{house["users"]["sabine"].pk}"]')
    journey.check("team-neu")
    journey.submit()
    team = Team.objects.get(name__startswith="Team Nord")
    journey.check("teams")

    # A caseworker in the team: no password field; roles and team wait for Bernd.
    journey.go("/manage/users/new/")
    assert page.locator('main input[type="password"]').count() == 0
    page.fill('[name="username"]', "mira")
    page.fill('[name="first_name"]', "Mira")
    page.fill('[name="last_name"]', "Yilmaz")
    page.fill('[name="email"]', "mira.yilmaz@diakonie.example")
    page.check('[name="roles"][value="caseworker"]')
    page.check(f'[name="teams"][value="{team.pk}"]')
    journey.check("benutzer-neu")
    journey.submit()
    mira = get_user_model().objects.get(username="mira")
    assert not mira.has_usable_password() and not mira.is_staff
    assert not mira.teams.exists() and not mira.groups.exists()
    journey.check("benutzer-beantragt")
    assert "Genehmigung" in page.locator("main").inner_text()
    # Bernd is told by mail that two requests wait for him (Andrea is not: she asked);
    # Mira is told that her account was asked for, with no code yet.
    told = sorted(m.body for m in _mails_to(bernd.email))
    assert len(told) == 2 and "mira" in told[0] + told[1] and "ulrike" in told[0] + told[1]
    assert not _mails_to(andrea.email)
    [asked] = _mails_to(mira.email)
    assert "Anmeldecode" not in asked.subject and "andrea" in asked.body
    # Andrea cannot approve her own requests.
    journey.go("/manage/requests/")
    journey.check("antraege-eigene")
    assert page.locator("main table").count() == 0
    assert page.locator("main .empty").count() == 1
    for path in (
        f"/manage/users/{mira.manage_code.code}/enrolment-code/",
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
    page.select_option('[name="languages"]', ["deu", "ara", "pes"])  # Deutsch, Arabisch, Farsi
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

    # Bernd, the second administrator, approves both requests in the browser.
    journey.sign_in("bernd")
    with page.expect_navigation():
        page.locator("header nav a", has_text="Freigaben").first.click()
    assert page.url.endswith("/manage/requests/")
    journey.check("antraege")
    rows = page.locator("main tbody tr")
    assert rows.count() == 2
    with page.expect_navigation():
        rows.filter(has_text="mira").locator("a").first.click()
    journey.check("antrag-mira")
    details = page.locator("main").inner_text()
    assert "andrea" in details and "Team Nord" in details and "Fachkraft" in details
    journey.submit("Genehmigen")
    journey.check("antrag-genehmigt")
    mira.refresh_from_db()
    assert list(mira.teams.all()) == [team]
    assert [g.name for g in mira.groups.all()] == [Role.CASEWORKER]
    assert not mira.has_usable_password()
    with page.expect_navigation():
        page.locator("main tbody tr", has_text="ulrike").locator("a").first.click()
    journey.check("antrag-datenschutz")
    assert "Diakonisches Werk" in page.locator("main").inner_text()
    journey.submit("Genehmigen")
    assert list(organisation.data_protection_officers.all()) == [ulrike]
    assert page.locator("main table").count() == 0  # nothing left to approve

    # The code went to Mira only, by mail: not to the pages, not to the administrators.
    [letter] = [m for m in _mails_to(mira.email) if "Anmeldecode" in m.subject]
    code = re.search(r"[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}", letter.body).group(0)
    reset_path = re.search(r"https?://[^/\s]+(/accounts/reset/)", letter.body).group(1)
    assert "mira" in letter.body
    for message in mail.outbox:
        assert message.to == [mira.email] or code not in message.body
    assert code not in page.content()

    # Mira sets her own password and second factor with the code (2FA required, as in
    # production), in a fresh session.
    settings.CASEWORKS_REQUIRE_2FA = True
    page.context.clear_cookies()
    journey.go(reset_path)
    journey.check("zugang-setzen")
    page.fill('[name="username"]', "mira")
    page.fill('[name="enrolment_code"]', code)
    page.fill('[name="password1"]', PASSWORD)
    page.fill('[name="password2"]', PASSWORD)
    journey.submit()
    assert "/accounts/code/setup/" in page.url  # the same code: no second code page
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    journey.check("zweiter-faktor-app")
    page.fill('[name="otp_token"]', _totp(secret))
    journey.submit()
    journey.check("wiederherstellungscodes")
    with page.expect_navigation():
        page.locator("main a.button.primary").first.click()

    # She signs in with the password she chose and the app, and lands on her caseload.
    journey.sign_in("mira")
    assert "/accounts/code/" in page.url
    page.fill('[name="otp_token"]', _totp(secret, steps_ahead=1))
    journey.submit()
    assert page.url.endswith("/cases/")
    journey.check("leere-fallliste")
    empty = page.locator("main .empty")
    assert "Noch keine Fälle" in empty.inner_text()
    assert empty.locator('a[href="/cases/new/"]').count() == 1
    # The code was used once: a second try is refused with the same answer for everyone.
    page.context.clear_cookies()
    journey.go(reset_path)
    page.fill('[name="username"]', "mira")
    page.fill('[name="enrolment_code"]', code)
    page.fill('[name="password1"]', PASSWORD + " neu")
    page.fill('[name="password2"]', PASSWORD + " neu")
    journey.submit()
    assert page.url.endswith(reset_path)
    journey.check("zugang-setzen-code-verbraucht")
    assert page.locator("main [role=alert]").count() == 1
    assert "schon verwendet" in page.locator("main .errors").inner_text()


def dpo_house(house):
    """A second carrier (Caritas, team B), AWO's data protection officer Dora, an AWO case
    read and one handed over to Caritas with the family's consent, and a retention run."""
    team, users = house["team"], house["users"]
    leyla, sabine = users["leyla"], users["sabine"]
    caritas = Organisation.objects.create(
        name="Caritasverband Musterstadt e. V.",
        short_name="Caritas",
        protection_law=Organisation.ProtectionLaw.KDG,
    )
    team_b = Team.objects.create(organisation=caritas, name="Team B")
    sue = get_user_model().objects.create_user(
        "susanne", password=PASSWORD, first_name="Susanne", last_name="Vogt"
    )
    sue.groups.add(Group.objects.get(name=Role.SUPERVISOR))
    team_b.supervisors.add(sue)
    dora = get_user_model().objects.create_user(
        "datenschutz", password=PASSWORD, first_name="Dora", last_name="Schutz"
    )
    team.organisation.data_protection_officers.add(dora)

    read = open_case(leyla, team, opened_on=TODAY - 40 * DAY)
    log_access(user=leyla, action="case.viewed", obj=read, label=read.reference)
    moving = open_case(leyla, team, first_name="Samir", last_name="Haddad")
    referral_services.consent_record(
        actor=leyla,
        client=moving.clients.get(),
        organisation=caritas,
        transfer_scope=["master_data", "records"],
        purpose="Übernahme durch die Caritas",
        signed_on=TODAY,
    )
    transfer = case_services.case_transfer_request(
        actor=sabine, case=moving, to_team=team_b, reason="Umzug in den Stadtteil Nord"
    )
    case_services.case_transfer(actor=sue, transfer=transfer, agree=True)
    old = open_case(leyla, team, last_name="Alt", opened_on=TODAY - 6 * 365 * DAY)
    case_services.case_close(
        actor=sabine, case=old, reason="moved_away", closed_on=TODAY - 5 * 365 * DAY
    )
    apply_retention(dry_run=False)
    return {"dora": dora, "caritas": caritas, "moved": moving, "read": read}


def test_a_carriers_data_protection_officer_reads_its_own_records(journey, house):
    """Issue 31: AWO's DPO finds the access log, the retention runs, the transfers to other
    carriers, the approvals and the joint arrangement in the menu; each page fits a phone and
    speaks German; another carrier's report is not hers (404)."""
    world = dpo_house(house)
    page = journey.page
    journey.sign_in("datenschutz")
    journey.check("dsb-start")
    assert page.locator('header a[href="/admin/"]').count() == 0

    def menu(label):
        with page.expect_navigation():
            page.locator("header nav a", has_text=label).first.click()

    menu("Zugriffsprotokoll")
    assert page.url.endswith("/audit/")
    journey.check("dsb-zugriffsprotokoll")
    rows = page.locator("main tbody tr")
    read = rows.filter(has_text="leyla").filter(has_text=f"Fall {world['read'].reference}")
    assert read.count() == 1
    carriers = page.locator('[name="organisation"] option').all_inner_texts()
    assert any("AWO" in c for c in carriers) and not any("Caritas" in c for c in carriers)

    menu("Löschläufe")  # one carrier: straight to its report
    assert page.url.endswith(f"/audit/retention/{house['team'].organisation.code}/")
    journey.check("dsb-loeschlaeufe")
    report = page.locator("main tbody").inner_text()
    assert "Fälle: 1" in report and "Personen: 1" in report
    assert " cases" not in report and "history rows" not in report  # no English keys

    menu("Übermittlungen")
    assert page.url.endswith("/cases/handovers/records/")
    journey.check("dsb-uebermittlungen")
    record = page.locator("main tbody tr").first.inner_text()
    assert world["moved"].reference in record and "Caritas" in record

    menu("Freigaben")
    journey.check("dsb-freigaben")
    assert page.locator("main .empty").count() == 1

    # The joint arrangement names both carriers and AWO's DPO (kept for reading).
    response = page.request.get(journey.base_url + "/audit/arrangement.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    folder = SHOTS / str(journey.width)
    (folder / "dsb-vereinbarung.pdf").write_bytes(response.body())
    text = "".join(
        sheet.get_textpage().get_text_range() for sheet in pdfium.PdfDocument(response.body())
    )
    assert "Caritasverband Musterstadt" in text and "AWO Kreisverband" in text
    assert "Dora Schutz" in text

    # Caritas's report is for Caritas's DPO.
    other = page.goto(f"{journey.base_url}/audit/retention/{world['caritas'].code}/")
    assert other.status == 404
