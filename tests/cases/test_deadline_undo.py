"""Marking a § 74 deadline as done: a confirmation page, then an undo for a while."""

import datetime

import pytest
from django.utils import timezone

from cases import services
from tests.helpers import TODAY


@pytest.fixture
def deadline(alice, alice_case):
    client = alice_case.clients.get()
    return services.bamf_decision_record(
        actor=alice, client=client, decision_type="rejected", served_on=TODAY
    )[0]


def test_it_asks_before_marking_done(client, alice, alice_case, deadline):
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/deadlines/{deadline.code}/done/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Yes, mark as done" in page.content.decode()
    deadline.refresh_from_db()
    assert deadline.done_on is None  # a GET changes nothing
    deadlines = client.get(f"/cases/{alice_case.code}/deadlines/").content.decode()
    assert f'href="{url}"' in deadlines  # a link to the confirmation, not a one-tap form


def test_it_marks_done_and_offers_the_undo(client, alice, alice_case, deadline):
    client.force_login(alice)
    response = client.post(f"/cases/{alice_case.code}/deadlines/{deadline.code}/done/", follow=True)
    deadline.refresh_from_db()
    assert deadline.done_on == TODAY and deadline.done_by == alice
    page = response.content.decode()
    assert "Undo: not done yet" in page
    client.post(f"/cases/{alice_case.code}/deadlines/{deadline.code}/undo/")
    deadline.refresh_from_db()
    assert deadline.done_on is None and deadline.done_at is None


def test_the_undo_ends_after_the_configured_hours(client, alice, alice_case, deadline, settings):
    settings.CASEWORKS_DEADLINE_UNDO_HOURS = 24
    services.deadline_done(actor=alice, deadline=deadline)
    deadline.refresh_from_db()
    deadline.done_at = timezone.now() - datetime.timedelta(hours=25)
    deadline.save()
    client.force_login(alice)
    page = client.get(f"/cases/{alice_case.code}/deadlines/").content.decode()
    assert "Undo: not done yet" not in page
    client.post(f"/cases/{alice_case.code}/deadlines/{deadline.code}/undo/")
    deadline.refresh_from_db()
    assert deadline.done_on == TODAY


def test_it_checks_ownership(client, charlie, alice_case, deadline):
    client.force_login(charlie)
    assert (
        client.get(f"/cases/{alice_case.code}/deadlines/{deadline.code}/done/").status_code == 404
    )
    assert (
        client.post(f"/cases/{alice_case.code}/deadlines/{deadline.code}/undo/").status_code == 404
    )
