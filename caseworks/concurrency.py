"""Optimistic locking for records edited in forms: a `version` column plus a row lock."""

from typing import Any, TypeVar, cast

from django.db import models

_Versioned = TypeVar("_Versioned", bound=models.Model)


def _history(obj: models.Model) -> Any:
    """The simple_history manager HistoricalRecords adds to each audited model."""
    return obj.history  # type: ignore[attr-defined]


class ConcurrentEdit(Exception):
    """Somebody else saved the record since the form was loaded."""

    def __init__(self, *, current: models.Model, changed_fields: list[str]) -> None:
        self.current = current
        self.changed_fields = changed_fields
        latest = _history(current).first()
        self.changed_by = latest.history_user if latest else None
        self.changed_at = latest.history_date if latest else None
        super().__init__("concurrent edit")


def lock_versioned(obj: _Versioned, expected_version: int) -> _Versioned:
    """Lock the row and compare versions; call inside a transaction.

    Race: two tabs load version 3; both post. Without the row lock both could read version 3
    and both write; select_for_update makes the second wait and then see version 4.
    The error names the fields the other save changed (from the audit history).
    """
    model = type(obj)
    # _default_manager is `objects` on every versioned model (their only manager), typed.
    current = model._default_manager.select_for_update().get(pk=obj.pk)
    # Each versioned model declares its own `version` column (there is no common base).
    version: int = current.version  # type: ignore[attr-defined]
    if version != expected_version:
        previous = _history(current).filter(version=expected_version).first()
        latest = _history(current).first()
        changed = []
        if previous is not None and latest is not None:
            changed = [
                # history diffs name concrete fields, never relations' reverse sides
                str(cast("models.Field[Any, Any]", model._meta.get_field(c.field)).verbose_name)
                for c in latest.diff_against(previous).changes
            ]
        raise ConcurrentEdit(current=current, changed_fields=changed)
    return current
