"""Helpers the tests share (functions and constants; the fixtures are in tests/conftest.py):
the cast (alice and bob work in team A, charlie in team B; sam supervises A, sue supervises B;
olga is office, vera a volunteer, adam the admin, cody the coordinator), a case opened as a
caseworker would, consents and referrals, the Art. 15 PDF as its requester gets it, and a
module-wide transaction."""

import contextlib
import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import resolve
from django.utils import timezone

from cases import services
from cases.models import DisclosureExport, StatusKind
from cases.privacy import exports
from caseworks.models import Organisation, Service, Team
from referrals import services as referral_services

TODAY = timezone.localdate()
WAITING = (DisclosureExport.Status.PENDING, DisclosureExport.Status.BUILDING)


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


@contextlib.contextmanager
def module_transaction(django_db_blocker):
    """Rows built once for a whole test module, as Django's TestCase.setUpTestData: inside a
    transaction rolled back when the module ends, while each test runs in a savepoint within
    it (the `db` fixture), so what a test writes is undone after it. For a module-scoped
    fixture: `with module_transaction(blocker): with blocker.unblock(): build …; yield`."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# The cast: username -> (role, first name, last name, team, relation to the team).
CAST = {
    "alice": ("caseworker", "Alice", "Arendt", "a", "members"),
    "bob": ("caseworker", "Bob", "Brandt", "a", "members"),
    "charlie": ("caseworker", "Charlie", "Conrad", "b", "members"),
    "sam": ("supervisor", "Sam", "Stein", "a", "supervisors"),
    "sue": ("supervisor", "Sue", "Sommer", "b", "supervisors"),
    "olga": ("office", "", "", None, None),
    "vera": ("volunteer", "", "", None, None),
    "adam": ("admin", "", "", None, None),
    "cody": ("coordinator", "", "", None, None),
}
ORGANISATIONS = {"a": ("AWO Test", "AWO"), "b": ("Caritas Test", "Caritas")}


def make_team(key: str) -> Team:
    name, short_name = ORGANISATIONS[key]
    organisation = Organisation.objects.create(name=name, short_name=short_name)
    return Team.objects.create(organisation=organisation, name=f"Team {key.upper()}")


def cast_member(username: str, teams: dict | None = None):
    """One of the cast, in their team (teams: "a"/"b" -> Team)."""
    role, first_name, last_name, team, relation = CAST[username]
    user = make_user(username, role, first_name=first_name, last_name=last_name)
    if relation:
        getattr((teams or {})[team], relation).add(user)
    return user


def make_mbe() -> Service:
    return Service.objects.create(
        name="Migrationsberatung MBE",
        kind="counselling",
        category="mbe",
        address="Marktstraße 1\n12345 Musterstadt",
    )


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
    # Tests open many cases of one name on purpose: the duplicate check (tests/cases/
    # test_duplicates.py) is confirmed here as a caseworker would after looking.
    return services.case_create(
        actor=actor,
        team=team,
        assigned_to=assigned_to,
        different_person_confirmed=True,
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


def disclosure_pdf(client, url: str) -> bytes:
    """The Art. 15 PDF of a person as the signed-in `client` gets it (cases.privacy.exports):
    asked for on its page (url: ".../clients/<code>/disclosure.pdf"), built by the worker,
    then downloaded once from the page the request was sent on to."""
    asked = client.post(url)
    assert asked.status_code == 302, asked.status_code
    code = resolve(asked["Location"]).kwargs["export_code"]
    # The worker, until it built this one (it takes the oldest first: others may wait).
    while DisclosureExport.objects.filter(code=code, status__in=WAITING).exists():
        assert exports.export_build_next() is not None
    response = client.get(f"{asked['Location']}auskunft.pdf")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return response.content
