import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from cases.models import Case, Client, ResidenceStatus, StatusKind
from cases.services.transfers import transfer_basis
from caseworks.models import Organisation, Team
from tests.helpers import module_transaction, sign_in
from visits.models import Accompaniment
from volunteers.models import MediationBooking, Mediator

# The demo house is built once for the module, with the production hashers (its users sign
# in with the password "demo"), so its tests keep them too.
pytestmark = pytest.mark.real_hashers


def test_it_refuses_to_run_with_debug_off(db):
    before = Organisation.objects.count()
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert Organisation.objects.count() == before


@pytest.fixture(scope="module")
def demo_house(django_db_setup, django_db_blocker):
    """One demo house of 40 persons for this module's tests (seeding takes seconds); what
    seed_demo printed is returned."""
    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock(), override_settings(DEBUG=True):
            out = io.StringIO()
            call_command("seed_demo", clients=40, stdout=out)
        yield out.getvalue()


@pytest.fixture
def demo(demo_house, db):
    return demo_house


# The 40 persons asked for, and the case plan's two households that meet a residence
# perspective rule (demo/plan.py: 4 persons).
PERSONS = 44


@override_settings(DEBUG=True)
def test_it_builds_the_demo_house(demo):
    assert Organisation.objects.count() == 3
    assert set(Team.objects.values_list("organisation__short_name", flat=True)) == {
        "AWO",
        "Caritas",
        "Diakonie",
    }
    assert Client.objects.count() == PERSONS
    kinds = set(ResidenceStatus.objects.values_list("kind", flat=True))
    assert kinds == set(StatusKind.values)
    user = get_user_model().objects.get(username="caseworker1")
    assert user.check_password("demo")
    assert Case.objects.filter(assigned_to=user).exists()
    assert "supervisor2" in demo and "password for all: demo" in demo
    # Every account has the code /manage/ addresses it by (the volunteers are bulk-created).
    assert not get_user_model().objects.filter(manage_code__isnull=True).exists()
    # Running it again with --if-empty changes nothing.
    call_command("seed_demo", if_empty=True)
    assert Client.objects.count() == PERSONS


@override_settings(DEBUG=True)
def test_it_makes_some_documents_expire_soon(demo):
    from cases.selectors import case_filter_expiring

    assert case_filter_expiring(Case.objects.all()).exists()


@override_settings(DEBUG=True)
def test_demo_caseworkers_do_not_see_each_others_teams(client, demo):
    other = Case.objects.filter(assigned_to__username="caseworker3").first()
    own = Case.objects.filter(assigned_to__username="caseworker1").first()
    assert sign_in(client, "caseworker1", "demo")
    assert client.get(f"/cases/{own.code}/").status_code == 200
    assert client.get(f"/cases/{other.code}/").status_code == 404
    assert client.get(f"/cases/{other.code}/history/").status_code == 404
    client.logout()
    assert sign_in(client, "supervisor", "demo")
    assert client.get(f"/cases/{own.code}/").status_code == 200
    assert client.get(f"/cases/{other.code}/").status_code == 404


@override_settings(DEBUG=True)
def test_each_carrier_has_its_own_dpo_login_and_cases(demo, client):
    """Issue 31: three carriers, each with a team, cases and a DPO who sees only its own."""
    for username, short_name in (
        ("datenschutz", "AWO"),
        ("datenschutz2", "Caritas"),
        ("datenschutz3", "Diakonie"),
    ):
        organisation = Organisation.objects.get(short_name=short_name)
        assert list(organisation.data_protection_officers.values_list("username", flat=True)) == [
            username
        ]
        assert Case.objects.filter(team__organisation=organisation).exists(), short_name
        assert sign_in(client, username, "demo")
        own = Case.objects.filter(team__organisation=organisation).first()
        other = Case.objects.exclude(team__organisation=organisation).first()
        for case, status in ((own, 200), (other, 404)):
            person = case.clients.first()
            url = f"/cases/{case.code}/clients/{person.code}/disclosure.json"
            assert client.get(url).status_code == status, (username, case.team)
        client.logout()
    assert "datenschutz3" in demo


def test_volunteers_read_a_note_and_a_household_consents_to_another_carrier(demo):
    """Issue 31 in the demo: an accompaniment by a volunteer carries a note written for
    them; one household of AWO has signed its consent to a hand-over to Caritas, so the
    hand-over across carriers can be shown."""
    by_volunteer = Accompaniment.objects.filter(volunteer__username="volunteer1")
    assert by_volunteer.exists()
    assert all(a.volunteer_note for a in by_volunteer)
    assert "Treffpunkt" in " ".join(a.volunteer_note for a in by_volunteer)
    caritas = Organisation.objects.get(teams__name__startswith="Team B")
    (case,) = [
        c
        for c in Case.objects.filter(team__organisation__teams__name__startswith="Team A")
        if transfer_basis(c, caritas).covered
    ]
    assert set(transfer_basis(case, caritas).scope) == {"master_data", "records"}


def test_the_demo_has_a_pool_of_language_mediators_and_a_request(demo):
    """Issue 32: an agency, a paid mediator and volunteer1 interpret; one request is open."""
    assert sorted(Mediator.objects.values_list("kind", flat=True)) == [
        "agency",
        "freelance",
        "volunteer",
    ]
    assert MediationBooking.objects.filter(status="requested").count() == 1
