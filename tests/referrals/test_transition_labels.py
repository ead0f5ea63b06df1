"""The referral page's buttons: one label per status a referral can move to, on the model
(Referral.TRANSITION_LABELS), translated."""

import re

from django.utils import translation

from referrals import services
from referrals.models import Referral


def test_it_has_a_label_for_every_status_a_referral_can_move_to() -> None:
    targets = set().union(*Referral.TRANSITIONS.values())
    assert set(Referral.TRANSITION_LABELS) == targets


def test_it_pairs_the_allowed_moves_with_their_labels_in_german(ready_referral) -> None:
    with translation.override("de"):
        choices = ready_referral.transition_choices()
    assert choices == [
        ("draft", "Zurück zum Entwurf"),
        ("sent", "Als versandt markieren"),
        ("cancelled", "Vermittlung abbrechen"),
    ]


def test_it_shows_each_move_as_a_button_with_its_label(client, alice, ready_referral) -> None:
    # "sent" is offered once the letter is printed (test_ready_needs_consent).
    services.letter_issue(actor=alice, referral=ready_referral)
    client.force_login(alice)
    url = f"/cases/{ready_referral.case.code}/referrals/{ready_referral.code}/"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    buttons = re.findall(
        r'name="to" value="(\w+)">.*?<button type="submit" class="button">([^<]+)</button>',
        html,
        re.S,
    )
    assert buttons == [
        ("draft", "Zurück zum Entwurf"),
        ("sent", "Als versandt markieren"),
        ("cancelled", "Vermittlung abbrechen"),
    ]
