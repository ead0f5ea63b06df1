"""Audit: saving under the acting user's name (history), and writing the access log with
dotted event codes and no personal data in `detail`.

Each entry is stamped with the carrier (controller) whose record it concerns, when it is
written (`organisation_of`): the record's case's team's organisation, found through the
person-data registry (caseworks.extensions.personal_data) — so an entry stays with the carrier
that was controller at the time, even if the case is handed over later. Entries about no
carrier's record (accounts, the house set-up, searches across the house) have none.
"""

import uuid
from typing import Any, Protocol, cast

from django.contrib.auth.models import User
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.options import Options

from caseworks.extensions.personal_data import person_data_sources
from caseworks.models import AccessLog, Organisation, Team


class Logged(Protocol):
    """A record the access log can name: its model and its public code."""

    @property
    def _meta(self) -> "Options[Any]": ...

    @property
    def code(self) -> uuid.UUID: ...


def _loaded(obj: Any, path: str) -> Any | None:
    """The object at the end of `path` ("referral__case__team"), when each step is a forward
    relation already loaded on the object before it (Django's related-object cache): no
    query. None when a step is not loaded (or empty)."""
    for name in path.split("__"):
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not field.concrete or not field.is_relation or not field.is_cached(obj):
            return None
        obj = getattr(obj, name)
        if obj is None:
            return None
    return obj


def organisation_of(obj: Any) -> int | None:
    """The id of the carrier whose record `obj` is: an organisation itself, a row with a
    team (a case), or a registered person-data row (through its case); None for anything
    else (a user, the service directory, the volunteer network). Read from the team the
    caller loaded with the record when it did (a batch of letters: no query per entry)."""
    meta = getattr(obj, "_meta", None)
    if meta is None or getattr(obj, "pk", None) is None:
        return None
    if meta.concrete_model is Organisation:
        return cast(int, obj.pk)
    names = {f.name for f in meta.concrete_fields}
    if "team" in names and meta.get_field("team").related_model is Team:
        team = _loaded(obj, "team")
        if team is not None:
            return cast(int, team.organisation_id)
        return Team.objects.filter(pk=obj.team_id).values_list("organisation", flat=True).first()
    for source in person_data_sources():
        if source.model is meta.concrete_model:
            team = _loaded(obj, f"{source.by_case}__team")
            if team is not None:
                return cast(int, team.organisation_id)
            return cast(
                "int | None",
                meta.concrete_model._default_manager.filter(pk=obj.pk)
                .values_list(f"{source.by_case}__team__organisation", flat=True)
                .first(),
            )
    return None


def log_access(
    *,
    user: User,
    action: str,
    obj: Logged,
    label: str = "",
    detail: dict[str, Any] | None = None,
    reason: str = "",
    organisation: int | None = None,
) -> None:
    """`organisation`: the carrier's id when the caller knows it better than `obj` tells
    (an account's team change); else read from `obj`."""
    AccessLog.objects.create(
        user=user,
        username=user.get_username(),
        action=action,
        object_type=cast(str, obj._meta.model_name),  # None only before a model class exists
        object_code=obj.code,
        object_label=label,
        detail=detail or {},
        reason=reason,
        organisation_id=organisation if organisation is not None else organisation_of(obj),
    )


def log_event(
    *,
    user: User,
    action: str,
    object_type: str,
    label: str = "",
    detail: dict[str, Any] | None = None,
    organisation: int | None = None,
) -> None:
    """An access-log entry about no stored record (a search across the house, say);
    `organisation`: the carrier it concerns, if one (else it is an entry about the house)."""
    AccessLog.objects.create(
        user=user,
        username=user.get_username(),
        action=action,
        object_type=object_type,
        object_label=label[:60],
        detail=detail or {},
        organisation_id=organisation,
    )


def save_audited(obj: models.Model, actor: User) -> None:
    """Validate (fields and constraints) and save, recording `actor` as the history user."""
    obj.full_clean()
    # simple_history reads this undeclared attribute as the history user of the next save.
    obj._history_user = actor  # type: ignore[attr-defined]
    obj.save()
