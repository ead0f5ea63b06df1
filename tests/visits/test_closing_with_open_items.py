"""Closing a case lists the visits side of what is still open: planned accompaniments and
open points of the arrival checklist (registered from visits/casefile.py)."""

import pytest
from django.core.exceptions import ValidationError

from cases import services as case_services
from tests.visits.conftest import in_hours, plan
from visits import services


def test_planned_accompaniments_and_open_checks_are_listed(client, sam, alice, opened_case):
    from tests.visits.conftest import record

    record(alice, opened_case, kind="first")  # the first visit opens the arrival checklist
    planned = plan(alice, opened_case, when=in_hours(48))
    done_later = plan(alice, opened_case, when=in_hours(72))
    services.accompaniment_cancel(
        actor=alice, accompaniment=done_later, reason="did_not_take_place"
    )
    items = case_services.case_open_items(opened_case)
    keys = {item.key for item in items}
    assert f"accompaniment-{planned.code}" in keys
    assert f"accompaniment-{done_later.code}" not in keys  # cancelled: nothing open
    assert any(key.startswith("check-") for key in keys)
    client.force_login(sam)
    page = client.get(f"/cases/{opened_case.code}/close/").content.decode()
    assert f"/cases/{opened_case.code}/accompaniments/{planned.code}/" in page


def test_closing_needs_them_acknowledged(sam, alice, opened_case):
    planned = plan(alice, opened_case, when=in_hours(48))
    with pytest.raises(ValidationError):
        case_services.case_close(actor=sam, case=opened_case, reason="moved_away")
    case_services.case_close(
        actor=sam,
        case=opened_case,
        reason="moved_away",
        acknowledged=[f"accompaniment-{planned.code}"],
    )
    opened_case.refresh_from_db()
    assert opened_case.closed_on is not None
