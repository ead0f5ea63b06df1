"""Issue 36, item 6: a printout about one person of a household names that person. The
slip for Mustafa's Duldung extension was headed with his mother's name (the slip took the
appointment's first person, else the case's first): each person of an appointment now gets
a slip of their own, named on it, and a person not on the appointment gets none."""

import datetime

import pytest
from django.utils import timezone

from cases import services as case_services
from tests.helpers import open_case
from tests.referrals.conftest import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(alice, team_a):
    """Maryam (the main contact), her son Mustafa and her daughter Sara; an appointment at
    the Ausländerbehörde for Mustafa's Duldung, Maryam going with him."""
    case = open_case(alice, team_a, first_name="Maryam", last_name="Rahimi", assigned_to=alice)
    maryam = case.clients.get()

    def member(first_name):
        return case_services.client_create(
            actor=alice,
            case=case,
            data={
                "first_name": first_name,
                "last_name": "Rahimi",
                "relationship": "child",
                "birth_date": datetime.date(2008, 1, 2),
            },
        )

    mustafa, sara = member("Mustafa"), member("Sara")
    appointment = case_services.appointment_create(
        actor=alice,
        case=case,
        persons=[maryam, mustafa],
        kind="immigration_office",
        starts_at=timezone.make_aware(datetime.datetime(2030, 3, 4, 8, 0)),
        place="Ausländerbehörde, Zimmer 12\nRathausplatz 1\n12345 Musterstadt",
    )
    return case, appointment, maryam, mustafa, sara


def slip_url(case, appointment) -> str:
    return f"/cases/{case.code}/appointments/{appointment.code}/slip.pdf"


def test_it_names_the_person_whose_slip_it_is(client, alice, household):
    case, appointment, maryam, mustafa, _sara = household
    client.force_login(alice)
    response = client.get(slip_url(case, appointment), {"person": mustafa.code, "language": ""})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    head = text.split("Datum", 1)[0]
    assert "Mustafa Rahimi" in head
    # His mother goes with him: named as family (her first name), never as whose slip it is.
    assert "Maryam – Familie" in text
    assert "Maryam Rahimi" not in text
    # Nobody of the house goes along: the slip still says so.
    assert "Niemand von uns kommt mit" in text


def test_the_page_offers_a_slip_for_each_person_of_the_appointment(client, alice, household):
    case, appointment, maryam, mustafa, sara = household
    client.force_login(alice)
    page = client.get(f"/cases/{case.code}/printouts/").content.decode()
    assert f'name="person" value="{mustafa.code}"' in page
    assert f'name="person" value="{maryam.code}"' in page
    # Sara has no part in the appointment: no slip for her.
    assert f'name="person" value="{sara.code}"' not in page
    assert "Print slip for Mustafa" in page


def test_an_appointment_without_persons_offers_no_slip_but_says_why(client, alice, household):
    case, appointment, *_ = household
    appointment.persons.clear()
    client.force_login(alice)
    page = client.get(f"/cases/{case.code}/printouts/").content.decode()
    assert "the appointment names no person" in page
    assert f"/cases/{case.code}/appointments/{appointment.code}/" in page
    assert client.get(slip_url(case, appointment)).status_code == 404


def test_no_slip_for_someone_not_on_the_appointment(client, alice, household, charlie_case):
    case, appointment, _maryam, _mustafa, sara = household
    client.force_login(alice)
    url = slip_url(case, appointment)
    assert client.get(url, {"person": sara.code}).status_code == 404
    assert client.get(url, {"person": charlie_case.clients.get().code}).status_code == 404
    # Two persons and none chosen: no guess.
    assert client.get(url).status_code == 404


def test_the_only_person_needs_no_choice(client, alice, household):
    case, appointment, maryam, mustafa, _sara = household
    appointment.persons.remove(maryam)
    client.force_login(alice)
    response = client.get(slip_url(case, appointment), {"language": ""})
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Mustafa Rahimi" in text and "Maryam" not in text
