"""Optimistic locking for records edited in forms, and the one way such a record is changed:
versioned_update (caseworks.models.Versioned holds the `version` column)."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

from django.contrib.auth.models import User
from django.db import models, transaction

from caseworks.audit.log import save_audited
from caseworks.extensions.versioning import update_guards

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
    """Lock the row and compare versions; call inside a transaction (versioned_update does).

    Race: two tabs load version 3; both post. Without the row lock both could read version 3
    and both write; select_for_update makes the second wait and then see version 4.
    The error names the fields the other save changed (from the audit history).
    """
    model = type(obj)
    # _default_manager is `objects` on every versioned model (their only manager), typed.
    current = model._default_manager.select_for_update().get(pk=obj.pk)
    version: int = current.version  # type: ignore[attr-defined]
    if version != expected_version:
        raise ConcurrentEdit(
            current=current, changed_fields=_changed_since(current, expected_version)
        )
    return current


def _changed_since(current: models.Model, expected_version: int) -> list[str]:
    """The labels of the fields changed since `expected_version`, from the audit history:
    every save after it, each against the one before, so two saves since loading name what
    both changed. Where the loaded version has no history row (a row written in bulk), the
    nearest older one stands in; the version itself is never named."""
    history = _history(current)
    before = (
        history.filter(version__lte=expected_version)
        .order_by("-version", "-history_date", "-history_id")
        .first()
    )
    later = history.filter(version__gt=expected_version).order_by("history_date", "history_id")
    labels: list[str] = []
    for row in later:
        if before is not None:
            for change in row.diff_against(before).changes:
                # history diffs name concrete fields, never relations' reverse sides
                field = cast("models.Field[Any, Any]", type(current)._meta.get_field(change.field))
                label = str(field.verbose_name)
                if change.field != "version" and label not in labels:
                    labels.append(label)
        before = row
    return labels


def versioned_update(
    instance: _Versioned,
    *,
    actor: User,
    expected_version: int,
    data: Mapping[str, Any],
    fields: Iterable[str],
    clean: Callable[[_Versioned], None] | None = None,
) -> _Versioned:
    """Change a record edited in a form, the one way, in one transaction and one order:

    1. the guards other apps register run first (caseworks.extensions.versioning: the cases
       app locks the record's case row and refuses a closed case) — parent before record,
       everywhere, so two services never lock the same rows in opposite orders;
    2. the record's row lock and version check (lock_versioned: ConcurrentEdit on mismatch);
    3. each of `fields` present in `data` is applied (nothing else: a form cannot reach a
       field the service did not name);
    4. `clean(current)`, the service's own rules (raise ValidationError);
    5. version + 1, full_clean and save with `actor` in the history.

    Returns the locked, saved record; relations (many-to-many) are the caller's, afterwards.
    """
    with transaction.atomic():
        for guard in update_guards:
            guard(instance)
        current = lock_versioned(instance, expected_version)
        for field in fields:
            if field in data:
                setattr(current, field, data[field])
        if clean is not None:
            clean(current)
        current.version += 1  # type: ignore[attr-defined]
        save_audited(current, actor)
    return current
