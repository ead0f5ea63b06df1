"""Issue 36, item 14: "Als druckbereit markieren" is offered only when a consent covers the
service; without one the page says what is missing (and where to record it) instead of a
button that fails after the tap. The same for "sent" before the letter is printed."""

import re

from django.utils import translation

from referrals import services
from referrals.models import Referral
from tests.helpers import consent, refer


def _page(client, referral):
    url = f"/cases/{referral.case.code}/referrals/{referral.code}/"
    return client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()


def _buttons(html):
    return re.findall(r'name="to" value="(\w+)">', html)


def test_without_a_consent_it_says_what_is_missing(client, alice, alice_case, mbe):
    referral = refer(alice, alice_case, mbe)
    client.force_login(alice)
    html = _page(client, referral)
    assert "ready" not in _buttons(html) and "cancelled" in _buttons(html)
    with translation.override("de"):
        assert "Druckbereit, sobald eine Schweigepflichtentbindung erfasst ist." in html
    assert f"/cases/{alice_case.code}/consents/new/?client=" in html


def test_with_a_consent_it_offers_ready_to_print(client, alice, alice_case, mbe):
    consent(alice, alice_case, mbe)
    referral = refer(alice, alice_case, mbe)
    client.force_login(alice)
    html = _page(client, referral)
    assert _buttons(html) == ["ready", "cancelled"]
    assert "Druckbereit, sobald" not in html
    moved = client.post(
        f"/cases/{alice_case.code}/referrals/{referral.code}/status/",
        {"to": "ready", "version": referral.version},
    )
    assert moved.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == "ready"


def test_sent_is_offered_once_the_letter_is_printed(client, alice, ready_referral, olga):
    client.force_login(alice)
    assert "sent" not in _buttons(_page(client, ready_referral))
    assert "Kann als versandt markiert werden, sobald der Brief gedruckt ist." in _page(
        client, ready_referral
    )
    services.letter_issue(actor=alice, referral=ready_referral)
    assert "sent" in _buttons(_page(client, ready_referral))
