import pytest
from django.core.exceptions import ValidationError

from referrals import services
from referrals.models import Referral
from tests.referrals.conftest import consent, refer

ILLEGAL = [
    ("draft", "sent"),
    ("draft", "accepted"),
    ("draft", "completed"),
    ("ready", "accepted"),
    ("sent", "draft"),
    ("sent", "ready"),
    ("sent", "completed"),
    ("accepted", "declined"),
    ("declined", "accepted"),
    ("completed", "cancelled"),
    ("cancelled", "draft"),
]


@pytest.mark.parametrize("start, to", ILLEGAL)
def test_illegal_transitions_are_refused(alice, alice_case, mbe, start, to):
    referral = refer(alice, alice_case, mbe)
    Referral.objects.filter(pk=referral.pk)  # noqa: B018
    referral.status = start
    referral._history_user = alice
    referral.save()
    with pytest.raises(ValidationError, match="cannot go from"):
        services.referral_transition(actor=alice, referral=referral, to=to)
    assert Referral.objects.get(pk=referral.pk).status == start


def test_the_whole_way_with_history(alice, olga, alice_case, mbe):
    consent(alice, alice_case, mbe)
    referral = refer(alice, alice_case, mbe)
    for to in ("ready",):
        referral = services.referral_transition(actor=alice, referral=referral, to=to)
    with pytest.raises(ValidationError, match="Print the letter"):
        services.referral_transition(actor=alice, referral=referral, to="sent")
    services.letter_issue(actor=olga, referral=referral)
    for to in ("sent", "accepted", "completed"):
        referral = services.referral_transition(actor=alice, referral=referral, to=to)
    statuses = [h.status for h in referral.history.order_by("history_date")]
    assert statuses == ["draft", "ready", "sent", "accepted", "completed"]
    assert referral.history.filter(history_user__isnull=True).count() == 0


def test_the_form_refuses_an_illegal_move_with_a_message(client, alice, alice_case, mbe):
    referral = refer(alice, alice_case, mbe)
    client.force_login(alice)
    response = client.post(
        f"/cases/{alice_case.code}/referrals/{referral.code}/status/",
        {"to": "sent", "version": referral.version},
        follow=True,
    )
    assert "cannot go from" in response.content.decode()
    assert Referral.objects.get().status == "draft"


def test_making_ready_without_consent_says_why(client, alice, alice_case, mbe):
    referral = refer(alice, alice_case, mbe)
    client.force_login(alice)
    response = client.post(
        f"/cases/{alice_case.code}/referrals/{referral.code}/status/",
        {"to": "ready", "version": referral.version},
        follow=True,
    )
    html = response.content.decode()
    assert "No valid consent" in html
    assert f"/cases/{alice_case.code}/consents/new/" in html  # links to recording it


def test_changing_the_text_of_a_ready_letter_needs_readiness_again(alice, ready_referral):
    changed = services.referral_update(
        actor=alice,
        referral=ready_referral,
        expected_version=ready_referral.version,
        data={"letter_body": "Neuer Text"},
    )
    assert changed.status == "draft"
