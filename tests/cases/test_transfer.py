"""Handing a case over to another team (cases.services.case_transfer*, cases.moving.views),
within one carrier: team B is built in team A's organisation here (a team with cases never
changes its carrier, caseworks.house.services.refuse_carrier_change). Across carriers:
test_transfer_carriers.py."""

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import CaseTransfer
from caseworks.models import AccessLog, Team


@pytest.fixture
def team_b(team_a):
    """Team B of the same carrier as team A, from the start (overrides tests/conftest.py's)."""
    return Team.objects.create(organisation=team_a.organisation, name="Team B")


def ask(client, case, team, reason="Umverteilung nach Musterstadt-Nord"):
    return client.post(f"/cases/{case.code}/handover/", {"to_team": team.pk, "reason": reason})


def test_the_giving_supervisor_asks_and_the_receiving_one_agrees(
    client, alice, sam, sue, charlie, alice_case, team_b
):
    client.force_login(sam)
    assert ask(client, alice_case, team_b).status_code == 302
    transfer = CaseTransfer.objects.get()
    assert transfer.status == "requested" and transfer.from_team == alice_case.team
    # Sam cannot decide his own request.
    response = client.post(f"/cases/handovers/{transfer.code}/", {"decision": "agree"})
    assert response.status_code == 404
    client.force_login(sue)
    page = client.get(f"/cases/handovers/{transfer.code}/")
    assert b"Umverteilung" in page.content
    response = client.post(
        f"/cases/handovers/{transfer.code}/", {"decision": "agree", "caseworker": charlie.pk}
    )
    assert response.status_code == 302
    alice_case.refresh_from_db()
    assert alice_case.team == team_b and alice_case.assigned_to == charlie
    # Permissions follow: alice loses the case, charlie gets it.
    assert not alice.has_perm("cases.view_case", alice_case)
    charlie = type(charlie).objects.get(pk=charlie.pk)
    assert charlie.has_perm("cases.view_case", alice_case)
    assert client.get(f"/cases/{alice_case.code}/").status_code == 200
    # The history says who moved it; the transfer row why.
    assert alice_case.history.first().history_user == sue
    transfer.refresh_from_db()
    assert transfer.status == "done" and transfer.decided_by == sue
    assert transfer.reason.startswith("Umverteilung")
    assert AccessLog.objects.filter(action="case.transferred", user=sue).exists()


def test_a_declined_hand_over_changes_nothing(client, alice, sam, sue, alice_case, team_b):
    transfer = services.case_transfer_request(
        actor=sam, case=alice_case, to_team=team_b, reason="Wohnsitzauflage geändert"
    )
    services.case_transfer(actor=sue, transfer=transfer, agree=False)
    alice_case.refresh_from_db()
    assert alice_case.team != team_b and alice.has_perm("cases.view_case", alice_case)
    assert CaseTransfer.objects.get().status == "declined"


def test_only_supervisors_of_the_two_teams_take_part(alice, bob, sam, sue, alice_case, team_b):
    with pytest.raises(ValidationError):
        services.case_transfer_request(
            actor=alice, case=alice_case, to_team=team_b, reason="Umverteilung, bitte"
        )
    transfer = services.case_transfer_request(
        actor=sam, case=alice_case, to_team=team_b, reason="Umverteilung, bitte"
    )
    with pytest.raises(ValidationError):
        services.case_transfer(actor=bob, transfer=transfer, agree=True)
    with pytest.raises(ValidationError):  # one waiting request at a time
        services.case_transfer_request(
            actor=sam, case=alice_case, to_team=team_b, reason="noch einmal bitte"
        )


def test_it_checks_ownership(client, sue, alice_case, team_a):
    client.force_login(sue)
    assert ask(client, alice_case, team_a).status_code == 404
    assert not CaseTransfer.objects.exists()


def test_the_list_shows_hand_overs_of_ones_teams(client, sam, sue, charlie, alice_case, team_b):
    services.case_transfer_request(
        actor=sam, case=alice_case, to_team=team_b, reason="Umverteilung nach Nord"
    )
    client.force_login(sue)
    assert alice_case.reference.encode() in client.get("/cases/handovers/").content
    client.force_login(charlie)
    assert client.get("/cases/handovers/").status_code == 404


def test_the_requester_can_withdraw(client, sam, sue, alice_case, team_b):
    transfer = services.case_transfer_request(
        actor=sam, case=alice_case, to_team=team_b, reason="Umverteilung nach Nord"
    )
    client.force_login(sue)
    client.post(f"/cases/handovers/{transfer.code}/withdraw/")
    assert CaseTransfer.objects.get().status == "requested"
    client.force_login(sam)
    client.post(f"/cases/handovers/{transfer.code}/withdraw/")
    assert CaseTransfer.objects.get().status == "withdrawn"
