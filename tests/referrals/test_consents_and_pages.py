from referrals.models import Consent
from tests.helpers import TODAY
from tests.referrals.conftest import DAY, consent, refer
from tests.security.test_plaintext_at_rest import all_rows_as_text


def test_consent_is_recorded_through_the_form(client, alice, alice_case, mbe):
    client.force_login(alice)
    response = client.post(
        f"/cases/{alice_case.code}/consents/new/",
        {
            "client": alice_case.clients.first().pk,
            "services": [mbe.pk],
            "purpose": "Vermittlung MBE",
            "signed_on": str(TODAY),
            "valid_until": str(TODAY + 365 * DAY),
        },
    )
    assert response.status_code == 302
    assert Consent.objects.get().services.get() == mbe


def test_a_consent_needs_a_recipient(client, alice, alice_case):
    client.force_login(alice)
    response = client.post(
        f"/cases/{alice_case.code}/consents/new/",
        {"client": alice_case.clients.first().pk, "purpose": "x", "signed_on": str(TODAY)},
    )
    assert "Name at least one service or a category" in response.content.decode()
    assert not Consent.objects.exists()


def test_revocation_is_one_confirmed_click(client, alice, alice_case, mbe):
    given = consent(alice, alice_case, mbe, signed_on=TODAY - 10 * DAY)
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/consents/{given.code}/revoke/"
    assert "applies from today" in client.get(url).content.decode()
    assert Consent.objects.get().revoked_on is None  # GET only asks
    assert client.post(url).status_code == 302
    revoked = Consent.objects.get()
    assert revoked.revoked_on == TODAY
    assert not revoked.is_valid_on(TODAY)
    assert revoked.is_valid_on(TODAY - DAY)  # for the future only


def test_other_teams_cannot_revoke(client, charlie, alice, alice_case, mbe):
    given = consent(alice, alice_case, mbe)
    client.force_login(charlie)
    assert client.post(f"/cases/{alice_case.code}/consents/{given.code}/revoke/").status_code == 404
    assert Consent.objects.get().revoked_on is None


def test_open_referrals_are_on_the_case_file_and_timeline(client, alice, alice_case, mbe):
    referral = refer(alice, alice_case, mbe)
    client.force_login(alice)
    response = client.get(f"/cases/{alice_case.code}/")
    assert "referral" in [e.kind for e in response.context["timeline"]]
    html = response.content.decode()
    assert f"/cases/{alice_case.code}/referrals/{referral.code}/" in html


def test_referrals_waiting_past_their_follow_up_show_up(client, alice, olga, alice_case, mbe):
    from referrals import services

    consent(alice, alice_case, mbe)
    referral = refer(alice, alice_case, mbe, follow_up_on=TODAY - DAY)
    referral = services.referral_transition(actor=alice, referral=referral, to="ready")
    services.letter_issue(actor=olga, referral=referral)
    services.referral_transition(actor=alice, referral=referral, to="sent")
    client.force_login(alice)
    response = client.get("/referrals/")
    assert [r.pk for r in response.context["awaiting"]] == [referral.pk]
    assert "Waiting for an answer" in response.content.decode()


def test_reasons_and_consent_texts_are_encrypted_at_rest(alice, alice_case, mbe):
    given = consent(alice, alice_case, mbe)
    given.note = "Notiz Wolkenkuckuck"
    given.save()
    refer(alice, alice_case, mbe, letter_body="Brieftext Pampelmuse")
    dump = all_rows_as_text()
    for secret in ("Quarzsand", "Wolkenkuckuck", "Pampelmuse"):
        assert secret not in dump
