"""Issue 36, item 14: closing a case over a running court deadline is not a checklist tick.
The deadline stands apart on the close page and closing needs a reason in words, which is
kept in the case's history (cases.services.case_close)."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import ClosingAcknowledgement
from tests.helpers import TODAY

DAY = datetime.timedelta(days=1)
REASON = "Rechtsanwältin Yilmaz hat das Mandat übernommen und überwacht die Klagefrist."


@pytest.fixture
def lawsuit(alice, alice_case):
    client = alice_case.clients.get()
    return services.bamf_decision_record(
        actor=alice, client=client, decision_type="dublin", served_on=TODAY - DAY
    )[0]


def _ticked(case):
    """Every open item ticked, as the old page allowed for a deadline too."""
    return {f"ack_{item.key}": "on" for item in services.case_open_items(case)}


def test_the_deadline_stands_apart_and_asks_for_a_reason(client, sam, alice_case, lawsuit):
    client.force_login(sam)
    page = client.get(f"/cases/{alice_case.code}/close/").content.decode()
    section = re.search(r'<section aria-labelledby="deadlines-heading".*?</section>', page, re.S)
    assert section is not None
    assert "lawsuit deadline" in section.group(0)
    assert 'name="deadline_reason"' in section.group(0)
    assert f'name="ack_deadline-{lawsuit.code}"' not in page  # no box to tick it away


def test_ticking_the_deadline_does_not_close_the_case(client, sam, alice_case, lawsuit):
    client.force_login(sam)
    data = {"reason": "moved_away", "closed_on": TODAY.isoformat(), **_ticked(alice_case)}
    response = client.post(f"/cases/{alice_case.code}/close/", data)
    assert response.status_code == 200
    assert "Say why the case is closed although a deadline is running." in (
        response.content.decode()
    )
    alice_case.refresh_from_db()
    assert alice_case.closed_on is None
    with pytest.raises(ValidationError) as refused:
        services.case_close(
            actor=sam,
            case=alice_case,
            reason="moved_away",
            acknowledged=[item.key for item in services.case_open_items(alice_case)],
            deadline_reason="   ",
        )
    assert "deadline_reason" in refused.value.message_dict


def test_the_reason_closes_the_case_and_is_kept_in_the_history(client, sam, alice_case, lawsuit):
    client.force_login(sam)
    data = {
        "reason": "moved_away",
        "closed_on": TODAY.isoformat(),
        "deadline_reason": REASON,
        **_ticked(alice_case),
    }
    response = client.post(f"/cases/{alice_case.code}/close/", data)
    assert response.status_code == 302
    alice_case.refresh_from_db()
    assert alice_case.closed_on == TODAY
    kept = ClosingAcknowledgement.objects.get(case=alice_case).items
    assert "lawsuit deadline" in kept and REASON in kept
    history = client.get(f"/cases/{alice_case.code}/history/").content.decode()
    assert "Rechtsanwältin Yilmaz hat das Mandat übernommen" in history
