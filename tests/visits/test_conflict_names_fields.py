"""A concurrent edit names the fields the other person changed, whatever changed and however
often: "(unbekannte Felder)" told the user nothing (an outside test met it on simultaneous
saves)."""

import pytest
from django.utils import translation

from caseworks.web.concurrency import ConcurrentEdit
from visits import services


@pytest.fixture
def visit(alice, first_visit):
    return first_visit


def test_the_conflict_names_the_field_the_other_save_changed(alice, bob, visit):
    loaded = visit.version
    services.visit_update(actor=bob, visit=visit, expected_version=loaded, notes="Bob's note")
    with pytest.raises(ConcurrentEdit) as conflict, translation.override("en"):
        services.visit_update(
            actor=alice, visit=visit, expected_version=loaded, notes="Alice's note"
        )
    assert conflict.value.changed_fields == ["notes"]
    assert conflict.value.changed_by == bob


def test_two_saves_since_loading_name_what_both_changed(alice, bob, visit):
    loaded = visit.version
    services.visit_update(actor=bob, visit=visit, expected_version=loaded, notes="Erste Änderung")
    services.visit_update(actor=bob, visit=visit, expected_version=loaded + 1, duration_minutes=90)
    with pytest.raises(ConcurrentEdit) as conflict, translation.override("en"):
        services.visit_update(actor=alice, visit=visit, expected_version=loaded, notes="Meins")
    assert sorted(conflict.value.changed_fields) == ["duration (minutes)", "notes"]


def test_a_loaded_version_without_history_still_names_the_change(alice, bob, visit):
    """A version written without a history row (in bulk) is compared through the nearest
    older row: the field the other person changed is named, never "unknown fields"."""
    services.visit_update(actor=bob, visit=visit, expected_version=visit.version, place="office")
    visit.refresh_from_db()
    loaded = visit.version
    visit.history.filter(version=loaded).delete()
    services.visit_update(actor=bob, visit=visit, expected_version=loaded, notes="Bob's note")
    with pytest.raises(ConcurrentEdit) as conflict, translation.override("en"):
        services.visit_update(actor=alice, visit=visit, expected_version=loaded, notes="Mine")
    assert "notes" in conflict.value.changed_fields
