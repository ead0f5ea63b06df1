"""The case summary PDF (Fallübersicht) and the hand-over packet (cases.moving.summary)."""

import io

import pytest
from pypdf import PdfReader

from cases import services as case_services
from cases.moving import summary
from caseworks.extensions.handover import PacketConsent, handover_consents, register_packet_consents
from caseworks.models import AccessLog
from tests.helpers import TODAY, make_mbe
from visits import services as visit_services


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def full_case(alice, alice_case):
    visit_services.visit_record(
        actor=alice,
        case=alice_case,
        kind="first",
        date=TODAY,
        duration_minutes=45,
        place="office",
        topics=["housing"],
    )
    case_services.deadline_add(
        actor=alice, case=alice_case, title="Widerspruch einlegen", due_on=TODAY
    )
    return alice_case


def test_it_prints_the_summary_and_logs_it(client, alice, full_case, tmp_path):
    client.force_login(alice)
    response = client.get(f"/cases/{full_case.code}/summary.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = text_of(response.content)
    (tmp_path / "summary.pdf").write_bytes(response.content)
    assert full_case.reference in text
    assert "Ahmad Karimi" in text
    assert "Permission to reside" in text
    assert "Widerspruch einlegen" in text
    assert "first visit" in text.lower()  # the visit, through the case-file registry
    log = AccessLog.objects.get(action="case.summary_printed")
    assert log.user == alice and log.object_code == full_case.code


def test_it_checks_ownership(client, charlie, full_case):
    client.force_login(charlie)
    assert client.get(f"/cases/{full_case.code}/summary.pdf").status_code == 404
    assert not AccessLog.objects.filter(action="case.summary_printed").exists()


def test_it_lists_open_referrals(client, alice, full_case):
    from tests.helpers import consent, refer

    mbe = make_mbe()
    consent(alice, full_case, mbe)
    refer(alice, full_case, mbe)
    text = text_of(summary.summary_pdf(full_case))
    assert "Migrationsberatung MBE" in text


@pytest.fixture
def consents(alice_case):
    """A provider as referrals would register: one consent releasing the languages only."""

    def provider(case, *, today):
        if case.pk != alice_case.pk:
            return []
        return [
            PacketConsent(
                code="0c0c0c0c-0000-4000-8000-000000000001",
                client=case.clients.get(),
                recipient="Jugendmigrationsdienst",
                parts=frozenset({"language"}),
                description="vom 01.02.2026",
            )
        ]

    register_packet_consents(provider)
    yield provider
    handover_consents.unregister(provider)


def test_the_packet_holds_only_what_the_consent_releases(
    client, alice, alice_case, consents, tmp_path
):
    person = alice_case.clients.get()
    case_services.client_update(
        actor=alice,
        client=person,
        expected_version=person.version,
        data={"languages": "Dari", "phone": "0151 999"},
    )
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/handover-packet/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"consent": "0c0c0c0c-0000-4000-8000-000000000001"})
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert "Ahmad Karimi" in text and "Dari" in text
    assert "0151 999" not in text and "Am Bahnhof" not in text  # contact data not released
    assert "Permission to reside" not in text  # nor the status
    (tmp_path / "packet.pdf").write_bytes(response.content)
    log = AccessLog.objects.get(action="case.handover_packet")
    assert log.detail == {"consent": "0c0c0c0c-0000-4000-8000-000000000001", "parts": ["language"]}


def test_no_packet_without_a_consent(client, alice, alice_case):
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/handover-packet/"
    response = client.get(url)
    assert b"No valid consent" in response.content
    response = client.post(url, {"consent": "0c0c0c0c-0000-4000-8000-000000000001"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert not AccessLog.objects.filter(action="case.handover_packet").exists()
