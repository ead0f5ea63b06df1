"""A create form sent twice saves once (caseworks.web.submissions): the Back button and "save"
again, a double tap, and two requests racing past the check."""

import re

from caseworks.models import Submission
from referrals.models import Consent, Referral
from tests.helpers import TODAY
from tests.referrals.conftest import DAY


def _consent_data(case, mbe, **extra):
    return {
        "client": case.clients.first().pk,
        "services": [mbe.pk],
        "purpose": "Vermittlung MBE",
        "signed_on": str(TODAY),
        "valid_until": str(TODAY + 365 * DAY),
        **extra,
    }


def _token(page) -> str:
    return re.search(r'name="submission" value="([^"]+)"', page.content.decode()).group(1)


def test_back_and_save_again_shows_already_saved_with_a_link(client, alice, alice_case, mbe):
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/consents/new/"
    # Each load of the form has a fresh token (pages are never cached: Back loads it anew),
    # while the browser restores what was typed: the content is recognised.
    first = client.post(url, _consent_data(alice_case, mbe, submission=_token(client.get(url))))
    assert first.status_code == 302
    again = client.post(url, _consent_data(alice_case, mbe, submission=_token(client.get(url))))
    assert again.status_code == 200
    page = again.content.decode()
    assert "already saved" in page.lower()
    # The consent's page is where its form is printed for signing.
    assert f'href="/cases/{alice_case.code}/printouts/"' in page
    assert Consent.objects.count() == 1


def test_a_double_tap_sends_the_same_token(client, alice, alice_case, mbe):
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/consents/new/"
    token = _token(client.get(url))
    first = client.post(url, _consent_data(alice_case, mbe, submission=token))
    assert first.status_code == 302
    # The second tap carries the same token, even if a field changed meanwhile; it goes where
    # the first went (issue 36).
    repeat = client.post(url, _consent_data(alice_case, mbe, submission=token, purpose="MBE"))
    assert repeat.status_code == 302 and repeat.url == first.url
    assert Consent.objects.count() == 1


def test_a_different_entry_is_saved(client, alice, alice_case, mbe):
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/consents/new/"
    assert client.post(url, _consent_data(alice_case, mbe)).status_code == 302
    assert client.post(url, _consent_data(alice_case, mbe, purpose="Wohnen")).status_code == 302
    assert Consent.objects.count() == 2


def test_the_same_form_after_the_window_is_saved_again(client, alice, alice_case, mbe, settings):
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/consents/new/"
    assert client.post(url, _consent_data(alice_case, mbe)).status_code == 302
    Submission.objects.update(at=Submission.objects.get().at.replace(year=TODAY.year - 1))
    assert client.post(url, _consent_data(alice_case, mbe)).status_code == 302
    assert Consent.objects.count() == 2


def test_an_invalid_form_keeps_its_token_and_is_not_remembered(client, alice, alice_case, mbe):
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/consents/new/"
    token = _token(client.get(url))
    bad = client.post(url, _consent_data(alice_case, mbe, submission=token, signed_on="x"))
    assert bad.status_code == 200 and _token(bad) == token
    assert not Submission.objects.exists()
    good = client.post(url, _consent_data(alice_case, mbe, submission=token))
    assert good.status_code == 302


def test_what_is_kept_is_a_keyed_hash_and_the_address(client, alice, alice_case, mbe):
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/consents/new/"
    assert client.post(url, _consent_data(alice_case, mbe)).status_code == 302
    kept = Submission.objects.get()
    assert kept.user == alice and kept.url == f"/cases/{alice_case.code}/printouts/"
    assert "Vermittlung" not in f"{kept.key} {kept.label} {kept.url}"


def test_a_racing_duplicate_is_rolled_back(client, alice, alice_case, mbe, monkeypatch):
    """Two requests both pass the check before either saved: the second one's unique key
    fails, its referral is rolled back and it gets the same page."""
    import caseworks.web.submissions as submissions

    client.force_login(alice)
    url = f"/cases/{alice_case.code}/referrals/new/"
    data = {
        "client": alice_case.clients.first().pk,
        "service": mbe.pk,
        "urgency": "normal",
        "reason": "Beratung zur Anerkennung",
        "letter_subject": "Anfrage",
        "letter_body": "Sehr geehrte Damen und Herren",
    }
    first = client.post(url, data)
    errors = re.findall(r'class="errorlist[^>]*>(.*?)</ul>', first.content.decode(), re.S)
    assert first.status_code == 302, errors
    # The second request does not see the first one's row (as if it had not committed yet).
    monkeypatch.setattr(submissions, "earlier_submission", lambda request: None)
    second = client.post(url, data)
    assert second.status_code == 200
    assert "already saved" in second.content.decode().lower()
    assert Referral.objects.count() == 1


def test_a_tampered_token_counts_as_none(client, alice, alice_case, mbe):
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/consents/new/"
    response = client.post(url, _consent_data(alice_case, mbe, submission="x\x00<script>"))
    assert response.status_code == 302
    assert Submission.objects.get().token == ""
