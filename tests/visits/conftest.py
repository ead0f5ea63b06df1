import datetime

import pytest
from django.utils import timezone

from caseworks.models import Service
from visits import services
from visits.models import Visit

TODAY = timezone.localdate()


def record(actor, case, kind="follow_up", date=None, **extra):
    data = {"duration_minutes": 60, "place": "accommodation", "topics": ["housing"]}
    data.update(extra)
    return services.visit_record(actor=actor, case=case, kind=kind, date=date or TODAY, **data)


@pytest.fixture
def opened_case(alice, team_a):
    from tests.helpers import open_case

    return open_case(alice, team_a, opened_on=TODAY - datetime.timedelta(days=30))


@pytest.fixture
def first_visit(alice, opened_case):
    return record(
        alice, opened_case, kind=Visit.Kind.FIRST, date=TODAY - datetime.timedelta(days=20)
    )


@pytest.fixture
def authority(db):
    return Service.objects.create(
        name="Ausländerbehörde Musterstadt",
        kind="authority",
        address="Rathausplatz 1\n12345 Musterstadt",
    )


def plan(actor, case, *, when, accompanied_by=None, service=None, **extra):
    data = {
        "client": case.clients.first(),
        "destination_kind": "authority",
        "service": service,
        "destination_text": "" if service else "Praxis Dr. Weiß",
        "appointment_at": when,
        "purpose": "Verlängerung der Gestattung",
        "accompanied_by": accompanied_by,
    }
    data.update(extra)
    return services.accompaniment_plan(actor=actor, case=case, data=data)


def in_hours(hours):
    return timezone.now() + datetime.timedelta(hours=hours)
