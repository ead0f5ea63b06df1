"""Everything that leaves the house — the calendar feed a provider syncs, the daily digest, the
request and offer mails — carries reference numbers, times and neutral words only: never the
kind of a destination or an appointment ("Arztpraxis / Klinik", "Ausländerbehörde"), a
directory name or address, a client's name, the purpose or the note for the volunteer. One walk
over every channel, with a record of every kind."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.translation import override

from cases import services as case_services
from cases.models import AppointmentKind
from caseworks.models import Service
from tests.helpers import TODAY
from tests.volunteers.conftest import register
from visits import services as visit_services
from visits.calendar import calendar_feed
from visits.models import Accompaniment
from visits.reminders import send_reminders
from volunteers import notify
from volunteers.models import Offer, VolunteerRequest

PURPOSE = "Verlängerung der Grenzübertrittsbescheinigung"
NOTE = "Treffpunkt Haupteingang, bitte Ausweis mitbringen"
INTERPRETER = "Samira Nachbarin"
# A directory entry of each kind, named as the real ones are.
SERVICES = {
    "authority": ("Ausländerbehörde Musterstadt", "Rathausplatz 1\n12345 Musterstadt"),
    "institution": ("Psychiatrische Klinik Nord", "Klinikweg 5\n12345 Musterstadt"),
    "doctor": ("Hausarztpraxis am Markt", "Markt 2\n12345 Musterstadt"),
    "counselling": ("Zentrum für Folteropfer", "Lindenstraße 9\n12345 Musterstadt"),
}
FREE_TEXT = {
    "authority": "Zentrale Ausländerbehörde, Zimmer 12",
    "institution": "Tagesklinik Süd",
    "doctor": "Praxis Dr. Weiß (Psychotherapie)",
    "counselling": "Schwangerschaftsberatung",
}
# Words that hint at health or residence status, whatever a label says.
HINTS = [
    "arzt",
    "ärzt",
    "praxis",
    "klinik",
    "therap",
    "behörde",
    "ausländer",
    "bamf",
    "anhörung",
    "grenzübertritt",
    "aufenthalt",
    "duldung",
    "gestattung",
    "gericht",
    "beratung",
]


def forbidden(case) -> set[str]:
    """Every kind label (German and English), directory entry, free text and name."""
    words = set(HINTS)
    for language in ("de", "en"):
        with override(language):
            for choices in (Accompaniment.DestinationKind, Service.Kind, AppointmentKind):
                words.update(str(label) for label in choices.labels)
    for name, address in SERVICES.values():
        words.update([name, address.splitlines()[0]])
    words.update(FREE_TEXT.values())
    words.update([PURPOSE, NOTE, INTERPRETER])
    for person in case.clients.all():
        words.update([person.first_name, person.last_name])
    return {w.lower() for w in words}


def unfolded(ics: bytes) -> str:
    """The feed as text, lines unfolded and escapes undone (a folded line hides a word)."""
    text = ics.decode().replace("\r\n ", "").replace("\r\n\t", "").replace("\r\n", "\n")
    return re.sub(r"\\([,;\\])", r"\1", text).replace("\\n", "\n")


def tomorrow_at(hour: int, minute: int = 0) -> datetime.datetime:
    day = TODAY + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def every_kind(alice, cody, vera, case):
    """Accompaniments of every destination kind, to a directory entry and a free-text one,
    staffed by alice with vera going along; a client appointment of every kind."""
    alice.email, cody.email, vera.email = "alice@example.org", "cody@example.org", "v@example.org"
    for user in (alice, cody, vera):
        user.save()
    register(vera, cody)
    accompaniments = []
    for i, kind in enumerate(Accompaniment.DestinationKind.values):
        name, address = SERVICES[kind]
        service = Service.objects.create(name=name, kind=kind, address=address)
        for j, (by_directory, text) in enumerate(((service, ""), (None, FREE_TEXT[kind]))):
            accompaniments.append(
                visit_services.accompaniment_plan(
                    actor=alice,
                    case=case,
                    data={
                        "client": case.clients.get(),
                        "destination_kind": kind,
                        "service": by_directory,
                        "destination_text": text,
                        "appointment_at": tomorrow_at(8 + i, 30 * j),
                        "purpose": PURPOSE,
                        "volunteer_note": NOTE,
                        "accompanied_by": alice,
                        "volunteer": vera,
                        "interpreter_language": "Arabisch",
                        "interpreter_name": INTERPRETER,
                    },
                )
            )
    authority = Service.objects.get(kind="authority")
    for i, kind in enumerate(AppointmentKind.values):
        case_services.appointment_create(
            actor=alice, case=case, kind=kind, starts_at=tomorrow_at(14, 5 * i), service=authority
        )
    return accompaniments


def test_every_outbound_channel_carries_reference_numbers_and_neutral_words_only(
    alice, cody, vera, case, every_kind, django_capture_on_commit_callbacks
):
    outside: dict[str, str] = {
        "feed of the caseworker": unfolded(calendar_feed(user=alice)),
        "feed of the volunteer": unfolded(calendar_feed(user=vera)),
    }
    mail.outbox.clear()
    assert send_reminders(today=TODAY)["sent"] == 2  # alice's digest and vera's
    volunteer = vera.volunteer_profile
    with django_capture_on_commit_callbacks(execute=True):
        for a in every_kind:
            request = VolunteerRequest(accompaniment=a, requested_by=alice, task="doctor")
            offer = Offer(request=request, volunteer=volunteer, offered_by=cody)
            notify.request_created(request)
            notify.offered(offer)
            notify.answered(offer, accepted=True)
            notify.answered(offer, accepted=False)
    # A digest each, and per record: the request to cody; the offer to vera; accepted to
    # alice, cody (who offered, a coordinator) and vera; declined to cody.
    assert len(mail.outbox) == 2 + len(every_kind) * 6
    for i, message in enumerate(mail.outbox):
        outside[f"mail {i} to {message.to[0]}"] = f"{message.subject}\n{message.body}"

    words = forbidden(case)
    for channel, text in outside.items():
        assert case.reference in text, channel  # the reference says which case
        found = sorted(w for w in words if w in text.lower())
        assert not found, f"{channel} carries {found}:\n{text}"


def test_the_feed_names_each_record_by_a_neutral_word(alice, case, every_kind):
    with override("de"):
        feed = unfolded(calendar_feed(user=alice))
    summaries = re.findall(r"^SUMMARY:(.*)$", feed, re.MULTILINE)
    assert summaries.count(f"Begleitung: {case.reference}") == len(every_kind)
    assert summaries.count(f"Termin: {case.reference}") == len(AppointmentKind.values)
    assert "LOCATION" not in feed  # a directory name or address hints at the kind as well
