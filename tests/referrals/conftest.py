import datetime
import io

import pytest
from pypdf import PdfReader

from caseworks.models import Service
from referrals import services
from tests.conftest import TODAY


@pytest.fixture
def mbe(db):
    return Service.objects.create(
        name="Migrationsberatung MBE", kind="counselling", category="mbe",
        address="Marktstraße 1\n12345 Musterstadt")


@pytest.fixture
def office_user(olga, team_a):
    team_a.members.add(olga)  # the office prints for team A
    return olga


def consent(actor, case, service=None, *, category="", signed_on=None, valid_until=None):
    return services.consent_record(
        actor=actor, client=case.clients.first(), services=[service] if service else [],
        category=category, purpose="Vermittlung", signed_on=signed_on or TODAY,
        valid_until=valid_until)


def refer(actor, case, service, **data):
    return services.referral_create(actor=actor, case=case, data={
        "client": case.clients.first(), "service": service,
        "reason": "Geheimer Grund Quarzsand", **data})


@pytest.fixture
def ready_referral(alice, alice_case, mbe):
    consent(alice, alice_case, mbe)
    referral = refer(alice, alice_case, mbe)
    return services.referral_transition(actor=alice, referral=referral, to="ready")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


DAY = datetime.timedelta(days=1)
