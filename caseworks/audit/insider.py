"""Changes to accounts in the access log: who gave whom a role, a team, a permission, the
administrator flags, a password, or took away an account or a second factor.

An administrator could make themselves supervisor of a team (and read its case files), make
someone a carrier's data protection officer, or reset a colleague's password and second factor.
This module makes every such change visible to the data protection officers. Model signals
(m2m_changed on groups, permissions, team members and supervisors, a carrier's DPOs, post_save
on users
and devices, post_delete on devices) write an access log entry for the user concerned (object
type "user", its user name as the label), under the name of whoever made the change: the user
of the current request (ActorMiddleware) or, outside a request, whoever `acting_as` names (a
management command). Changes with neither (migrations, fixtures, seed_demo, the shell) are not
logged. `detail` holds group, permission and team names and flags, never a secret.

Whose DPO reads an entry (caseworks.audit.views): a change of a team's members or supervisors,
or of a carrier's DPOs, is stamped with that carrier and read by its DPO; every other change to
an account (roles, flags, password, second factor, created, deleted) is an entry about the
house, read by every carrier's DPO — the administrator and the accounts are shared.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext as _

from caseworks.audit.labels import local_time, role_label
from caseworks.audit.log import log_access
from caseworks.models import (
    AccessLog,
    AuthenticatorDevice,
    EnrolmentCode,
    Organisation,
    RecoveryCodeDevice,
    Team,
)

# Entries about accounts (the access log page's "changes to accounts"), those of the house
# setup (/manage/, caseworks.house.services) included.
ACCOUNT_ACTION_PREFIXES = ("user.", "role.", "manage.user.")
# Entries about a user or a group get a stable object code, so that all of them can be found.
_NAMESPACE = uuid.UUID("6f1c9a52-3b1e-4c55-9d8e-0a4f2b7c1e93")

_request: ContextVar[HttpRequest | None] = ContextVar("caseworks_request", default=None)
_named_actor: ContextVar["User | str | None"] = ContextVar("caseworks_actor", default=None)


class ActorMiddleware:
    """Remembers the current request, so that the receivers below know who acts (after
    AuthenticationMiddleware in MIDDLEWARE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


@contextmanager
def acting_as(actor: "User | str") -> Iterator[None]:
    """Outside a request: changes are logged under `actor` (a user, or a name such as
    "manage.py issue_enrolment_code")."""
    token = _named_actor.set(actor)
    try:
        yield
    finally:
        _named_actor.reset(token)


def current_actor() -> "User | str | None":
    named = _named_actor.get()
    if named is not None:
        return named
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    if user is not None and user.is_authenticated:
        return user
    return None


@dataclass(frozen=True)
class _Subject:
    """A user or group as the access log's object (caseworks.audit.log.Logged)."""

    _meta: Any
    code: uuid.UUID


def subject_code(obj: Model) -> uuid.UUID:
    """The access log's object code for entries about this user (or group)."""
    return uuid.uuid5(_NAMESPACE, f"{obj._meta.label_lower}:{obj.pk}")


def _log(
    action: str,
    subject: Model,
    label: str,
    detail: dict[str, Any],
    organisation: int | None = None,
) -> None:
    """`organisation`: the carrier the change concerns (a team's, a DPO's); None for a change
    to the account as such, an entry about the house that every carrier's DPO reads."""
    actor = current_actor()
    if actor is None:
        return
    if not isinstance(actor, str) and action == "user.deleted" and actor.pk == subject.pk:
        actor = actor.get_username()  # the entry cannot point to an account being deleted
    obj = _Subject(subject._meta, subject_code(subject))
    label = label[:60]
    if isinstance(actor, str):
        AccessLog.objects.create(
            user=None,
            username=actor[:150],
            action=action,
            object_type=str(subject._meta.model_name),
            object_code=obj.code,
            object_label=label,
            detail=detail,
            organisation_id=organisation,
        )
    else:
        log_access(
            user=actor,
            action=action,
            obj=obj,
            label=label,
            detail=detail,
            organisation=organisation,
        )


def _log_user(action: str, user: Model, organisation: int | None = None, **detail: Any) -> None:
    _log(action, user, user.get_username(), detail, organisation)  # type: ignore[attr-defined]


# --- many-to-many: roles, permissions, teams --------------------------------------------------


@dataclass(frozen=True)
class _Relation:
    forward: str  # accessor on the owning model (user.groups, team.members)
    backward: str  # accessor on the other side (group.user_set, user.teams)


def _pairs(instance, action, reverse, model, pk_set) -> list[tuple[Model, Model]]:
    """(owner, related) pairs an m2m_changed event touched, whichever side it came from."""
    if action == "post_clear":
        pks = instance.__dict__.pop("_caseworks_cleared", set())
    else:
        pks = pk_set or set()
    others = list(model.objects.filter(pk__in=pks)) if pks else []
    if reverse:
        return [(other, instance) for other in others]
    return [(instance, other) for other in others]


def _remember_cleared(instance, reverse, relation: _Relation) -> None:
    accessor = relation.backward if reverse else relation.forward
    instance._caseworks_cleared = set(getattr(instance, accessor).values_list("pk", flat=True))


Changes = dict[Any, tuple[list[Any], list[Any]]]


def _changes(
    instance: Any,
    action: str,
    reverse: bool,
    model: Any,
    pk_set: set[Any] | None,
    relation: _Relation,
) -> Changes:
    """{owner: (added, removed)} for one m2m_changed event."""
    if action == "pre_clear":
        if current_actor() is not None:
            _remember_cleared(instance, reverse, relation)
        return {}
    if action not in ("post_add", "post_remove", "post_clear") or current_actor() is None:
        return {}
    result: Changes = {}
    for owner, related in _pairs(instance, action, reverse, model, pk_set):
        added, removed = result.setdefault(owner, ([], []))
        (added if action == "post_add" else removed).append(related)
    return result


def _names(objects) -> list[str]:
    return sorted(str(o.name) for o in objects)


def _permission_names(permissions) -> list[str]:
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions)


USER_GROUPS = _Relation("groups", "user_set")
USER_PERMISSIONS = _Relation("user_permissions", "user_set")
GROUP_PERMISSIONS = _Relation("permissions", "group_set")
TEAM_MEMBERS = _Relation("members", "teams")
TEAM_SUPERVISORS = _Relation("supervisors", "led_teams")
DATA_PROTECTION_OFFICERS = _Relation("data_protection_officers", "dpo_of")


@receiver(m2m_changed, sender=get_user_model().groups.through)
def _roles_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    for user, (added, removed) in _changes(
        instance, action, reverse, model, pk_set, USER_GROUPS
    ).items():
        _log_user("user.roles_changed", user, added=_names(added), removed=_names(removed))


@receiver(m2m_changed, sender=get_user_model().user_permissions.through)
def _user_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    for user, (added, removed) in _changes(
        instance, action, reverse, model, pk_set, USER_PERMISSIONS
    ).items():
        _log_user(
            "user.permissions_changed",
            user,
            added=_permission_names(added),
            removed=_permission_names(removed),
        )


@receiver(m2m_changed, sender=Group.permissions.through)
def _role_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    for group, (added, removed) in _changes(
        instance, action, reverse, model, pk_set, GROUP_PERMISSIONS
    ).items():
        _log(
            "role.permissions_changed",
            group,
            str(group.name),
            {"added": _permission_names(added), "removed": _permission_names(removed)},
        )


def _team_changed(joined: str, left: str, changes: Changes) -> None:
    for team, (added, removed) in changes.items():
        for action, users in ((joined, added), (left, removed)):
            for user in users:
                _log_user(
                    action,
                    user,
                    organisation=team.organisation_id,
                    team=team.name,
                    team_id=team.pk,
                )


@receiver(m2m_changed, sender=Team.members.through)
def _members_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    changes = _changes(instance, action, reverse, model, pk_set, TEAM_MEMBERS)
    _team_changed("user.team_joined", "user.team_left", changes)


@receiver(m2m_changed, sender=Team.supervisors.through)
def _supervisors_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    changes = _changes(instance, action, reverse, model, pk_set, TEAM_SUPERVISORS)
    _team_changed("user.supervision_added", "user.supervision_removed", changes)


@receiver(m2m_changed, sender=Organisation.data_protection_officers.through)
def _data_protection_officers_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Who became or stopped being a carrier's DPO: in that carrier's log."""
    changes = _changes(instance, action, reverse, model, pk_set, DATA_PROTECTION_OFFICERS)
    for organisation, (added, removed) in changes.items():
        for verb, users in (("user.dpo_added", added), ("user.dpo_removed", removed)):
            for user in users:
                _log_user(
                    verb,
                    user,
                    organisation=organisation.pk,
                    carrier=str(organisation),
                )


# --- the user: created, deleted, active, administrator flags, password ------------------------

FLAGS = ("is_active", "is_staff", "is_superuser")


@receiver(pre_save, sender=get_user_model())
def _remember_flags(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or current_actor() is None:
        return
    if update_fields is not None and not set(update_fields) & set(FLAGS):
        return  # e.g. last_login at sign-in
    instance._caseworks_flags = sender.objects.filter(pk=instance.pk).values(*FLAGS).first()


@receiver(post_save, sender=get_user_model())
def _user_saved(sender, instance, created, raw=False, **kwargs):
    before = instance.__dict__.pop("_caseworks_flags", None)
    if raw or current_actor() is None:
        return
    if created:
        _log_user("user.created", instance)
        return
    if before is not None:
        if before["is_active"] != instance.is_active:
            _log_user("user.activated" if instance.is_active else "user.deactivated", instance)
        changed = {f: getattr(instance, f) for f in FLAGS[1:] if before[f] != getattr(instance, f)}
        if changed:
            _log_user("user.privileges_changed", instance, **changed)
    # set_password() keeps the new password in _password until the save is done; a hash
    # upgraded at sign-in is saved without it. Only whether it is set is read, never its value.
    if getattr(instance, "_password", None) is not None:
        _log_user("user.password_changed", instance)


@receiver(post_delete, sender=get_user_model())
def _user_deleted(sender, instance, **kwargs):
    _log_user("user.deleted", instance)


# --- the second factor ------------------------------------------------------------------------


@receiver(post_init, sender=AuthenticatorDevice)
def _remember_confirmed(sender, instance, **kwargs):
    instance._caseworks_confirmed = instance.confirmed


@receiver(post_save, sender=AuthenticatorDevice)
def _authenticator_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if instance.confirmed and (created or not instance._caseworks_confirmed):
        _log_user("user.second_factor_added", instance.user, device=str(sender._meta.verbose_name))
    instance._caseworks_confirmed = instance.confirmed


@receiver(post_delete, sender=AuthenticatorDevice)
@receiver(post_delete, sender=RecoveryCodeDevice)
def _device_deleted(sender, instance, **kwargs):
    if instance.confirmed:
        _log_user(
            "user.second_factor_removed", instance.user, device=str(sender._meta.verbose_name)
        )


@receiver(post_save, sender=EnrolmentCode)
def _enrolment_code_issued(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        _log_user(
            "user.enrolment_code_issued",
            instance.user,
            valid_until=instance.expires_at.isoformat(timespec="minutes"),
        )


# --- for the access log page ------------------------------------------------------------------


def is_account_change(action: str) -> bool:
    return action.startswith(ACCOUNT_ACTION_PREFIXES)


def describe(entry: AccessLog) -> str:
    """What an account change changed, in words (the access log page): roles by their
    names, times as local time."""
    if not is_account_change(entry.action):
        return ""
    detail = entry.detail or {}
    names = role_label if entry.action.endswith("roles_changed") else str
    parts = []
    if detail.get("added"):
        parts.append(_("added: %(names)s") % {"names": ", ".join(map(names, detail["added"]))})
    if detail.get("removed"):
        parts.append(_("removed: %(names)s") % {"names": ", ".join(map(names, detail["removed"]))})
    roles = detail.get("roles")
    if isinstance(roles, dict):
        for key, text in (
            ("added", _("roles added: %(names)s")),
            ("removed", _("roles removed: %(names)s")),
        ):
            if roles.get(key):
                parts.append(text % {"names": ", ".join(map(role_label, roles[key]))})
    if detail.get("team"):
        parts.append(_("team: %(team)s") % {"team": detail["team"]})
    if detail.get("carrier"):
        parts.append(_("data protection officer of %(carrier)s") % {"carrier": detail["carrier"]})
    if detail.get("organisation") and entry.action.endswith("roles_changed"):
        parts.append(_("carrier: %(carrier)s") % {"carrier": detail["organisation"]})
    if detail.get("device"):
        parts.append(_("device: %(device)s") % {"device": detail["device"]})
    for flag, label in (("is_staff", _("staff")), ("is_superuser", _("superuser"))):
        if flag in detail:
            parts.append(f"{label}: {_('yes') if detail[flag] else _('no')}")
    if detail.get("valid_until"):
        parts.append(_("valid until %(time)s") % {"time": local_time(detail["valid_until"])})
    if detail.get("valid_hours"):
        parts.append(_("valid for %(hours)s hours") % {"hours": detail["valid_hours"]})
    if detail.get("second_factor_removed"):
        parts.append(_("second factor removed"))
    return "; ".join(parts)
