"""A refused hand-over to another carrier is in the access log (cases.services.transfers
.refuse_uncovered_transfer): the refusal raised inside the saving transaction rolled back
with it, entry and all; the forms refuse before that transaction."""

from cases import services
from cases.models import CaseTransfer
from caseworks.models import AccessLog, Team
from referrals import services as referral_services
from tests.cases.test_transfer_carriers import REASON, carrier_consent


def refusals():
    return list(AccessLog.objects.filter(action="case.transfer_refused"))


def test_a_refused_request_is_logged_for_the_sending_carrier(client, sam, alice_case, team_b):
    client.force_login(sam)
    page = client.post(
        f"/cases/{alice_case.code}/handover/", {"to_team": team_b.pk, "reason": REASON}
    )
    assert page.status_code == 200 and not CaseTransfer.objects.exists()
    (entry,) = refusals()
    assert entry.username == "sam" and entry.object_code == alice_case.code
    assert entry.organisation_id == alice_case.team.organisation_id
    assert entry.detail["to_team"] == team_b.name and entry.detail["without_consent"] == 1
    assert "Karimi" not in str(entry.detail)  # counts, never a name


def test_a_refused_agreement_is_logged(client, alice, sam, sue, alice_case, team_b):
    consent = carrier_consent(alice, alice_case.clients.get(), team_b.organisation)
    transfer = services.case_transfer_request(
        actor=sam, case=alice_case, to_team=team_b, reason=REASON
    )
    assert refusals() == []
    referral_services.consent_revoke(actor=alice, consent=consent)
    client.force_login(sue)
    page = client.post(f"/cases/handovers/{transfer.code}/", {"decision": "agree"})
    assert page.status_code == 200
    transfer.refresh_from_db()
    assert transfer.status == CaseTransfer.Status.REQUESTED
    (entry,) = refusals()
    assert entry.username == "sue" and entry.object_code == alice_case.code


def test_a_hand_over_within_the_carrier_logs_no_refusal(client, sam, alice_case, team_a):
    other = Team.objects.create(name="Team A2", organisation=team_a.organisation)
    client.force_login(sam)
    client.post(f"/cases/{alice_case.code}/handover/", {"to_team": other.pk, "reason": REASON})
    assert refusals() == []
