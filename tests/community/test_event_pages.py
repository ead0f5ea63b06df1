"""The coordinator's event pages, attendance on a phone, the volunteer's own pages, the ICS
invitation, the certificate of attendance, the figures, and a training counting towards
onboarding."""

import datetime

from django.utils import timezone

from community import selectors, services
from community.models import Event, Registration
from tests.community.conftest import make_event, volunteers


def test_the_coordinator_creates_an_event(client, cody):
    client.force_login(cody)
    response = client.post(
        "/events/new/",
        {
            "title": "Infoabend Asylverfahren",
            "kind": "information",
            "starts_at": (timezone.localtime() + datetime.timedelta(days=3)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "duration_minutes": 90,
            "place": "Gemeindesaal",
            "capacity": 20,
            "audience": "volunteers",
            "description": "",
        },
    )
    event = Event.objects.get()
    assert response["Location"] == f"/events/{event.code}/"
    assert event.history.first().history_user == cody
    assert "Infoabend Asylverfahren" in client.get("/events/").content.decode()


def test_attendance_on_a_phone_and_the_certificate(client, cody):
    event = make_event(cody, capacity=3)
    (a,) = volunteers(1)
    registration = services.registration_add(actor=cody, event=event, user=a)
    client.force_login(cody)
    page = client.get(f"/events/{event.code}/attendance/").content.decode()
    assert 'class="tap tap-yes"' in page and "0 of 1 present" in page
    response = client.post(
        f"/events/{event.code}/attendance/",
        {"registration": str(registration.code), "attended": "yes"},
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.attended is True
    pdf = client.get(f"/events/registrations/{registration.code}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_no_certificate_without_attendance(client, cody):
    event = make_event(cody)
    (a,) = volunteers(1)
    registration = services.registration_add(actor=cody, event=event, user=a)
    client.force_login(cody)
    assert (
        client.get(f"/events/registrations/{registration.code}/certificate.pdf").status_code == 404
    )


def test_a_volunteer_registers_herself_and_cancels(client, cody, vera):
    event = make_event(cody, capacity=1)
    client.force_login(vera)
    assert event.title in client.get("/events/mine/").content.decode()
    client.post(f"/events/mine/{event.code}/")
    registration = Registration.objects.get(user=vera)
    assert registration.status == "confirmed"
    assert registration.history.first().history_user == vera
    ics = client.get(f"/events/{event.code}/invitation.ics")
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content
    client.post(f"/events/registrations/{registration.code}/cancel/")
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_a_volunteer_sees_only_her_own_registrations(client, cody, vera):
    event = make_event(cody)
    (other,) = volunteers(1)
    theirs = services.registration_add(actor=cody, event=event, user=other)
    client.force_login(vera)
    assert client.post(f"/events/registrations/{theirs.code}/cancel/").status_code == 404
    assert client.get(f"/events/{event.code}/").status_code == 404  # the coordinator's page
    theirs.refresh_from_db()
    assert theirs.status == "confirmed"


def test_figures_per_year(cody):
    event = make_event(cody, capacity=1, kind="training")
    a, b = volunteers(2)
    r = services.registration_add(actor=cody, event=event, user=a)
    services.registration_add(actor=cody, event=event, user=b)
    services.attendance_set(actor=cody, registration=r, attended=True)
    (row,) = selectors.figures_by_year()
    assert row == {
        "year": event.starts_at.year,
        "events": 1,
        "trainings": 1,
        "registered": 1,
        "waiting": 1,
        "attended": 1,
        "people": 1,
    }


def test_a_training_attended_counts_towards_onboarding(cody, active_vera):
    from volunteers.models import Volunteer

    event = make_event(cody, kind="training")
    registration = services.registration_add(actor=cody, event=event, user=active_vera)
    services.attendance_set(actor=cody, registration=registration, attended=True)
    volunteer = Volunteer.objects.get(user=active_vera)
    assert volunteer.training_attended_on == timezone.localtime(event.starts_at).date()
    assert volunteer.history.first().history_user == cody


def test_a_past_event_offers_no_registration(client, cody, vera):
    """Item 14 of issue 36: neither the coordinator's page nor the volunteer's offers to
    register for an event that is over, and a posted registration saves nothing."""
    event = make_event(cody, days=-2)
    client.force_login(cody)
    page = client.get(f"/events/{event.code}/").content.decode()
    assert "Register a volunteer" not in page and "nobody can register any more" in page
    client.post(f"/events/{event.code}/", {"user": vera.pk})
    client.force_login(vera)
    page = client.get(f"/events/mine/{event.code}/").content.decode()
    assert 'type="submit" class="button primary tap"' not in page
    assert "nobody can register any more" in page
    client.post(f"/events/mine/{event.code}/")
    assert not Registration.objects.exists()
