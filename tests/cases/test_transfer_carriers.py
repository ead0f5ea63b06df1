"""Crossing carriers is a transfer between controllers (issue 31): a hand-over or a share to
another carrier needs the person's consent for that carrier, with its scope; only what it
covers moves; the sending carrier's record of the transfer outlives the moved file."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import services
from cases.models import CaseShare, CaseTransfer, Contact, Task, TransferRecord
from cases.services.transfers import PART_OF_SOURCE, transfer_basis
from caseworks.audit.dataprotection import purge_case
from caseworks.extensions.personal_data import person_data_sources
from caseworks.models import AccessLog, Organisation, Team
from documents.models import Document
from referrals import services as referral_services
from referrals.handover import consents_for_packet
from tests.documents.conftest import upload_document
from tests.helpers import cast_member, make_user

TODAY = timezone.localdate()
REASON = "Umverteilung nach Musterstadt-Nord"


def carrier_consent(actor, client, organisation, *scope, signed_on=TODAY, valid_until=None):
    return referral_services.consent_record(
        actor=actor,
        client=client,
        organisation=organisation,
        transfer_scope=scope or ["master_data"],
        purpose="Übernahme durch die Caritas",
        signed_on=signed_on,
        valid_until=valid_until,
    )


def fill_file(alice, case):
    """A contact, a task and a document on the case: records and documents."""
    services.contact_record(
        actor=alice, case=case, kind="office", date=TODAY, note="Beratung Quarzsand"
    )
    services.task_create(actor=alice, case=case, title="Anruf Ausländerbehörde", due_on=TODAY)
    upload_document(alice, case, client=case.clients.get())


def agree(sam, sue, case, team):
    transfer = services.case_transfer_request(actor=sam, case=case, to_team=team, reason=REASON)
    return services.case_transfer(actor=sue, transfer=transfer, agree=True)


# --- refused without a basis --------------------------------------------------------------------


def test_a_hand_over_to_another_carrier_without_consent_is_refused(client, sam, alice_case, team_b):
    assert alice_case.team.organisation_id != team_b.organisation_id
    client.force_login(sam)
    page = client.post(
        f"/cases/{alice_case.code}/handover/", {"to_team": team_b.pk, "reason": REASON}
    )
    assert page.status_code == 200
    assert not CaseTransfer.objects.exists()
    text = page.content.decode()
    # Why, and what is missing: the person without a consent for that carrier.
    assert "Caritas" in text and "Ahmad Karimi" in text
    assert "no valid consent for this carrier" in text


def test_the_service_refuses_with_a_clear_message(sam, alice_case, team_b):
    with pytest.raises(ValidationError) as refused:
        services.case_transfer_request(actor=sam, case=alice_case, to_team=team_b, reason=REASON)
    assert refused.value.code == "no_transfer_consent"
    assert "1 of 1" in refused.value.messages[0] or "1 von 1" in refused.value.messages[0]


def test_every_person_of_the_household_needs_a_consent(alice, sam, alice_case, team_b):
    child = services.client_create(
        actor=alice,
        case=alice_case,
        data={"first_name": "Sara", "last_name": "Karimi", "relationship": "child"},
    )
    carrier_consent(alice, alice_case.clients.get(relationship="main_contact"), team_b.organisation)
    with pytest.raises(ValidationError):
        services.case_transfer_request(actor=sam, case=alice_case, to_team=team_b, reason=REASON)
    carrier_consent(alice, child, team_b.organisation)
    transfer = services.case_transfer_request(
        actor=sam, case=alice_case, to_team=team_b, reason=REASON
    )
    assert transfer.crosses_carriers and transfer.scope == ["master_data"]


def test_what_moves_is_what_every_persons_consent_covers(alice, alice_case, team_b):
    child = services.client_create(
        actor=alice,
        case=alice_case,
        data={"first_name": "Sara", "last_name": "Karimi", "relationship": "child"},
    )
    main = alice_case.clients.get(relationship="main_contact")
    carrier_consent(alice, main, team_b.organisation, "master_data", "records", "documents")
    carrier_consent(alice, child, team_b.organisation, "master_data", "records")
    assert transfer_basis(alice_case, team_b.organisation).scope == ["master_data", "records"]


def test_a_consent_for_another_carrier_or_out_of_date_covers_nothing(alice, alice_case, team_b):
    other = Organisation.objects.create(name="Diakonie Test", short_name="Diakonie")
    Team.objects.create(organisation=other, name="Team C")
    client = alice_case.clients.get()
    carrier_consent(alice, client, other, "master_data", "records")
    carrier_consent(
        alice,
        client,
        team_b.organisation,
        signed_on=TODAY - datetime.timedelta(days=400),
        valid_until=TODAY - datetime.timedelta(days=1),
    )
    revoked = carrier_consent(alice, client, team_b.organisation)
    referral_services.consent_revoke(actor=alice, consent=revoked)
    assert not transfer_basis(alice_case, team_b.organisation).covered
    assert transfer_basis(alice_case, other).covered


def test_a_consent_revoked_after_the_request_stops_the_hand_over(
    alice, sam, sue, alice_case, team_b
):
    consent = carrier_consent(alice, alice_case.clients.get(), team_b.organisation)
    transfer = services.case_transfer_request(
        actor=sam, case=alice_case, to_team=team_b, reason=REASON
    )
    referral_services.consent_revoke(actor=alice, consent=consent)
    with pytest.raises(ValidationError):
        services.case_transfer(actor=sue, transfer=transfer, agree=True)
    alice_case.refresh_from_db()
    assert alice_case.team != team_b and not TransferRecord.objects.exists()


# --- only what the basis covers moves; the sender's record outlives the file ---------------------


def test_only_the_covered_parts_move_and_the_sender_keeps_a_record(
    client, alice, sam, sue, alice_case, team_a, team_b
):
    fill_file(alice, alice_case)
    consent = carrier_consent(alice, alice_case.clients.get(), team_b.organisation)
    transfer = services.case_transfer_request(
        actor=sam, case=alice_case, to_team=team_b, reason=REASON
    )
    client.force_login(sue)
    page = client.get(f"/cases/handovers/{transfer.code}/").content.decode()
    assert "Contacts and file notes: 1" in page and "Documents: 1" in page
    services.case_transfer(actor=sue, transfer=transfer, agree=True)

    alice_case.refresh_from_db()
    assert alice_case.team == team_b
    assert alice_case.clients.get().first_name == "Ahmad"  # the master data moved
    # Records and documents were not covered: erased, history included.
    assert not Contact.objects.filter(case=alice_case).exists()
    assert not Task.objects.filter(case=alice_case).exists()
    assert not Document.objects.filter(case=alice_case).exists()
    assert not Contact.history.filter(case_id=alice_case.pk).exists()

    record = TransferRecord.objects.get()
    assert record.reference == alice_case.reference
    assert record.from_organisation == team_a.organisation
    assert record.to_organisation == team_b.organisation
    assert record.scope == ["master_data"] and record.persons == 1
    assert record.left_out["contacts"] == 1 and record.left_out["tasks"] == 1
    assert record.left_out["documents"] == 1
    assert [c["code"] for c in record.consents] == [str(consent.code)]
    assert record.decided_by == sue and record.requested_by == sam
    # Logged while the case was still the sender's, naming the basis.
    row = AccessLog.objects.get(action="case.transferred")
    assert row.detail["consents"] == [str(consent.code)]

    # The receiving carrier's retention deletes the file: the sender's record stays.
    purge_case(alice_case)
    assert not CaseTransfer.objects.exists()
    assert TransferRecord.objects.get().reference == record.reference


def test_a_consent_covering_everything_moves_everything(alice, sam, sue, alice_case, team_b):
    fill_file(alice, alice_case)
    carrier_consent(
        alice, alice_case.clients.get(), team_b.organisation, "master_data", "records", "documents"
    )
    agree(sam, sue, alice_case, team_b)
    assert Contact.objects.filter(case=alice_case).count() == 1
    assert Document.objects.filter(case=alice_case).count() == 1
    assert TransferRecord.objects.get().left_out == {}


def test_within_a_carrier_nothing_changes(alice, sam, alice_case, team_a):
    fill_file(alice, alice_case)
    sister = Team.objects.create(organisation=team_a.organisation, name="Team A2")
    lead = make_user("lena", "supervisor")
    sister.supervisors.add(lead)
    agree(sam, lead, alice_case, sister)
    alice_case.refresh_from_db()
    assert alice_case.team == sister
    assert Contact.objects.filter(case=alice_case).count() == 1
    assert not TransferRecord.objects.exists()
    assert not CaseTransfer.objects.get().crosses_carriers


def test_earlier_hand_overs_reasons_move_only_with_the_records(
    alice, sam, sue, alice_case, team_a, team_b
):
    """An earlier hand-over's reason and the acknowledgements at closing are free text about
    the family: records. Without a consent for the records they stay behind (erased, with
    their history); the hand-over being decided moves with the file."""
    sister = Team.objects.create(organisation=team_a.organisation, name="Team A2")
    lead = make_user("lena", "supervisor")
    sister.supervisors.add(lead)
    earlier = services.case_transfer_request(
        actor=sam, case=alice_case, to_team=sister, reason="Umzug wegen Behandlung in Klinik Nord"
    )
    services.case_transfer(actor=lead, transfer=earlier, agree=False)
    carrier_consent(alice, alice_case.clients.get(), team_b.organisation)
    moved = agree(sam, sue, alice_case, team_b)

    assert list(CaseTransfer.objects.filter(case=alice_case)) == [moved]
    assert not CaseTransfer.history.filter(id=earlier.pk).exists()
    assert TransferRecord.objects.get().left_out["transfers"] == 1


def test_earlier_hand_overs_move_when_the_records_are_covered(
    alice, sam, sue, alice_case, team_a, team_b
):
    sister = Team.objects.create(organisation=team_a.organisation, name="Team A2")
    lead = make_user("lena", "supervisor")
    sister.supervisors.add(lead)
    earlier = services.case_transfer_request(
        actor=sam, case=alice_case, to_team=sister, reason="Umzug in die Nordstadt geplant"
    )
    services.case_transfer(actor=lead, transfer=earlier, agree=False)
    carrier_consent(alice, alice_case.clients.get(), team_b.organisation, "master_data", "records")
    agree(sam, sue, alice_case, team_b)
    assert CaseTransfer.objects.filter(case=alice_case).count() == 2
    assert "transfers" not in TransferRecord.objects.get().left_out


def test_every_personal_data_source_has_its_place_in_the_scope():
    assert {s.key for s in person_data_sources()} == set(PART_OF_SOURCE)


# --- the data protection officers of both carriers ----------------------------------------------


def test_both_carriers_dpos_see_the_record_and_nobody_else(
    client, alice, sam, sue, dora, alice_case, team_b
):
    carrier_consent(alice, alice_case.clients.get(), team_b.organisation)
    agree(sam, sue, alice_case, team_b)
    client.force_login(dora)  # the DPO of the sending carrier
    page = client.get("/cases/handovers/records/")
    assert page.status_code == 200 and alice_case.reference in page.content.decode()
    receiving = make_user("rita")
    team_b.organisation.data_protection_officers.add(receiving)
    client.force_login(receiving)
    assert alice_case.reference in client.get("/cases/handovers/records/").content.decode()
    third = make_user("theo")
    elsewhere = Organisation.objects.create(name="Diakonie Test", short_name="Diakonie")
    elsewhere.data_protection_officers.add(third)
    client.force_login(third)
    page = client.get("/cases/handovers/records/")
    assert page.status_code == 200 and alice_case.reference not in page.content.decode()


def test_it_checks_ownership(client, sam, sue, alice):
    for user in (sam, sue, alice):
        client.force_login(user)
        assert client.get("/cases/handovers/records/").status_code == 404


# --- shares, the consent itself, the duplicate check --------------------------------------------


def test_a_share_with_a_caseworker_of_another_carrier_is_refused(alice, alice_case, team_b):
    caritas = cast_member("charlie", {"b": team_b})
    with pytest.raises(ValidationError) as refused:
        services.case_share(actor=alice, case=alice_case, user=caritas)
    assert "hand-over" in str(refused.value) or "Übergabe" in str(refused.value)
    assert not CaseShare.objects.exists()


def test_a_consent_names_either_services_or_a_carrier(alice, alice_case, team_a, team_b):
    client = alice_case.clients.get()
    with pytest.raises(ValidationError) as refused:
        referral_services.consent_record(
            actor=alice,
            client=client,
            category="mbe",
            organisation=team_b.organisation,
            transfer_scope=["master_data"],
            purpose="x",
            signed_on=TODAY,
        )
    assert "organisation" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:  # nothing moves without the master data
        carrier_consent(alice, client, team_b.organisation, "documents")
    assert "transfer_scope" in refused.value.message_dict
    with pytest.raises(ValidationError):  # its own carrier needs no consent
        carrier_consent(alice, client, team_a.organisation)


def test_a_carrier_consent_is_no_release_towards_a_service(alice, alice_case, team_b):
    carrier_consent(alice, alice_case.clients.get(), team_b.organisation, "master_data")
    assert consents_for_packet(alice_case, today=TODAY) == []


def test_the_consent_page_records_a_carrier_consent(client, alice, alice_case, team_b):
    client.force_login(alice)
    person = alice_case.clients.get()
    page = client.get(f"/cases/{alice_case.code}/consents/new/").content.decode()
    assert f'value="{team_b.organisation.pk}">Caritas<' in page
    response = client.post(
        f"/cases/{alice_case.code}/consents/new/",
        {
            "client": person.pk,
            "organisation": team_b.organisation.pk,
            "transfer_scope": ["master_data", "records"],
            "purpose": "Übernahme durch die Caritas",
            "signed_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    consent = person.consents.get()
    assert consent.organisation == team_b.organisation
    assert consent.transfer_scope == ["master_data", "records"]


def test_the_duplicate_check_across_carriers_only_hints_and_is_logged(
    alice, charlie_case, alice_case
):
    found = services.duplicate_check_run(
        actor=alice, first_name="Yonas", last_name="Haile", birth_date=None
    )
    assert found["cases"] == [] and found["other_teams"] == ["Team B"]
    row = AccessLog.objects.filter(action="intake.duplicate_check", user=alice).get()
    assert row.detail["teams_hinted"] == ["Team B"]
    assert "Yonas" not in str(row.detail) and "Haile" not in row.object_label
