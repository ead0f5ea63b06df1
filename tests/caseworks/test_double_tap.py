"""Issue 36, item 14: a double tap on "save" lands where the first tap went, with its success
message, not on "already saved" (caseworks.web.submissions, the one save-once protocol).
The same content sent from a form loaded anew (Back and save) still says "already saved"."""

import re

from cases.models import Contact
from caseworks.web import forms
from tests.helpers import TODAY

DATA = {"kind": "phone", "date": str(TODAY), "duration_minutes": "10"}


def _token(client, url):
    page = client.get(url).content.decode()
    return re.search(r'name="submission" value="([^"]+)"', page).group(1)


def test_a_double_tap_goes_to_the_case_with_the_success_message(client, alice, alice_case):
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/contacts/new/"
    case_page = f"/cases/{alice_case.code}/"
    token = _token(client, url)
    first = client.post(url, {**DATA, "submission": token})
    # The browser drops the first answer when the second tap's request starts.
    second = client.post(url, {**DATA, "submission": token})
    assert first.status_code == 302 and first.url == case_page
    assert second.status_code == 302 and second.url == case_page
    assert Contact.objects.filter(case=alice_case).count() == 1
    page = client.get(case_page).content.decode()
    assert page.count("Contact recorded.") == 1
    assert "Already saved" not in page


def test_back_and_save_again_still_says_already_saved(client, alice, alice_case):
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/contacts/new/"
    assert client.post(url, {**DATA, "submission": _token(client, url)}).status_code == 302
    client.get(f"/cases/{alice_case.code}/")  # the first save's page, with its message
    again = client.post(url, {**DATA, "submission": _token(client, url)})
    assert again.status_code == 200
    assert "Already saved" in again.content.decode()
    assert f'href="/cases/{alice_case.code}/"' in again.content.decode()
    assert Contact.objects.filter(case=alice_case).count() == 1


def test_a_racing_double_tap_is_rolled_back_and_goes_to_the_case(
    client, alice, alice_case, monkeypatch
):
    """Both taps pass the check before either saved: the second one's record fails on the
    unique key, its contact is rolled back, and it lands on the case too, saying saved."""
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/contacts/new/"
    token = _token(client, url)
    assert client.post(url, {**DATA, "submission": token}).status_code == 302
    client.get(f"/cases/{alice_case.code}/")  # the first message is shown meanwhile
    monkeypatch.setattr(forms, "earlier_submission", lambda request: None)
    second = client.post(url, {**DATA, "submission": token})
    assert second.status_code == 302 and second.url == f"/cases/{alice_case.code}/"
    assert Contact.objects.filter(case=alice_case).count() == 1
    assert "Saved." in client.get(second.url).content.decode()
