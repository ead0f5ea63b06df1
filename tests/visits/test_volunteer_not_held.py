"""Item 11 of issue 36: a volunteer reports "did not take place" only on the day of the
appointment or after it, confirms it, and can take it back for CASEWORKS_DEADLINE_UNDO_HOURS."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.helpers import make_user
from tests.visits.conftest import in_hours, plan
from visits import services


def test_an_appointment_ahead_cannot_be_reported_as_not_held(
    client, alice, vera, opened_case, authority
):
    ahead = plan(alice, opened_case, when=in_hours(5 * 24), service=authority, volunteer=vera)
    client.force_login(vera)
    url = f"/volunteer/{ahead.code}/did-not-take-place/"
    detail = client.get(f"/volunteer/{ahead.code}/").content.decode()
    assert url not in detail and "tell the caseworker" in detail
    response = client.post(url, {"reason": "did_not_take_place"})
    assert response.status_code == 302 and response.url == f"/volunteer/{ahead.code}/"
    assert client.get(url).status_code == 302  # no form for it either
    with pytest.raises(ValidationError):
        services.accompaniment_report_not_held(
            actor=vera, accompaniment=ahead, reason="did_not_take_place"
        )
    ahead.refresh_from_db()
    assert ahead.status == "planned"


def test_the_report_is_confirmed_and_can_be_taken_back(client, alice, vera, opened_case, authority):
    accompaniment = plan(alice, opened_case, when=in_hours(-1), service=authority, volunteer=vera)
    client.force_login(vera)
    url = f"/volunteer/{accompaniment.code}/did-not-take-place/"
    confirmation = client.get(url).content.decode()
    assert "You report that this appointment did not take place" in confirmation
    assert "24 hours" in confirmation
    response = client.post(url, {"reason": "client_absent", "note": "nicht erschienen"})
    assert response.url == f"/volunteer/{accompaniment.code}/"
    page = client.get(response.url).content.decode()
    undo = f"/volunteer/{accompaniment.code}/did-not-take-place/undo/"
    assert undo in page and "possible until" in page
    accompaniment.refresh_from_db()
    assert accompaniment.status == "cancelled"
    response = client.post(undo, {"version": accompaniment.version})
    assert response.url == f"/volunteer/{accompaniment.code}/"
    accompaniment.refresh_from_db()
    assert accompaniment.status == "planned" and accompaniment.cancelled_at is None
    assert accompaniment.cancel_reason == "" and accompaniment.cancelled_by is None
    # Taken back twice (a double tap): nothing happens; the history keeps both steps.
    assert client.post(undo, {"version": accompaniment.version - 1}).status_code == 302
    accompaniment.refresh_from_db()
    assert accompaniment.status == "planned"
    assert [h.status for h in accompaniment.history.all()[:2]] == ["planned", "cancelled"]


def test_the_undo_ends_after_the_window(client, alice, vera, opened_case, authority, settings):
    accompaniment = plan(alice, opened_case, when=in_hours(-1), service=authority, volunteer=vera)
    services.accompaniment_report_not_held(
        actor=vera, accompaniment=accompaniment, reason="did_not_take_place"
    )
    accompaniment.refresh_from_db()
    until = services.report_not_held_undo_until(accompaniment)
    assert until == accompaniment.cancelled_at + datetime.timedelta(hours=24)
    settings.CASEWORKS_DEADLINE_UNDO_HOURS = 0
    client.force_login(vera)
    page = client.get(f"/volunteer/{accompaniment.code}/").content.decode()
    assert "did-not-take-place/undo/" not in page
    client.post(
        f"/volunteer/{accompaniment.code}/did-not-take-place/undo/",
        {"version": accompaniment.version},
    )
    accompaniment.refresh_from_db()
    assert accompaniment.status == "cancelled"


def test_only_the_reporting_volunteer_takes_it_back(client, alice, vera, opened_case, authority):
    mine = plan(alice, opened_case, when=in_hours(-1), service=authority, volunteer=vera)
    services.accompaniment_cancel(actor=alice, accompaniment=mine, reason="did_not_take_place")
    mine.refresh_from_db()
    with pytest.raises(ValidationError):  # the caseworker cancelled it, not vera
        services.accompaniment_report_not_held_undo(
            actor=vera, accompaniment=mine, expected_version=mine.version
        )
    otto = make_user("otto", "volunteer")
    client.force_login(otto)
    url = f"/volunteer/{mine.code}/did-not-take-place/undo/"
    assert client.post(url, {"version": mine.version}).status_code == 404
    client.force_login(vera)
    assert "did-not-take-place/undo/" not in client.get(f"/volunteer/{mine.code}/").content.decode()
    mine.refresh_from_db()
    assert mine.status == "cancelled"
