"""Audit: saving under the acting user's name (history), and writing the access log with
dotted event codes and no personal data in `detail`."""

import uuid
from typing import Any, Protocol, cast

from django.contrib.auth.models import User
from django.db import models
from django.db.models.options import Options

from caseworks.models import AccessLog


class Logged(Protocol):
    """A record the access log can name: its model and its public code."""

    @property
    def _meta(self) -> "Options[Any]": ...

    @property
    def code(self) -> uuid.UUID: ...


def log_access(
    *,
    user: User,
    action: str,
    obj: Logged,
    label: str = "",
    detail: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    AccessLog.objects.create(
        user=user,
        username=user.get_username(),
        action=action,
        object_type=cast(str, obj._meta.model_name),  # None only before a model class exists
        object_code=obj.code,
        object_label=label,
        detail=detail or {},
        reason=reason,
    )


def log_event(
    *,
    user: User,
    action: str,
    object_type: str,
    label: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """An access-log entry about no stored record (a search across the house, say)."""
    AccessLog.objects.create(
        user=user,
        username=user.get_username(),
        action=action,
        object_type=object_type,
        object_label=label[:60],
        detail=detail or {},
    )


def save_audited(obj: models.Model, actor: User) -> None:
    """Validate (fields and constraints) and save, recording `actor` as the history user."""
    obj.full_clean()
    # simple_history reads this undeclared attribute as the history user of the next save.
    obj._history_user = actor  # type: ignore[attr-defined]
    obj.save()
