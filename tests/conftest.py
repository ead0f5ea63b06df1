"""Shared setup: two teams in two carriers; alice and bob work in team A, charlie in team B;
sam supervises A, sue supervises B; olga is office, vera a volunteer, adam the admin."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cases import services
from cases.models import StatusKind
from caseworks.models import Organisation, Service, Team
from referrals import services as referral_services

TODAY = datetime.date.today()


def make_user(username, *roles, first_name="", last_name=""):
    user = get_user_model().objects.create_user(
        username,
        password=None,
        first_name=first_name,
        last_name=last_name,  # force_login only
    )
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


def sign_in(client, username, password) -> bool:
    """Sign in through the login page (django-axes needs the request; client.login has none)."""
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


@pytest.fixture
def org_a(db):
    return Organisation.objects.create(name="AWO Test", short_name="AWO")


@pytest.fixture
def org_b(db):
    return Organisation.objects.create(name="Caritas Test", short_name="Caritas")


@pytest.fixture
def team_a(org_a):
    return Team.objects.create(organisation=org_a, name="Team A")


@pytest.fixture
def team_b(org_b):
    return Team.objects.create(organisation=org_b, name="Team B")


@pytest.fixture
def alice(team_a):
    user = make_user("alice", "caseworker", first_name="Alice", last_name="Arendt")
    team_a.members.add(user)
    return user


@pytest.fixture
def bob(team_a):
    user = make_user("bob", "caseworker", first_name="Bob", last_name="Brandt")
    team_a.members.add(user)
    return user


@pytest.fixture
def charlie(team_b):
    user = make_user("charlie", "caseworker", first_name="Charlie", last_name="Conrad")
    team_b.members.add(user)
    return user


@pytest.fixture
def sam(team_a):
    user = make_user("sam", "supervisor", first_name="Sam", last_name="Stein")
    team_a.supervisors.add(user)
    return user


@pytest.fixture
def sue(team_b):
    user = make_user("sue", "supervisor", first_name="Sue", last_name="Sommer")
    team_b.supervisors.add(user)
    return user


@pytest.fixture
def olga(db):
    return make_user("olga", "office")


@pytest.fixture
def vera(db):
    return make_user("vera", "volunteer")


@pytest.fixture
def adam(db):
    user = make_user("adam", "admin")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def open_case(
    actor,
    team,
    *,
    first_name="Ahmad",
    last_name="Karimi",
    birth_date=None,
    kind=StatusKind.PERMISSION_TO_RESIDE,
    valid_until=None,
    document_number="",
    assigned_to=None,
    **case_fields,
):
    return services.case_create(
        actor=actor,
        team=team,
        assigned_to=assigned_to,
        client={
            "first_name": first_name,
            "last_name": last_name,
            "birth_date": birth_date or datetime.date(1990, 5, 17),
        },
        status={
            "kind": kind,
            "valid_from": TODAY - datetime.timedelta(days=30),
            "valid_until": valid_until or TODAY + datetime.timedelta(days=150),
            "document_number": document_number,
        },
        **case_fields,
    )


@pytest.fixture
def alice_case(alice, team_a):
    return open_case(alice, team_a, accommodation_address="Am Bahnhof 3\n12345 Musterstadt")


@pytest.fixture
def charlie_case(charlie, team_b):
    return open_case(charlie, team_b, first_name="Yonas", last_name="Haile")


@pytest.fixture(autouse=True)
def english():
    """Tests read English messages; the German UI is checked in test_language.py."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


# --- referrals (here, not in tests/referrals: the security tests use them too) ---


@pytest.fixture
def mbe(db):
    return Service.objects.create(
        name="Migrationsberatung MBE",
        kind="counselling",
        category="mbe",
        address="Marktstraße 1\n12345 Musterstadt",
    )


@pytest.fixture
def office_user(olga, team_a):
    team_a.members.add(olga)  # the office prints for team A
    return olga


def consent(actor, case, service=None, *, category="", signed_on=None, valid_until=None):
    return referral_services.consent_record(
        actor=actor,
        client=case.clients.first(),
        services=[service] if service else [],
        category=category,
        purpose="Vermittlung",
        signed_on=signed_on or TODAY,
        valid_until=valid_until,
    )


def refer(actor, case, service, **data):
    return referral_services.referral_create(
        actor=actor,
        case=case,
        data={
            "client": case.clients.first(),
            "service": service,
            "reason": "Geheimer Grund Quarzsand",
            **data,
        },
    )


@pytest.fixture
def ready_referral(alice, alice_case, mbe):
    consent(alice, alice_case, mbe)
    referral = refer(alice, alice_case, mbe)
    return referral_services.referral_transition(actor=alice, referral=referral, to="ready")


@pytest.fixture
def world(alice, bob, charlie, sam, sue, olga, vera, adam, team_a, team_b, mbe):
    """Two teams' worth of every kind of object, for the tests that walk all URLs:
    (users by name, team A's objects, team B's objects). See tests/security/world.py."""
    from tests.security.world import build_world

    return build_world(
        alice=alice,
        bob=bob,
        charlie=charlie,
        sam=sam,
        sue=sue,
        olga=olga,
        vera=vera,
        adam=adam,
        team_a=team_a,
        team_b=team_b,
        service=mbe,
    )
