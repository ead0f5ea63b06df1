"""The hand-over packet (cases.moving.summary) takes its consents from referrals: only a signed,
valid consent of a person of the case, and only the data it lets through."""

import datetime
import io

import pytest
from pypdf import PdfReader

from cases import services as case_services
from cases.moving.summary import packet_consents
from referrals import services as referral_services
from tests.helpers import TODAY

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _consent(alice, case, mbe, **extra):
    return referral_services.consent_record(
        actor=alice,
        client=case.clients.get(),
        services=[mbe],
        purpose="Übergabe an die Beratungsstelle",
        signed_on=extra.pop("signed_on", TODAY),
        **extra,
    )


def test_a_valid_consent_releases_only_its_data(client, alice, alice_case, mbe):
    person = alice_case.clients.get()
    case_services.client_update(
        actor=alice,
        client=person,
        expected_version=person.version,
        data={"languages": "Dari", "phone": "0151 4444"},
    )
    consent = _consent(alice, alice_case, mbe, shared_data=["language"])
    [offered] = packet_consents(alice_case, today=TODAY)
    assert offered.code == str(consent.code) and offered.parts == {"language"}
    assert "Migrationsberatung MBE" in offered.recipient
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/handover-packet/"
    response = client.post(url, {"consent": str(consent.code)})
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "Dari" in text
    assert "0151 4444" not in text  # contact data not released


def test_unsigned_expired_and_revoked_consents_offer_no_packet(alice, alice_case, mbe):
    consent = _consent(alice, alice_case, mbe, signed_on=None)
    assert packet_consents(alice_case, today=TODAY) == []
    consent.signed_on = TODAY - datetime.timedelta(days=400)
    consent.valid_until = TODAY - datetime.timedelta(days=1)
    consent.save()
    assert packet_consents(alice_case, today=TODAY) == []
    consent.valid_until = None
    consent.revoked_on = TODAY
    consent.save()
    assert packet_consents(alice_case, today=TODAY) == []
    assert [c.code for c in packet_consents(alice_case, today=TODAY - datetime.timedelta(1))] == [
        str(consent.code)
    ]
