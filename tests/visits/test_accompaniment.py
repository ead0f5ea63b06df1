"""Accompaniments fit real appointments: several household members, a staff member and a
volunteer together, a short outcome form after the appointment, and the destination's real
kind (an advice service is not an authority)."""

import datetime

import pytest
from django.utils import timezone

from cases import services as case_services
from caseworks.models import Service
from tests.visits.conftest import in_hours, plan
from visits.models import Accompaniment


@pytest.fixture
def child(alice, opened_case):
    return case_services.client_create(
        actor=alice,
        case=opened_case,
        data={"first_name": "Sara", "last_name": "Karimi", "relationship": "child"},
    )


@pytest.fixture
def advice(db):
    return Service.objects.create(
        name="Migrationsberatung MBE", kind="counselling", category="mbe", address="Markt 1"
    )


def form_data(case, **extra):
    data = {
        "client": case.clients.first().pk,
        "appointment_at": (timezone.localtime() + datetime.timedelta(days=2)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "destination_text": "Kinderarztpraxis Lindenhof",
        "destination_kind": "doctor",
        "purpose": "U-Untersuchung",
    }
    data.update(extra)
    return data


def test_a_child_goes_with_a_parent_and_staff_with_a_volunteer(
    client, alice, vera, opened_case, child
):
    parent = opened_case.clients.get(relationship="main_contact")
    client.force_login(alice)
    url = f"/cases/{opened_case.code}/accompaniments/new/"
    response = client.post(
        url,
        form_data(
            opened_case,
            client=child.pk,
            others=[parent.pk],
            accompanied_by=alice.pk,
            volunteer=vera.pk,
            # Within the volunteer's need-to-know window (CASEWORKS_VOLUNTEER_CONTACT_HOURS)
            appointment_at=(timezone.localtime() + datetime.timedelta(hours=5)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    accompaniment = Accompaniment.objects.get()
    assert accompaniment.client == child and list(accompaniment.others.all()) == [parent]
    assert (accompaniment.accompanied_by, accompaniment.volunteer) == (alice, vera)
    assert accompaniment.history.first().others.count() == 1  # the history keeps who went
    detail = client.get(
        f"/cases/{opened_case.code}/accompaniments/{accompaniment.code}/"
    ).content.decode()
    assert "Sara Karimi" in detail and parent.full_name in detail
    # The volunteer sees both first names, to find them at the door.
    client.force_login(vera)
    page = client.get(f"/volunteer/{accompaniment.code}/").content.decode()
    assert "Sara" in page and parent.first_name in page


def test_someone_must_go_along(client, alice, opened_case):
    client.force_login(alice)
    response = client.post(f"/cases/{opened_case.code}/accompaniments/new/", form_data(opened_case))
    assert response.status_code == 200
    assert "a staff member, a volunteer or both" in response.content.decode()
    assert Accompaniment.objects.count() == 0


def test_members_of_another_household_cannot_go_along(alice, opened_case, charlie_case):
    from django.core.exceptions import ValidationError

    stranger = charlie_case.clients.get()
    with pytest.raises(ValidationError, match="Only members of this household"):
        plan(alice, opened_case, when=in_hours(5), others=[stranger], accompanied_by=alice)


def test_an_advice_service_is_shown_as_what_it_is(client, alice, opened_case, advice):
    accompaniment = plan(
        alice,
        opened_case,
        when=in_hours(5),
        service=advice,
        destination_kind="authority",  # what older forms stored for any directory entry
        accompanied_by=alice,
    )
    assert accompaniment.destination_kind == "counselling"
    assert accompaniment.kind_label == "specialised service"
    client.force_login(alice)
    html = client.get(f"/cases/{opened_case.code}/").content.decode()
    assert "specialised service: Migrationsberatung MBE" in html
    assert "authority: Migrationsberatung" not in html


def test_a_free_text_destination_needs_its_kind(client, alice, opened_case):
    client.force_login(alice)
    response = client.post(
        f"/cases/{opened_case.code}/accompaniments/new/",
        form_data(opened_case, destination_kind="", accompanied_by=alice.pk),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["destination_kind"]


# --- the outcome form ---------------------------------------------------------------------


def outcome_url(case, accompaniment):
    return f"/cases/{case.code}/accompaniments/{accompaniment.code}/outcome/"


def test_the_outcome_form_is_short(client, alice, opened_case, authority):
    accompaniment = plan(alice, opened_case, when=in_hours(-2), service=authority)
    client.force_login(alice)
    form = client.get(outcome_url(opened_case, accompaniment)).context["form"]
    assert set(form.fields) == {"version", "took_place", "outcome"}
    assert form["took_place"].value() is None  # nothing preselected
    response = client.post(
        outcome_url(opened_case, accompaniment),
        {"version": accompaniment.version, "took_place": "yes", "outcome": "Antrag abgegeben"},
    )
    assert response.status_code == 302
    accompaniment.refresh_from_db()
    assert (accompaniment.status, accompaniment.outcome) == ("done", "Antrag abgegeben")
    # Sent again (Back): nothing changes, the page says it is recorded.
    again = client.post(
        outcome_url(opened_case, accompaniment),
        {"version": 1, "took_place": "yes", "outcome": "anders"},
        follow=True,
    )
    assert "already recorded" in again.content.decode()
    accompaniment.refresh_from_db()
    assert accompaniment.outcome == "Antrag abgegeben"


def test_did_not_take_place_leads_to_cancelling(client, alice, opened_case, authority):
    accompaniment = plan(alice, opened_case, when=in_hours(-2), service=authority)
    client.force_login(alice)
    response = client.post(
        outcome_url(opened_case, accompaniment),
        {"version": accompaniment.version, "took_place": "no", "outcome": ""},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/accompaniments/{accompaniment.code}/cancel/")
    accompaniment.refresh_from_db()
    assert accompaniment.status == "planned"  # nothing cancelled without a reason


def test_another_team_cannot_record_the_outcome(client, alice, charlie, opened_case, authority):
    accompaniment = plan(alice, opened_case, when=in_hours(-2), service=authority)
    client.force_login(charlie)
    assert client.get(outcome_url(opened_case, accompaniment)).status_code == 404
    detail = f"/cases/{opened_case.code}/accompaniments/{accompaniment.code}/"
    assert client.get(detail).status_code == 404
