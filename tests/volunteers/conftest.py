"""Volunteers with a complete onboarding, a planned accompaniment and a request for it."""

import datetime

import pytest
from django.utils import timezone

from caseworks.models import Service
from tests.helpers import TODAY, make_user, open_case
from visits import services as visit_services
from volunteers import services
from volunteers.models import AvailabilitySlot, Volunteer


def next_weekday(weekday: int, hour: int) -> datetime.datetime:
    """The next `weekday` (0 = Monday) at `hour`, at least two days ahead."""
    day = TODAY + datetime.timedelta(days=2)
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def register(user, actor, *, languages=(), status="active", complete=True, **extra):
    """A register entry for `user` (a volunteer login), eligible unless told otherwise."""
    sighted = TODAY - datetime.timedelta(days=100)
    data = {"status": status, "districts": ["Nord"], "tasks": ["authority", "doctor"]}
    if complete:
        data.update(
            pledge_signed_on=sighted,
            certificate_sighted_on=sighted,
            certificate_issued_on=sighted - datetime.timedelta(days=10),
            training_attended_on=sighted,
        )
    data.update(extra)
    return services.volunteer_create(actor=actor, user=user, data=data, languages=languages)


def volunteer_login(username, first_name="", last_name=""):
    user = make_user(username, "volunteer", first_name=first_name, last_name=last_name)
    user.email = f"{username}@example.org"
    user.save()
    return user


def slot(volunteer, weekday, start, end):
    return services.slots_set(
        actor=volunteer.user,
        volunteer=volunteer,
        slots=[(weekday, datetime.time(start), datetime.time(end))]
        + [
            (s.weekday, s.starts_at, s.ends_at)
            for s in AvailabilitySlot.objects.filter(volunteer=volunteer)
        ],
    )


@pytest.fixture
def doctor(db):
    return Service.objects.create(
        name="Hausarztpraxis am Markt", kind="doctor", address="Markt 2\n12345 Musterstadt"
    )


@pytest.fixture
def case(alice, team_a):
    case = open_case(alice, team_a, first_name="Amal", last_name="Haddad-Geheim")
    client = case.clients.get()
    client.phone = "0171 5550123"
    client.languages = "Arabisch"
    client.interpreter_needed = True
    client.save()
    return case


@pytest.fixture
def accompaniment(alice, case, doctor):
    return visit_services.accompaniment_plan(
        actor=alice,
        case=case,
        data={
            "client": case.clients.get(),
            "destination_kind": "doctor",
            "service": doctor,
            "destination_text": "Zimmer 3, Diabetologie",
            "appointment_at": next_weekday(1, 10),  # a Tuesday, 10:00
            "purpose": "Befund Diabetes besprechen",
            "accompanied_by": alice,
        },
    )


@pytest.fixture
def vera_profile(vera, cody):
    vera.email = "vera@example.org"
    vera.save()
    return register(vera, cody, languages=[("Arabisch", "fluent")])


@pytest.fixture
def request_(alice, accompaniment):
    return services.request_create(
        actor=alice,
        accompaniment=accompaniment,
        data={"task": "doctor", "language": "Arabisch", "district": "Nord", "needs": ""},
    )


def profile(user) -> Volunteer:
    return Volunteer.objects.get(user=user)
