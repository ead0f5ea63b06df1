"""Issue 36, item 13: the client printouts keep inside their page margins — every glyph
and every drawn line (a signature line is a border), in every script. The signature line
of the staff ran 10 mm past the right margin and the Arabic slip's contact 6 mm past its
table: cells of 50 % plus their paddings made the tables wider than the page's text."""

import datetime
import io

import pdfplumber
import pytest
from django.utils import timezone

from cases.models import Appointment
from referrals import printouts, services
from referrals.models import Consent
from tests.helpers import TODAY
from tests.referrals.conftest import pdf_text

pytestmark = pytest.mark.django_db

MM = 72 / 25.4
A4_W = 210
# static/css/printouts.css: @page margin 18mm 18mm 22mm 20mm.
LEFT, RIGHT = 20, A4_W - 18
SLACK = 0.3  # mm: anti-aliasing of a line's end, rounding of glyph boxes

LONG_EMAIL = "alice.arendt-fluechtlingsbegleitung@kreisverband-musterstadt.example"


def outside_the_margins(pdf: bytes) -> list[str]:
    """What lies left of the left margin or right of the right one: glyphs and lines."""
    found = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for n, page in enumerate(doc.pages):
            for c in page.chars:
                if c["x0"] / MM < LEFT - SLACK or c["x1"] / MM > RIGHT + SLACK:
                    found.append(
                        f"page {n + 1}: {c['text']!r} at {c['x0'] / MM:.1f}–{c['x1'] / MM:.1f} mm"
                    )
            for e in page.edges:
                if e["x0"] / MM < LEFT - SLACK or e["x1"] / MM > RIGHT + SLACK:
                    found.append(f"page {n + 1}: line {e['x0'] / MM:.1f}–{e['x1'] / MM:.1f} mm")
    return found


@pytest.fixture
def long_contact(alice, alice_case):
    alice.email = LONG_EMAIL
    alice.save()
    organisation = alice_case.team.organisation
    organisation.phone = "01234 56789-0"
    organisation.save()
    alice_case.assigned_to = alice
    alice_case.save()
    return alice_case


@pytest.mark.parametrize("language", ["", "ar", "ru"])
def test_the_consent_form_keeps_its_signature_lines_inside(alice, alice_case, mbe, language):
    consent = services.consent_record(
        actor=alice,
        client=alice_case.clients.first(),
        services=[mbe],
        purpose="Vermittlung in die Migrationsberatung",
        signed_on=None,
        valid_until=TODAY + datetime.timedelta(days=365),
        shared_data=[Consent.SharedData.CONTACT],
    )
    pdf = printouts.consent_form_pdf(consent, language=language)
    assert outside_the_margins(pdf) == []


@pytest.mark.parametrize("language", ["ar", "fa", ""])
def test_the_slips_contact_stays_in_its_table(alice, long_contact, language):
    appointment = Appointment.objects.create(
        case=long_contact,
        kind="immigration_office",
        starts_at=timezone.make_aware(datetime.datetime(2030, 3, 4, 8, 0)),
        place="Ausländerbehörde, Zimmer 12\nRathausplatz 1\n12345 Musterstadt",
        recorded_by=alice,
    )
    person = long_contact.clients.get()
    appointment.persons.add(person)
    pdf = printouts.appointment_slip_pdf(appointment, client=person, language=language)
    assert outside_the_margins(pdf) == []
    text = pdf_text(pdf)
    # The caseworker's e-mail whole in each column (German, and the person's language).
    assert text.replace("\n", "").count(LONG_EMAIL) == (2 if language else 1)


def test_the_information_sheet_keeps_its_contact_boxes_inside(alice_case):
    organisation = alice_case.team.organisation
    organisation.dpo_contact = "Datenschutzbeauftragte\nFrau Dr. Beispiel\ndatenschutz@awo.example"
    organisation.save()
    for language in ("ar", ""):
        pdf, _texts = printouts.info_sheet_pdf(organisation, language=language)
        assert outside_the_margins(pdf) == []
