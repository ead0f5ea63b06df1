"""On a closed case the consent and referral forms are read-only with the reason (cases.page.
case_form_page) and a POST records nothing; the referral's page shows no edit form."""

from cases.services import case_close, case_open_items
from referrals.models import Consent, Referral
from tests.helpers import refer


def test_it_records_no_consent_or_referral_on_a_closed_case(client, alice, sam, alice_case, mbe):
    referral = refer(alice, alice_case, mbe)
    open_items = [item.key for item in case_open_items(alice_case)]
    case_close(actor=sam, case=alice_case, reason="moved_away", acknowledged=open_items)
    client.force_login(sam)
    base = f"/cases/{alice_case.code}"
    person = alice_case.clients.first().pk
    for url, data in (
        (f"{base}/consents/new/", {"client": person, "purpose": "x", "services": [mbe.pk]}),
        (f"{base}/referrals/new/", {"client": person, "service": mbe.pk, "reason": "x"}),
    ):
        page = client.get(url)
        assert page.status_code == 200 and "The case is closed" in page.content.decode(), url
        response = client.post(url, data)
        assert response.status_code == 200 and "The case is closed" in response.content.decode()
    assert not Consent.objects.exists() and Referral.objects.count() == 1
    page = client.get(f"{base}/referrals/{referral.code}/")
    assert page.status_code == 200 and 'name="reason"' not in page.content.decode()
