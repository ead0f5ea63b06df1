"""Issue 36, item 8: the Art. 15 PDF reads as a letter to the person it is about, not as a
database dump — in the language chosen for it, every field in words, dates as 16.05.1966,
topics and what a consent covers by their labels, who opened the records by name and role,
no action codes, check sums or ISO times."""

import datetime
import re

import pytest
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import override

from cases import services as case_services
from cases.models import Case, Client
from cases.privacy.pdf import FIELD_LABELS, TECHNICAL, disclosure_pdf
from caseworks.audit.dataprotection import disclosure
from caseworks.audit.log import log_access
from caseworks.extensions.personal_data import person_data_sources
from caseworks.fields import BlindIndexField
from referrals.services import letter_issue, referral_transition
from tests.helpers import TODAY, consent, refer
from tests.referrals.conftest import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(alice, sam, alice_case, mbe):
    person = alice_case.clients.get()
    case_services.client_update(
        actor=alice,
        client=person,
        expected_version=person.version,
        data={"birth_date": datetime.date(1966, 5, 16), "phone": "0151 1234567"},
    )
    case_services.contact_record(
        actor=alice,
        case=alice_case,
        persons=[person],
        kind="phone",
        date=TODAY,
        duration_minutes=15,
        topics=["housing", "benefits"],
        note="Rückruf Wohnung",
    )
    consent(alice, alice_case, mbe)
    referral = referral_transition(actor=alice, referral=refer(alice, alice_case, mbe), to="ready")
    letter_issue(actor=alice, referral=referral)
    log_access(user=sam, action="case.viewed", obj=alice_case, label=alice_case.reference)
    return Client.objects.get(pk=person.pk)


def german_pdf(person) -> str:
    with override("de"):
        return pdf_text(disclosure_pdf(disclosure(person)))


def test_it_reads_in_german_words(person):
    text = german_pdf(person)
    flat = " ".join(text.split())
    assert "Auskunft über gespeicherte Daten" in text
    assert "Für Ahmad Karimi, geboren am 16.05.1966" in flat
    assert "Geburtsdatum 16.05.1966" in flat
    # Topics by their labels, field names in words.
    assert "Themen: Wohnen, Leistungen" in flat
    for word in ("erfasst von: Alice Arendt", "Fallakte: 2026-0001", "Wer Ihre Daten geöffnet hat"):
        assert word in flat, word
    # Who opened the records: name, role and what they did in words.
    assert "Sam Stein (Leitung)" in flat and "Fallakte geöffnet" in flat


def test_it_shows_no_codes_and_no_database_words(person):
    flat = " ".join(german_pdf(person).split())
    for dump in (
        "case.viewed",
        "letter.printed",
        "housing",
        "benefits",
        "created at",
        "recorded by",
        "updated at",
        "case file:",  # the label untranslated
        "SHA-256",
        "bytes)",
        "1966-05-16",
    ):
        assert dump not in flat, dump
    assert not re.search(r"\d{4}-\d\d-\d\d", flat), re.search(r"\d{4}-\d\d-\d\d", flat)
    assert not re.search(r"\d\d:\d\d[+-]\d\d:\d\d", flat)


def test_subjects_with_nothing_stored_are_named_once(person):
    flat = " ".join(german_pdf(person).split())
    assert "nichts gespeichert" not in flat  # no empty heading a subject
    nothing = flat.split("Nichts gespeichert", 1)[1]
    assert "Fristen" in nothing and "BAMF-Bescheide" in nothing


def _labelled(model: type[Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if not isinstance(f, BlindIndexField)
        and f.name not in TECHNICAL
        and not isinstance(f.verbose_name, Promise)
        and f.name not in FIELD_LABELS
    ]


def test_every_field_of_every_source_has_words():
    """A new field without a verbose name (Django would print "created at") fails here:
    give it one, or words in cases.privacy.pdf.FIELD_LABELS."""
    models = {Client, Case, *(source.model for source in person_data_sources())}
    missing = {m._meta.label: _labelled(m) for m in models if _labelled(m)}
    assert missing == {}
