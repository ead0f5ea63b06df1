"""The main journey of every role, in German, at 360 px (phone) and 1280 px (desk)."""

import datetime
import io

from django.utils import timezone
from pypdf import PdfReader

from cases.models import Case
from referrals.models import Letter, Referral
from visits.models import Accompaniment, Visit

TODAY = timezone.localdate()


def d(days=0):
    return (TODAY + datetime.timedelta(days=days)).isoformat()


def test_the_journey_of_every_role(journey, house):
    page = journey.page
    users = house["users"]

    # --- caseworker: an arriving family with its Ankunftsnachweis -----------------------
    journey.go("/accounts/login/")
    journey.check("anmelden")
    journey.sign_in("leyla")
    journey.check("meine-faelle")
    journey.go("/cases/new/")
    journey.check("neuer-fall-pruefen")
    page.fill('[name="check-first_name"]', "Amal")
    page.fill('[name="check-last_name"]', "Haddad")
    page.fill('[name="check-birth_date"]', "1991-04-12")
    journey.submit("Prüfen")
    journey.check("neuer-fall-angaben")
    page.select_option('[name="client-gender"]', "female")
    page.select_option('[name="client-nationality"]', "SY")
    page.select_option('[name="client-languages"]', ["ara"])  # Arabisch
    page.fill('[name="case-accommodation_address"]', "Gemeinschaftsunterkunft\nAm Hang 4")
    page.select_option('[name="status-kind"]', "arrival_certificate")
    page.fill('[name="status-valid_from"]', d(-3))
    page.fill('[name="status-valid_until"]', d(177))
    page.fill('[name="status-document_number"]', "ANK123456")
    journey.submit("Fall eröffnen")
    case = Case.objects.get(assigned_to=users["leyla"])
    assert f"/cases/{case.code}/" in page.url
    journey.check("fallakte")

    journey.go(f"/cases/{case.code}/clients/new/")
    page.select_option('[name="client-relationship"]', "child")
    page.fill('[name="client-first_name"]', "Nour")
    page.fill('[name="client-last_name"]', "Haddad")
    page.fill('[name="client-birth_date"]', "2019-02-01")
    page.uncheck('[name="add_status"]')
    journey.check("person-hinzufuegen")
    journey.submit("Person hinzufügen")
    assert case.clients.count() == 2

    # The first visit, then a follow-up.
    journey.go(f"/cases/{case.code}/visits/new/")
    journey.check("erstbesuch")
    page.fill('[name="date"]', d(0))  # the case was opened today
    page.fill('[name="duration_minutes"]', "90")
    for box in page.locator('[name="present"]').all():
        box.check()
    page.locator('[name="topics"]').first.check()
    page.fill('[name="notes"]', "Erstbesuch in der Unterkunft.")
    journey.submit()
    assert Visit.objects.filter(case=case, kind="first").exists(), page.content()[:3000]
    journey.go(f"/cases/{case.code}/visits/new/")
    page.fill('[name="date"]', d(0))
    page.fill('[name="duration_minutes"]', "45")
    journey.check("folgebesuch")
    journey.submit()
    assert Visit.objects.filter(case=case, kind="follow_up").exists(), page.content()[:3000]

    # An accompaniment to the Ausländerbehörde (earlier today, so the volunteer can close it).
    journey.go(f"/cases/{case.code}/accompaniments/new/")
    page.select_option('[name="service"]', label="Ausländerbehörde")
    when = timezone.localtime() - datetime.timedelta(hours=1)
    page.fill('[name="appointment_at"]', when.strftime("%Y-%m-%dT%H:%M"))
    page.fill('[name="purpose"]', "Verlängerung des Ankunftsnachweises")
    page.select_option('[name="volunteer"]', str(users["karl"].pk))
    journey.check("begleitung-planen")
    journey.submit("Planen")
    assert Accompaniment.objects.filter(case=case).exists(), page.content()[:3000]

    # Consent (Schweigepflichtentbindung) and a referral to the MBE.
    journey.go(f"/cases/{case.code}/consents/new/")
    page.fill('[name="purpose"]', "Vermittlung an die Migrationsberatung")
    page.get_by_label("Migrationsberatung", exact=False).first.check()
    journey.check("einwilligung")
    journey.submit()
    journey.go(f"/cases/{case.code}/referrals/new/")
    page.select_option(
        '[name="service"]', label="Migrationsberatung für erwachsene Zuwanderer (MBE)"
    )
    page.fill('[name="reason"]', "Beratung zur Anerkennung des Schulabschlusses")
    journey.check("vermittlung")
    journey.submit()
    referral = Referral.objects.get(case=case)
    journey.submit("Als druckbereit markieren")
    referral.refresh_from_db()
    assert referral.status == "ready", page.content()[:3000]
    journey.check("vermittlung-druckbereit")

    # --- office: print the letter, mark it sent -------------------------------------------
    journey.sign_in("petra")
    journey.check("druckwarteschlange")
    # While the batch PDF is made, the page says so (the submit is held back here to read it).
    shown = page.evaluate("""() => {
        const form = document.querySelector('form[data-busy]');
        form.addEventListener('submit', e => e.preventDefault(), {once: true});
        form.querySelector('button[value=print]').click();
        return form.querySelector('[data-busy-status]').textContent;
    }""")
    assert "Briefe werden erstellt" in shown
    journey.go("/referrals/print-queue/")
    page.locator('[name="referral"]').first.check()
    with page.expect_response(lambda r: r.request.method == "POST") as printed:
        page.locator("main button[type=submit]").filter(has_text="drucken").click()
    assert printed.value.headers["content-type"] == "application/pdf"
    assert Letter.objects.filter(referral=referral).exists()
    # The archived letter, as the office's browser downloads it again.
    pdf = page.request.get(f"{journey.base_url}/referrals/{referral.code}/letter.pdf").body()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Amal Haddad" in text and "Migrationsberatung" in text
    journey.go("/referrals/print-queue/")
    page.locator('[name="referral"]').first.check()
    journey.submit("versandt")
    referral.refresh_from_db()
    assert referral.status == "sent"
    journey.check("druck-erledigt")

    # --- volunteer: the accompaniment is done ----------------------------------------------
    journey.sign_in("karl")
    journey.check("meine-begleitungen")
    page.locator("main li a").first.click()
    page.wait_for_load_state("load")
    journey.check("begleitung")
    journey.submit()
    assert Accompaniment.objects.get(case=case).status == "done", page.content()[:3000]

    # --- supervisor: reassign the case, read the statistics ---------------------------------
    journey.sign_in("sabine")
    journey.check("leitung")
    team = house["team"].pk
    journey.go(f"/supervision/reassign/?team={team}&caseworker={users['leyla'].pk}")
    journey.check("neu-zuweisen")
    page.locator('[name="cases"]').first.check()  # nothing is preselected
    page.select_option('[name="to"]', str(users["jonas"].pk))
    journey.submit("Weiter")
    journey.check("neu-zuweisen-bestaetigen")
    journey.submit()
    case.refresh_from_db()
    assert case.assigned_to == users["jonas"]
    journey.go("/supervision/statistics/")
    page.fill('[name="start"]', d(-364))
    page.fill('[name="end"]', d(0))
    page.locator('[name="teams"]').first.check()
    journey.submit("Anzeigen")
    journey.check("statistik")
    assert "Syrien" in page.content()
    assert len(journey.checked) >= 20
