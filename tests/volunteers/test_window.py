"""Need-to-know in time: the client's first name and phone from 24 hours before to 24 hours
after the appointment, never outside; the date, the place and the note for the accompaniment
always, the purpose never (the case file's text)."""

import datetime

import pytest
from django.utils import timezone

from caseworks.models import AccessLog
from visits import services as visit_services
from visits.views import contact_visible

HOUR = datetime.timedelta(hours=1)
SECOND = datetime.timedelta(seconds=1)


def test_the_edges_of_the_window():
    at = timezone.now()
    day = datetime.timedelta(hours=24)
    assert contact_visible(at, now=at - day)
    assert contact_visible(at, now=at + day)
    assert not contact_visible(at, now=at - day - SECOND)
    assert not contact_visible(at, now=at + day + SECOND)


def test_the_window_follows_the_setting(settings):
    settings.CASEWORKS_VOLUNTEER_CONTACT_HOURS = 2
    at = timezone.now()
    assert contact_visible(at, now=at - 2 * HOUR)
    assert not contact_visible(at, now=at - 3 * HOUR)


@pytest.mark.parametrize(
    ("offset", "shown"),
    [
        (datetime.timedelta(hours=23, minutes=59), True),  # tomorrow: inside the window
        (datetime.timedelta(hours=24, minutes=5), False),  # just before the window opens
        (-datetime.timedelta(hours=23, minutes=59), True),  # yesterday, within 24 h
        (-datetime.timedelta(hours=24, minutes=5), False),  # just after it closed
    ],
)
def test_the_volunteer_page_shows_the_phone_only_inside(client, alice, case, vera, offset, shown):
    a = visit_services.accompaniment_plan(
        actor=alice,
        case=case,
        data={
            "client": case.clients.get(),
            "destination_kind": "authority",
            "destination_text": "Ausländerbehörde",
            "appointment_at": timezone.now() + offset,
            "purpose": "Verlängerung der Grenzübertrittsbescheinigung",
            "volunteer_note": "Treffpunkt am Haupteingang",
            "volunteer": vera,
        },
    )
    client.force_login(vera)
    detail = client.get(f"/volunteer/{a.code}/").content.decode()
    listing = client.get("/volunteer/").content.decode()
    assert ("0171 5550123" in detail) is shown
    assert ("Amal" in detail) is shown
    assert "Treffpunkt am Haupteingang" in detail and "Ausländerbehörde" in detail
    assert "Grenzübertritt" not in detail + listing
    if offset > datetime.timedelta(0):  # planned and ahead: in the list
        assert ("Amal" in listing) is shown
    assert "Haddad-Geheim" not in detail + listing
    logged = AccessLog.objects.filter(user=vera, action="accompaniment.viewed").exists()
    assert logged is shown  # the log records when she saw the contact
