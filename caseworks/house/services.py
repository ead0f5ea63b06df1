"""The house setup (`/manage/`): services and selectors for accounts, teams, organisations and
the service directory, for the administrator role.

Every write goes through here and leaves an access-log entry with a dotted code
("manage.user.created", "manage.team.changed" …) naming fields, roles and teams, never a
password or a code. Changes to accounts (roles, teams, active, password, second factor) are
logged a second time by caseworks.audit.insider's receivers ("user.roles_changed" …), which the data
protection officer filters as "changes to accounts".

An administrator who is not a superuser cannot touch a superuser's account here (setting its
password would hand them the superuser's powers); superusers use the Django admin for that.
"""

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, TypeVar

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group, User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caseworks.access.roles import Role
from caseworks.audit.insider import subject_code
from caseworks.audit.log import log_access, save_audited
from caseworks.fields import blind_index
from caseworks.models import (
    AccessLog,
    AuthenticatorDevice,
    Organisation,
    RecoveryCodeDevice,
    Service,
    SignInThrottle,
    Team,
    UserCode,
)
from caseworks.signin import services as signin
from caseworks.web.concurrency import ConcurrentEdit, versioned_update

_Record = TypeVar("_Record", Organisation, Team, Service)

# --- the access log ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ref:
    """A record without a `code` column as the access log's object (caseworks.audit.log.Logged):
    the same stable code insider uses, so the DPO's "concerning user" filter finds both."""

    _meta: Any
    code: uuid.UUID


def _log(actor: User, action: str, obj: models.Model, label: str, **detail: Any) -> None:
    code = getattr(obj, "code", None) or subject_code(obj)
    log_access(
        user=actor,
        action=action,
        obj=_Ref(obj._meta, code),
        label=label[:60],
        detail=detail,
    )


# --- users ------------------------------------------------------------------------------------


def user_list_for_manage(*, actor: User) -> QuerySet[User]:
    """The accounts an administrator manages: all, superusers only for a superuser."""
    users = get_user_model().objects.all()
    if not actor.is_superuser:
        users = users.filter(is_superuser=False)
    return (
        users.select_related("manage_code")
        .prefetch_related("groups", "teams", "led_teams")
        .order_by("username")
    )


def user_get_for_manage(*, actor: User, code: uuid.UUID) -> User:
    """The account with this code (caseworks.models.UserCode) if the actor manages it, else 404."""
    user = user_list_for_manage(actor=actor).filter(manage_code__code=code).first()
    if user is None:
        raise Http404("No such account for this user")
    return user


def role_groups(roles: Iterable[str]) -> QuerySet[Group]:
    return Group.objects.filter(name__in=[str(r) for r in roles if str(r) in Role.values])


def roles_of_account(user: User) -> list[str]:
    return sorted(g.name for g in user.groups.all() if g.name in Role.values)


def role_labels(user: User) -> list[str]:
    """The account's roles, in words, in the order of Role."""
    names = {g.name for g in user.groups.all()}
    return [str(label) for value, label in Role.choices if value in names]


def _check_not_self_demotion(*, actor: User, user: User, roles: Iterable[str]) -> None:
    """An administrator cannot take away their own administrator role here: the house would
    be left without anyone to set it up (another administrator can)."""
    if actor.pk == user.pk and str(Role.ADMIN) not in {str(r) for r in roles}:
        raise ValidationError(
            {
                "roles": _(
                    "You cannot remove your own administrator role. Ask another administrator."
                )
            }
        )


def _set_teams(
    user: User, *, teams: Iterable[Team], led_teams: Iterable[Team], touched: set[int]
) -> dict[str, Any]:
    """Team memberships and supervisions as given; what changed, by team name. Changed from
    the team's side: simple-history records a team's members, and cannot from the user's."""
    changes: dict[str, Any] = {}
    for accessor, wanted, key in (
        ("members", set(teams), "teams"),
        ("supervisors", set(led_teams), "led_teams"),
    ):
        current = set(Team.objects.filter(**{accessor: user}))
        added, removed = wanted - current, current - wanted
        for team in added:
            getattr(team, accessor).add(user)
        for team in removed:
            getattr(team, accessor).remove(user)
        if added or removed:
            changes[key] = {
                "added": sorted(t.name for t in added),
                "removed": sorted(t.name for t in removed),
            }
            touched.update(t.pk for t in added | removed)
    return changes


def _set_teams_of_account(
    user: User, *, actor: User, teams: Iterable[Team], led_teams: Iterable[Team]
) -> dict[str, Any]:
    touched: set[int] = set()
    changes = _set_teams(user, teams=teams, led_teams=led_teams, touched=touched)
    _bump_team_versions(touched, actor)
    return changes


# --- optimistic locking of an account's form ------------------------------------------------
# auth.User has no version column (and is Django's model, not ours): the form carries the
# account's state as it was loaded instead, a short digest per part, so a save can tell
# whether (and which part of) the account was changed meanwhile by another administrator.

# Lazy: the labels are read in the language of the request that meets the conflict.
ACCOUNT_PARTS = {
    "name": gettext_lazy("name and e-mail"),
    "roles": gettext_lazy("roles"),
    "teams": gettext_lazy("teams"),
    "led_teams": gettext_lazy("supervised teams"),
    "active": gettext_lazy("active"),
}


def _account_parts(user: User) -> dict[str, str]:
    # Read from the database, not from the (possibly prefetched) instance.
    fresh = get_user_model().objects.get(pk=user.pk)
    return {
        "name": "\x1f".join((fresh.first_name, fresh.last_name, fresh.email)),
        "roles": ",".join(
            sorted(fresh.groups.filter(name__in=Role.values).values_list("name", flat=True))
        ),
        "teams": ",".join(
            str(pk)
            for pk in sorted(Team.objects.filter(members=fresh).values_list("pk", flat=True))
        ),
        "led_teams": ",".join(
            str(pk)
            for pk in sorted(Team.objects.filter(supervisors=fresh).values_list("pk", flat=True))
        ),
        "active": str(fresh.is_active),
    }


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:8]


def account_state(user: User) -> str:
    """The account's editable state as the form loads it: "<part digest>.<part digest>…"."""
    return ".".join(_digest(value) for value in _account_parts(user).values())


class AccountChanged(ConcurrentEdit):
    """Another administrator changed the account since the form was loaded. The same shape as
    ConcurrentEdit (caseworks.web.forms.show_conflict says who, when and what), but who and when
    come from the access log: auth.User keeps no history of its own."""

    def __init__(self, *, user: User, state: str, changed_fields: list[str]) -> None:
        # show_conflict reads only `current.version`: the state the form carries from now on.
        self.current = SimpleNamespace(version=state)  # type: ignore[assignment]
        self.changed_fields = changed_fields
        latest = (
            AccessLog.objects.filter(object_code=subject_code(user), user__isnull=False)
            .select_related("user")
            .order_by("-at", "-pk")
            .first()
        )
        self.changed_by = latest.user if latest else None
        self.changed_at = latest.at if latest else None
        Exception.__init__(self, "concurrent edit")


def _check_account_state(user: User, expected_state: str | None) -> None:
    """Raise AccountChanged when the account differs from the state the form was loaded with.
    Call with the account's row locked (select_for_update), inside the transaction."""
    if expected_state is None:
        return
    current = account_state(user)
    if current == expected_state:
        return
    loaded = expected_state.split(".")
    now = current.split(".")
    changed = [
        str(label)
        for index, label in enumerate(ACCOUNT_PARTS.values())
        if index >= len(loaded) or loaded[index] != now[index]
    ]
    raise AccountChanged(user=user, state=current, changed_fields=changed)


def _bump_team_versions(team_ids: Iterable[int], actor: User) -> None:
    """A membership changed from the account's side changes the team: an open team form
    must notice it (a new version each, in the order of their ids, with history)."""
    for team in Team.objects.filter(pk__in=set(team_ids)).order_by("pk"):
        versioned_update(team, actor=actor, expected_version=team.version, data={}, fields=())


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    roles: Iterable[str],
    teams: Iterable[Team] = (),
    led_teams: Iterable[Team] = (),
    password: str,
) -> User:
    roles = [str(r) for r in roles]
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("An account with this user name exists already.")})
    user = get_user_model()(
        username=username, first_name=first_name, last_name=last_name, email=email
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    # The code /manage/ addresses the account by (the post_save receiver makes it too).
    UserCode.objects.get_or_create(user=user)
    user.groups.set(role_groups(roles))
    _set_teams_of_account(user, actor=actor, teams=teams, led_teams=led_teams)
    _log(
        actor,
        "manage.user.created",
        user,
        user.get_username(),
        roles=sorted(roles),
        teams=sorted(t.name for t in teams),
        led_teams=sorted(t.name for t in led_teams),
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    roles: Iterable[str],
    teams: Iterable[Team],
    led_teams: Iterable[Team],
    expected_state: str | None = None,
) -> User:
    """Change an account's name, e-mail, roles and teams. `expected_state` (account_state()
    when the form was loaded): AccountChanged if another administrator saved meanwhile."""
    roles = {str(r) for r in roles}
    _check_not_self_demotion(actor=actor, user=user, roles=roles)
    # Race: two administrators load the account and both save; the row lock makes the second
    # wait for the first to commit and then see a different state.
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    _check_account_state(user, expected_state)
    changed = [
        name
        for name, value in (("first_name", first_name), ("last_name", last_name), ("email", email))
        if getattr(user, name) != value
    ]
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.full_clean()
    user.save()
    before = set(roles_of_account(user))
    if before != roles:
        # Other groups (not roles) the account may have stay as they are.
        kept = user.groups.exclude(name__in=Role.values)
        user.groups.set([*kept, *role_groups(roles)])
    team_changes = _set_teams_of_account(user, actor=actor, teams=teams, led_teams=led_teams)
    detail: dict[str, Any] = {"fields": changed}
    if before != roles:
        detail["roles"] = {"added": sorted(roles - before), "removed": sorted(before - roles)}
    detail.update(team_changes)
    _log(actor, "manage.user.changed", user, user.get_username(), **detail)
    if "roles" in detail:
        # A separate code: the DPO looks for role changes in particular.
        _log(actor, "manage.user.roles_changed", user, user.get_username(), **detail["roles"])
    user.__dict__.pop("_caseworks_roles", None)
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Deactivate (never delete: the history and the access log keep pointing to the
    account) or activate again. A deactivated account cannot sign in; its sessions end."""
    if not active and actor.pk == user.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save()
    _log(
        actor,
        "manage.user.activated" if active else "manage.user.deactivated",
        user,
        user.get_username(),
    )
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> User:
    """A new password set by the administrator (after checking who is asking). Every session
    of the user ends (Django ties a session to the password hash)."""
    user.set_password(password)
    user.save()
    _log(actor, "manage.user.password_set", user, user.get_username())
    return user


@transaction.atomic
def user_issue_enrolment_code(*, actor: User, user: User, remove_second_factor: bool) -> str:
    """A new enrolment code (shown once to the administrator, stored as a hash only). With
    `remove_second_factor`, the user's authenticator and recovery codes are removed first
    (a lost or new phone): they enrol again with the code."""
    removed = False
    if remove_second_factor:
        for model in (AuthenticatorDevice, RecoveryCodeDevice):
            for device in model.objects.filter(user=user):
                device.delete()  # one by one: insider logs each removal
                removed = True
    code = signin.issue_enrolment_code(user, issued_by=actor)
    _log(
        actor,
        "manage.user.enrolment_code_issued",
        user,
        user.get_username(),
        second_factor_removed=removed,
        valid_hours=signin.ENROLMENT_HOURS,
    )
    return code


def has_second_factor(user: User) -> bool:
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()


@dataclass(frozen=True)
class SignInBlock:
    """Why a user may currently be kept from signing in (failed passwords)."""

    locked_out: bool  # django-axes: too many failures from one address
    failures: int  # failed passwords counted by django-axes (all addresses)
    throttled_failures: int  # the per-name throttle (caseworks.signin.handlers.SignInHandler)

    @property
    def any(self) -> bool:
        return self.locked_out or self.failures > 0 or self.throttled_failures > 0


def sign_in_block(user: User) -> SignInBlock:
    username = user.get_username()
    attempts = AccessAttempt.objects.filter(username=username)
    limit = settings.AXES_FAILURE_LIMIT
    throttle = SignInThrottle.objects.filter(
        username_digest=blind_index(username, purpose=signin.USERNAME_PURPOSE)
    ).first()
    return SignInBlock(
        locked_out=attempts.filter(failures_since_start__gte=limit).exists(),
        failures=sum(a.failures_since_start for a in attempts),
        throttled_failures=throttle.failures if throttle else 0,
    )


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> int:
    """Lift the lock-out (django-axes) and the per-name throttle; the number of failed
    attempts forgotten."""
    block = sign_in_block(user)
    axes_reset(username=user.get_username())  # SignInHandler.reset_attempts: the throttle too
    _log(
        actor,
        "manage.user.unlocked",
        user,
        user.get_username(),
        failures=block.failures,
        throttled_failures=block.throttled_failures,
    )
    return block.failures


def user_filter(
    users: QuerySet[User], *, role: str = "", team: Team | None = None, active: str = ""
) -> QuerySet[User]:
    if role:
        users = users.filter(groups__name=role)
    if team is not None:
        users = users.filter(Q(teams=team) | Q(led_teams=team))
    if active == "yes":
        users = users.filter(is_active=True)
    elif active == "no":
        users = users.filter(is_active=False)
    return users.distinct()


# --- organisations ----------------------------------------------------------------------------


def _changed_fields(obj: models.Model, before: dict[str, Any]) -> list[str]:
    return sorted(name for name, value in before.items() if getattr(obj, name) != value)


def _values(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _update(
    obj: _Record,
    *,
    actor: User,
    expected_version: int | None,
    data: dict[str, Any],
    fields: Iterable[str],
) -> tuple[_Record, list[str]]:
    """versioned_update, and the names of the fields it changed (for the access log).
    `expected_version` None (a script, not a form): the version the caller read."""
    fields = tuple(fields)
    before: dict[str, Any] = {}

    def remember(current: _Record) -> None:
        # Called under the row lock, before the save: the database still holds the old row.
        before.update(_values(type(current)._default_manager.get(pk=current.pk), fields))

    current = versioned_update(
        obj,
        actor=actor,
        expected_version=obj.version if expected_version is None else expected_version,
        data=data,
        fields=fields,
        clean=remember,
    )
    return current, _changed_fields(current, before)


ORGANISATION_FIELDS = (
    "name",
    "short_name",
    "protection_law",
    "retention_years",
    "dpo_contact",
    "letter_sender",
    "address",
    "phone",
    "email",
    "website",
    "letter_footer",
    "logo",
    "logo_type",
)


@transaction.atomic
def organisation_save(
    *,
    actor: User,
    organisation: Organisation,
    data: dict[str, Any],
    logo: tuple[str, bytes] | None = None,
    remove_logo: bool = False,
    expected_version: int | None = None,
) -> Organisation:
    """Create (no pk yet) or change an organisation; `logo` (type, bytes) replaces the logo.
    A change compares `expected_version` (ConcurrentEdit when someone saved meanwhile)."""
    # The logo comes as a file (or its removal), never as a form field of its own.
    data = {k: v for k, v in data.items() if k in ORGANISATION_FIELDS[:-2]}
    if logo is not None:
        data["logo_type"], data["logo"] = logo
    elif remove_logo:
        data["logo_type"], data["logo"] = "", b""
    if organisation.pk is None:
        for name, value in data.items():
            setattr(organisation, name, value)
        save_audited(organisation, actor)
        _log(actor, "manage.organisation.created", organisation, organisation.name)
        return organisation
    organisation, fields = _update(
        organisation,
        actor=actor,
        expected_version=expected_version,
        data=data,
        fields=ORGANISATION_FIELDS,
    )
    if "logo_type" in fields:
        fields.remove("logo_type")
        if "logo" not in fields:
            fields.append("logo")
    if fields:
        _log(actor, "manage.organisation.changed", organisation, organisation.name, fields=fields)
    return organisation


def organisation_get(*, code: uuid.UUID) -> Organisation:
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        raise Http404("No such organisation")
    return organisation


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.annotate(team_count=Count("teams")).order_by("name")


# --- teams ------------------------------------------------------------------------------------


def team_list() -> QuerySet[Team]:
    return (
        Team.objects.select_related("organisation")
        .annotate(
            member_count=Count("members", distinct=True),
            supervisor_count=Count("supervisors", distinct=True),
        )
        .order_by("organisation__name", "name")
    )


def team_get(*, code: uuid.UUID) -> Team:
    team = Team.objects.select_related("organisation").filter(code=code).first()
    if team is None:
        raise Http404("No such team")
    return team


def _names(users: Iterable[AbstractUser]) -> list[str]:
    return sorted(u.get_username() for u in users)


@transaction.atomic
def team_save(
    *,
    actor: User,
    team: Team,
    organisation: Organisation,
    name: str,
    supervisors: Iterable[User],
    members: Iterable[User],
    expected_version: int | None = None,
) -> Team:
    """Create or change a team with its supervisors and members (office staff are members:
    the print queue shows them their teams' letters). Each membership change is logged for
    the user concerned by caseworks.audit.insider as well. A change compares `expected_version`."""
    created = team.pk is None
    detail: dict[str, Any] = {}
    if created:
        team.organisation, team.name = organisation, name
        save_audited(team, actor)
    else:
        team, detail["fields"] = _update(
            team,
            actor=actor,
            expected_version=expected_version,
            data={"organisation": organisation, "name": name},
            fields=("organisation", "name"),
        )
    for relation, wanted, key in (
        (team.supervisors, set(supervisors), "supervisors"),
        (team.members, set(members), "members"),
    ):
        current = set(relation.all())
        added, removed = wanted - current, current - wanted
        if added:
            relation.add(*added)
        if removed:
            relation.remove(*removed)
        if added or removed:
            detail[key] = {"added": _names(added), "removed": _names(removed)}
    _log(
        actor,
        "manage.team.created" if created else "manage.team.changed",
        team,
        team.name,
        **detail,
    )
    return team


# --- the service directory --------------------------------------------------------------------

SERVICE_FIELDS = ("name", "kind", "category", "address", "phone", "email", "languages", "notes")


def service_list() -> QuerySet[Service]:
    return Service.objects.order_by("-is_active", "kind", "name")


def service_get(*, code: uuid.UUID) -> Service:
    service = Service.objects.filter(code=code).first()
    if service is None:
        raise Http404("No such service")
    return service


@transaction.atomic
def service_save(
    *, actor: User, service: Service, data: dict[str, Any], expected_version: int | None = None
) -> Service:
    if service.pk is None:
        for name in SERVICE_FIELDS:
            if name in data:
                setattr(service, name, data[name])
        save_audited(service, actor)
        _log(actor, "manage.service.created", service, service.name)
        return service
    service, fields = _update(
        service, actor=actor, expected_version=expected_version, data=data, fields=SERVICE_FIELDS
    )
    if fields:
        _log(actor, "manage.service.changed", service, service.name, fields=fields)
    return service


@transaction.atomic
def service_set_active(*, actor: User, service: Service, active: bool) -> Service:
    """Deactivate (no longer offered for new accompaniments and referrals; what refers to it
    stays) or activate again. A new version: a form loaded before is refused."""
    current = Service.objects.select_for_update().get(pk=service.pk)
    if current.is_active == active:
        return current
    current = versioned_update(
        current,
        actor=actor,
        expected_version=current.version,
        data={"is_active": active},
        fields=("is_active",),
    )
    action = "manage.service.activated" if active else "manage.service.deactivated"
    _log(actor, action, current, current.name)
    return current
