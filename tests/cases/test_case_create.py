import datetime

import pytest
from django.utils import timezone

from cases.models import Case, Client, ResidenceStatus

TODAY = timezone.localdate()


def intake(**overrides):
    data = {
        "step": "create",
        "client-first_name": "Nour",
        "client-last_name": "Haddad",
        "client-birth_date": "1994-02-01",
        "client-gender": "female",
        "client-nationality": "SY",
        "client-languages": ["ara"],
        "client-interpreter_needed": "on",
        "client-phone": "0151 000000",
        "status-kind": "arrival_certificate",
        "status-valid_from": str(TODAY),
        "status-valid_until": str(TODAY + datetime.timedelta(days=180)),
        "status-document_number": "AN-123",
        "status-issuing_authority": "BAMF",
        "case-opened_on": str(TODAY),
        "case-allocated_on": str(TODAY),
        "case-accommodation_address": "Gemeinschaftsunterkunft Am Park 2",
    }
    data.update(overrides)
    return data


def test_a_caseworker_records_an_arriving_household(client, alice, team_a):
    client.force_login(alice)
    response = client.post("/cases/new/", intake(**{"intake-team": team_a.pk}))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.code}/"
    assert case.assigned_to == alice and case.team == team_a
    person = case.clients.get()
    assert person.is_main_contact and person.first_name == "Nour"
    assert person.statuses.get().kind == "arrival_certificate"
    assert alice.has_perm("cases.view_case", case)


def test_it_shows_the_form_with_a_single_team_preselected(client, alice):
    client.force_login(alice)
    assert "check-last_name" in client.get("/cases/new/").content.decode()  # step one
    response = client.post(
        "/cases/new/", {"step": "check", "check-first_name": "Nour", "check-last_name": "Haddad"}
    )
    html = response.content.decode()
    assert 'type="hidden" name="intake-team"' in html
    assert 'value="Nour"' in html and "No possible match found" in html


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("client-last_name", "", "This field is required"),
        (
            "status-valid_until",
            str(TODAY - datetime.timedelta(days=1)),
            "cannot be before the start date",
        ),
        ("status-valid_until", "", "enter its expiry date"),
        ("client-birth_date", str(TODAY + datetime.timedelta(days=1)), "cannot be in the future"),
        (
            "case-opened_on",
            str(TODAY + datetime.timedelta(days=3)),
            "cannot be opened in the future",
        ),
        ("status-kind", "fictional_certificate", "Choose the type of fictional certificate"),
    ],
)
def test_it_rejects_bad_input_keeping_what_was_typed(client, alice, team_a, field, value, message):
    client.force_login(alice)
    response = client.post("/cases/new/", intake(**{field: value, "intake-team": team_a.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'aria-invalid="true"' in html
    assert 'value="Nour"' in html  # nothing typed is lost
    assert not Case.objects.exists() and not Client.objects.exists()
    assert not ResidenceStatus.objects.exists()


def test_a_supervisor_assigns_at_intake_only_within_the_team(client, sam, alice, charlie, team_a):
    client.force_login(sam)
    response = client.post(
        "/cases/new/", intake(**{"intake-team": team_a.pk, "intake-assigned_to": charlie.pk})
    )
    assert response.status_code == 200
    assert not Case.objects.exists()
    response = client.post(
        "/cases/new/", intake(**{"intake-team": team_a.pk, "intake-assigned_to": alice.pk})
    )
    assert response.status_code == 302
    assert Case.objects.get().assigned_to == alice


def test_a_supervisor_may_leave_a_case_unassigned(client, sam, team_a):
    client.force_login(sam)
    response = client.post("/cases/new/", intake(**{"intake-team": team_a.pk}))
    assert response.status_code == 302
    assert Case.objects.get().assigned_to is None


def test_it_refuses_a_team_the_user_is_not_in(client, alice, team_b):
    client.force_login(alice)
    response = client.post("/cases/new/", intake(**{"intake-team": team_b.pk}))
    assert response.status_code == 200
    assert not Case.objects.exists()
