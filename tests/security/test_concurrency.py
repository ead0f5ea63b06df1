"""A referral edited in two tabs (case, client and visit: tests/cases, tests/visits)."""

from referrals.models import Referral


def test_a_referral_edited_in_two_tabs_is_refused_the_second_time(
    client, alice, alice_case, ready_referral
):
    referral = ready_referral
    url = f"/cases/{alice_case.code}/referrals/{referral.code}/"
    client.force_login(alice)
    form = {
        "client": referral.client_id,
        "service": referral.service_id,
        "urgency": "normal",
        "reason": referral.reason,
        "letter_subject": referral.letter_subject,
        "letter_body": "",
        "version": referral.version,
    }
    first = client.post(url, {**form, "reason": "Erster Tab: neuer Grund"})
    assert first.status_code == 302
    second = client.post(url, {**form, "letter_body": "Zweiter Tab: eigener Brieftext"})
    html = second.content.decode()
    assert second.status_code == 200
    assert "while you were editing" in html and "Nothing was saved" in html
    assert "reason" in html.lower()  # what the other tab changed
    assert "Zweiter Tab: eigener Brieftext" in html  # what this tab typed is kept
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.reason == "Erster Tab: neuer Grund" and stored.letter_body == ""
