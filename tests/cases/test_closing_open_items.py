"""Closing a case lists what is still open; each item must be handled or acknowledged, and
the acknowledgement is in the history. Close/reopen reasons are never preselected."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import ClosingAcknowledgement
from cases.page import CLOSED
from caseworks.extensions.casefile import OpenItem, open_items, register_open_items
from tests.helpers import TODAY

DAY = datetime.timedelta(days=1)


@pytest.fixture
def lawsuit(alice, alice_case):
    client = alice_case.clients.get()
    created = services.bamf_decision_record(
        actor=alice, client=client, decision_type="dublin", served_on=TODAY - DAY
    )
    return created[0]


def close_url(case):
    return f"/cases/{case.code}/close/"


def test_it_lists_a_running_lawsuit_deadline_on_the_close_page(client, sam, alice_case, lawsuit):
    client.force_login(sam)
    page = client.get(close_url(alice_case)).content.decode()
    assert "lawsuit deadline" in page
    assert f"/cases/{alice_case.code}/deadlines/" in page  # handle it
    # A running deadline is not ticked away: it needs a reason (test_close_with_deadline).
    assert 'name="deadline_reason"' in page
    assert f'name="ack_deadline-{lawsuit.code}"' not in page


def test_it_refuses_to_close_without_the_acknowledgement(client, sam, alice_case, lawsuit):
    client.force_login(sam)
    response = client.post(
        close_url(alice_case), {"reason": "moved_away", "closed_on": TODAY.isoformat()}
    )
    assert response.status_code == 200
    assert "Say why the case is closed although a deadline is running." in (
        response.content.decode()
    )
    alice_case.refresh_from_db()
    assert alice_case.closed_on is None


def test_it_closes_with_each_item_acknowledged_and_keeps_it_in_the_history(
    client, sam, alice_case, lawsuit
):
    client.force_login(sam)
    data = {
        "reason": "moved_away",
        "closed_on": TODAY.isoformat(),
        "deadline_reason": "Die Anwältin überwacht die Frist.",
    }
    for item in services.case_open_items(alice_case):
        data[f"ack_{item.key}"] = "on"
    response = client.post(close_url(alice_case), data)
    assert response.status_code == 302
    alice_case.refresh_from_db()
    assert alice_case.closed_on == TODAY
    ack = ClosingAcknowledgement.objects.get(case=alice_case)
    assert ack.acknowledged_by == sam
    assert "lawsuit deadline" in ack.items
    history = client.get(f"/cases/{alice_case.code}/history/").content.decode()
    assert "Case closed with open items (acknowledged)" in history
    assert "lawsuit deadline" in history


def test_the_service_refuses_an_item_that_appeared_after_the_page_was_read(
    sam, alice, alice_case, lawsuit
):
    seen = [item.key for item in services.case_open_items(alice_case)]
    services.task_create(actor=alice, case=alice_case, title="Jobcenter anrufen", due_on=TODAY)
    with pytest.raises(ValidationError, match="neither done nor acknowledged"):
        services.case_close(actor=sam, case=alice_case, reason="moved_away", acknowledged=seen)
    alice_case.refresh_from_db()
    assert alice_case.closed_on is None


def test_a_case_with_nothing_open_closes_without_acknowledgement(sam, alice_case):
    services.case_close(actor=sam, case=alice_case, reason="moved_away")
    assert not ClosingAcknowledgement.objects.filter(case=alice_case).exists()


def test_other_apps_items_are_listed_through_the_registry(client, sam, alice_case):
    def provider(case):
        return [OpenItem("Referral", "to the MBE", "/referrals/x/", key="referral-1")]

    register_open_items(provider)
    try:
        client.force_login(sam)
        page = client.get(close_url(alice_case)).content.decode()
        assert "to the MBE" in page and 'name="ack_referral-1"' in page
        with pytest.raises(ValidationError):
            services.case_close(actor=sam, case=alice_case, reason="moved_away")
    finally:
        open_items.unregister(provider)


def test_close_and_reopen_reasons_are_not_preselected(client, sam, alice_case):
    client.force_login(sam)
    page = client.get(close_url(alice_case)).content.decode()
    assert '<option value="" selected>— please choose —</option>' in page
    assert "-----" not in page and "──" not in page
    response = client.post(close_url(alice_case), {"closed_on": TODAY.isoformat()})
    assert "Choose why the case is closed." in response.content.decode()
    services.case_close(actor=sam, case=alice_case, reason="moved_away")
    page = client.get(f"/cases/{alice_case.code}/reopen/").content.decode()
    assert '<option value="" selected>— please choose —</option>' in page
    response = client.post(f"/cases/{alice_case.code}/reopen/", {"reason": ""})
    assert "Choose why the case is reopened." in response.content.decode()


def test_an_open_case_has_a_read_only_reopen_page(client, sam, alice_case):
    client.force_login(sam)
    url = f"/cases/{alice_case.code}/reopen/"
    page = client.get(url)
    assert page.status_code == 200 and page.context["read_only"] == "The case is open."
    assert 'type="submit" class="button primary"' not in page.content.decode()
    versions = alice_case.history.count()
    client.post(url, {"reason": "new_need"})
    alice_case.refresh_from_db()
    assert alice_case.reopening_reason != "new_need"
    assert alice_case.history.count() == versions


def test_a_closed_case_has_a_read_only_close_page(client, sam, alice_case):
    services.case_close(actor=sam, case=alice_case, reason="moved_away")
    client.force_login(sam)
    page = client.get(close_url(alice_case))
    assert page.status_code == 200 and page.context["read_only"] == CLOSED
    versions = alice_case.history.count()
    client.post(close_url(alice_case), {"reason": "returned", "closed_on": TODAY.isoformat()})
    alice_case.refresh_from_db()
    assert alice_case.closing_reason == "moved_away"
    assert alice_case.history.count() == versions
