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
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from caseworks.access.roles import Role
from caseworks.audit.insider import subject_code
from caseworks.audit.log import log_access, save_audited
from caseworks.fields import blind_index
from caseworks.models import (
    AccessLog,
    AccountRequest,
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


# --- separation of duties ---------------------------------------------------------------------
# DESIGN.md "Roles and access": nobody changes their own roles, teams, led teams, e-mail, second
# factor, password or active flag here; a change that a second person must approve becomes an
# AccountRequest (nothing changes until then); the administrator never sets or sees a password
# or a sign-in code (it goes to the person's address on file).

# Roles that read client data (case files, letters, accompaniments) and administrative roles
# (this setup; the DPO is Organisation.data_protection_officers, caseworks.access.dpo).
FILE_ROLES = frozenset(
    str(r) for r in (Role.CASEWORKER, Role.SUPERVISOR, Role.OFFICE, Role.VOLUNTEER)
)
ADMIN_ROLES = frozenset({str(Role.ADMIN)})

# The parts of an account a change names (access log, mails), in words.
PART_LABELS = {
    "name": gettext_lazy("name"),
    "email": gettext_lazy("e-mail"),
    "roles": gettext_lazy("roles"),
    "teams": gettext_lazy("teams"),
    "led_teams": gettext_lazy("supervised teams"),
    "active": gettext_lazy("active"),
    "second_factor": gettext_lazy("second factor"),
    "password": gettext_lazy("password"),
    "dpo": gettext_lazy("data protection officer"),
}
SELF_PARTS = frozenset(PART_LABELS) - {"name"}


def _parts_text(parts: Iterable[str]) -> str:
    return ", ".join(str(PART_LABELS[p]) for p in PART_LABELS if p in set(parts))


def dpo_organisations(user: User) -> QuerySet[Organisation]:
    """The carriers whose data protection officer the account is (active or not)."""
    return Organisation.objects.filter(data_protection_officers=user).order_by("pk")


def _tell(user: User, subject: str, body: str) -> None:
    """A mail to the person concerned, after the commit: what changed in words, who did it,
    never a role's meaning, a case or a secret other than their own sign-in code."""
    address = user.email
    if not address:
        return
    transaction.on_commit(lambda: send_mail(subject, body, None, [address]))


def _tell_changed(user: User, *, actor: User, parts: Iterable[str], state: str) -> None:
    with override(settings.LANGUAGE_CODE):
        facts = {"parts": _parts_text(parts), "actor": actor.get_username()}
        subjects = {
            "done": _("Caseworks: your account was changed"),
            "requested": _("Caseworks: a change to your account was requested"),
            "declined": _("Caseworks: a requested change to your account was declined"),
            "refused": _("Caseworks: a change to your account was refused"),
        }
        bodies = {
            "done": _("Your Caseworks account was changed (%(parts)s) by %(actor)s."),
            "requested": _(
                "%(actor)s asked to change your Caseworks account (%(parts)s). It takes effect "
                "only when a second person approves it."
            ),
            "declined": _(
                "The requested change to your Caseworks account (%(parts)s) was declined by "
                "%(actor)s. Nothing was changed."
            ),
            "refused": _(
                "%(actor)s tried to change your Caseworks account (%(parts)s). This needs "
                "another person; nothing was changed."
            ),
        }
        body = (
            bodies[state] % facts
            + "\n\n"
            + _("If you did not expect this, tell your data protection officer.")
        )
        _tell(user, subjects[state], body)


class SelfChange(ValidationError):
    """A change to one's own account that needs another person."""


def refuse_self_change(*, actor: User, user: User, parts: Iterable[str]) -> None:
    """Refuse (and log) a change of the actor's own roles, teams, e-mail, second factor,
    password, active flag or DPO assignment. Forms call it in clean(), outside the saving
    transaction, so the refusal stays in the access log; the services call it again."""
    asked = sorted(set(parts) & SELF_PARTS)
    if actor.pk != user.pk or not asked:
        return
    _log(actor, "manage.user.self_change_refused", user, user.get_username(), parts=asked)
    raise SelfChange(
        _(
            "Nobody can change their own %(parts)s here: ask another administrator. "
            "Nothing was saved."
        )
        % {"parts": _parts_text(asked)},
        code="self_change",
    )


def _wanted_change(
    user: User,
    *,
    first_name: str,
    last_name: str,
    email: str,
    roles: set[str],
    teams: set[int],
    led_teams: set[int],
) -> dict[str, Any]:
    """What differs from the account now: part -> (added, removed) or True."""
    parts: dict[str, Any] = {}
    if (user.first_name, user.last_name) != (first_name, last_name):
        parts["name"] = True
    if user.email != email:
        parts["email"] = True
    # Compared as text: role names and team ids alike.
    for key, before, after in (
        ("roles", set(roles_of_account(user)), roles),
        ("teams", set(Team.objects.filter(members=user).values_list("pk", flat=True)), teams),
        (
            "led_teams",
            set(Team.objects.filter(supervisors=user).values_list("pk", flat=True)),
            led_teams,
        ),
    ):
        now, wanted = {str(v) for v in before}, {str(v) for v in after}
        if now != wanted:
            parts[key] = (sorted(wanted - now), sorted(now - wanted))
    return parts


def _approver_for(
    user: User, *, roles_after: set[str], parts: dict[str, Any], creating: bool = False
) -> tuple[str, Organisation | None] | None:
    """Who must approve this change first, or None. A DPO account: its carrier's (other)
    DPO. A new account and a new e-mail address (where sign-in codes go): another
    administrator. An account that would hold an administrative role (admin, DPO) and a role
    that reads client files, when the change adds a role or a team: another administrator."""
    carrier = dpo_organisations(user).first() if user.pk else None
    if carrier is not None and set(parts) - {"name"}:
        return _dpo_approver(user)
    if creating or "email" in parts:
        return AccountRequest.Approver.ADMIN, None
    administrative = bool(roles_after & ADMIN_ROLES) or carrier is not None
    adds = any(p in parts and parts[p][0] for p in ("roles", "teams", "led_teams"))
    if administrative and roles_after & FILE_ROLES and adds:
        return AccountRequest.Approver.ADMIN, None
    return None


def _dpo_approver(user: User) -> tuple[str, Organisation | None]:
    """Who approves a change to a DPO's account: a carrier's other DPO, or another
    administrator when the account is its carriers' only DPO."""
    for carrier in dpo_organisations(user):
        if carrier.data_protection_officers.exclude(pk=user.pk).exists():
            return AccountRequest.Approver.DPO, carrier
    return AccountRequest.Approver.ADMIN, None


def _request(
    *,
    actor: User,
    user: User,
    kind: str,
    parts: Iterable[str],
    change: dict[str, Any],
    approver: tuple[str, Organisation | None],
) -> AccountRequest:
    """A pending request: logged, the person told; nothing else changes."""
    parts = sorted(set(parts))
    request = AccountRequest.objects.create(
        user=user,
        requested_by=actor,
        kind=kind,
        parts=parts,
        change=change,
        approver=approver[0],
        organisation=approver[1],
    )
    _log(
        actor,
        "manage.user.change_requested",
        user,
        user.get_username(),
        request=str(request.code),
        kind=kind,
        parts=parts,
        approver=approver[0],
        **_change_names(change),
    )
    _tell_changed(user, actor=actor, parts=parts, state="requested")
    _tell_approvers(request)
    return request


def approvers_of(request: AccountRequest) -> QuerySet[User]:
    """The active accounts who may decide `request` (request_list_for's rule, from the other
    side): the administrators, or the carrier's DPOs; never who asked, nor the account."""
    if request.approver == AccountRequest.Approver.DPO:
        may = Q(dpo_of=request.organisation_id) if request.organisation_id else Q(pk__in=[])
    else:
        may = Q(groups__name=str(Role.ADMIN))
    return (
        get_user_model()
        .objects.filter(may, is_active=True)
        .exclude(pk__in=[request.user_id, request.requested_by_id])
        .distinct()
    )


def _tell_approvers(request: AccountRequest) -> None:
    """A mail to each person who may approve: that a request waits and where, who asked;
    no address, role or team (the page shows them after sign-in)."""
    with override(settings.LANGUAGE_CODE):
        subject = _("Caseworks: a change to an account waits for your approval")
        body = _(
            "%(actor)s asked for a change to the account %(account)s (%(parts)s). It takes "
            "effect only when a second person approves it: Setup → Requests to approve."
        ) % {
            "actor": request.requested_by.get_username(),
            "account": request.user.get_username(),
            "parts": _parts_text(request.parts),
        }
    for approver in approvers_of(request):
        _tell(approver, subject, body)


def _change_names(change: dict[str, Any]) -> dict[str, Any]:
    """A request's change for the access log: roles and team names, never an address."""
    names: dict[str, Any] = {}
    if "roles" in change:
        names["roles"] = sorted(change["roles"])
    for key in ("teams", "led_teams"):
        if key in change:
            names[key] = sorted(
                Team.objects.filter(pk__in=change[key]).values_list("name", flat=True)
            )
    if "organisation" in change:
        names["organisation"] = Organisation.objects.get(pk=change["organisation"]).name
    return names


# --- users ------------------------------------------------------------------------------------


def _new_account(*, username: str, first_name: str, last_name: str, email: str) -> User:
    """An account without a password, roles or teams (the person sets the password with the
    enrolment code mailed to `email`)."""
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("An account with this user name exists already.")})
    if not email:
        raise ValidationError(
            {"email": _("A new account needs an e-mail address: the sign-in code goes there.")}
        )
    user = get_user_model()(
        username=username, first_name=first_name, last_name=last_name, email=email
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    # The code /manage/ addresses the account by (the post_save receiver makes it too).
    UserCode.objects.get_or_create(user=user)
    return user


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str,
    roles: Iterable[str],
    teams: Iterable[Team] = (),
    led_teams: Iterable[Team] = (),
) -> User:
    """A new account without a password, roles or teams: those (and the sign-in code mailed to
    the person, with which they set their own password and second factor) come when another
    administrator approves the request this makes."""
    roles = sorted({str(r) for r in roles})
    user = _new_account(username=username, first_name=first_name, last_name=last_name, email=email)
    _log(actor, "manage.user.created", user, user.get_username(), roles=[], teams=[], led_teams=[])
    _request(
        actor=actor,
        user=user,
        kind=AccountRequest.Kind.CREATE,
        parts=["roles", "teams", "led_teams", "email"],
        change={
            "roles": roles,
            "teams": sorted(t.pk for t in teams),
            "led_teams": sorted(t.pk for t in led_teams),
        },
        approver=(AccountRequest.Approver.ADMIN, None),
    )
    return user


@transaction.atomic
def volunteer_account_create(
    *, actor: User, username: str, first_name: str, last_name: str, email: str, reset_url: str
) -> User:
    """The volunteer coordination registers a new volunteer (DESIGN.md "Roles and access"):
    an account with the volunteer role and nothing else — no team, no case permission, no
    other role —, made at once like an approved CREATE request (_apply_request). The role
    alone reads nothing: a volunteer sees an accompaniment or a household only when the
    coordination offers it to a registered volunteer whose onboarding is complete. The
    enrolment code goes to the person's address only, never to the coordinator, who could
    otherwise sign in as the volunteer."""
    if str(Role.COORDINATOR) not in roles_of_account(actor):
        raise ValidationError(_("Only the volunteer coordination creates volunteer accounts."))
    user = _new_account(username=username, first_name=first_name, last_name=last_name, email=email)
    roles = [str(Role.VOLUNTEER)]
    _log(
        actor, "manage.user.created", user, user.get_username(), roles=roles, teams=[], led_teams=[]
    )
    wanted = {**_account_wanted(user), "roles": roles}
    _apply_update(actor=actor, user=user, wanted=wanted, parts=changed_parts(user, wanted))
    _send_code(actor=actor, user=user, reset_url=reset_url)
    return user


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
) -> AccountRequest | User:
    """Change an account's name, e-mail, roles and teams, or (DESIGN.md "Roles and access")
    request the change from a second person: the AccountRequest is returned then, and nothing
    changed. `expected_state` (account_state() when the form was loaded): AccountChanged if
    another administrator saved meanwhile."""
    wanted: dict[str, Any] = {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "roles": sorted({str(r) for r in roles}),
        "teams": sorted({t.pk for t in teams}),
        "led_teams": sorted({t.pk for t in led_teams}),
    }
    with transaction.atomic():
        # Race: two administrators load the account and both save; the row lock makes the
        # second wait for the first to commit and then see a different state.
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        _check_account_state(user, expected_state)
        parts = changed_parts(user, wanted)
        refuse_self_change(actor=actor, user=user, parts=parts)
        request = _request_if_approval_needed(actor=actor, user=user, wanted=wanted, parts=parts)
        if request is not None:
            return request
        return _apply_update(actor=actor, user=user, wanted=wanted, parts=parts)


def _request_if_approval_needed(
    *, actor: User, user: User, wanted: dict[str, Any], parts: dict[str, Any]
) -> AccountRequest | None:
    """The one way a change to an account's roles, teams or e-mail meets the second-person
    rule (_approver_for), from the account form and the team form alike: a pending request
    (nothing changes until it is approved, then _apply_update makes it) or None when the
    change may be made at once. `wanted`: the account's whole state as user_update takes it."""
    approver = _approver_for(user, roles_after=set(wanted["roles"]), parts=parts)
    if approver is None:
        return None
    return _request(
        actor=actor,
        user=user,
        kind=AccountRequest.Kind.UPDATE,
        parts=parts,
        change={**wanted, "state": account_state(user)},
        approver=approver,
    )


def _account_wanted(user: User) -> dict[str, Any]:
    """The account's state now, in the shape user_update wants it (to change one part)."""
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "roles": roles_of_account(user),
        "teams": sorted(Team.objects.filter(members=user).values_list("pk", flat=True)),
        "led_teams": sorted(Team.objects.filter(supervisors=user).values_list("pk", flat=True)),
    }


def changed_parts(user: User, wanted: dict[str, Any]) -> dict[str, Any]:
    return _wanted_change(
        user,
        first_name=wanted["first_name"],
        last_name=wanted["last_name"],
        email=wanted["email"],
        roles=set(wanted["roles"]),
        teams=set(wanted["teams"]),
        led_teams=set(wanted["led_teams"]),
    )


def _apply_update(
    *, actor: User, user: User, wanted: dict[str, Any], parts: dict[str, Any], **approval: Any
) -> User:
    """Save the wanted state (user_update, or an approved request: `approval` names it)."""
    changed = [
        name for name in ("first_name", "last_name", "email") if getattr(user, name) != wanted[name]
    ]
    user.first_name, user.last_name, user.email = (
        wanted["first_name"],
        wanted["last_name"],
        wanted["email"],
    )
    user.full_clean()
    user.save()
    before = set(roles_of_account(user))
    roles = set(wanted["roles"])
    if before != roles:
        # Other groups (not roles) the account may have stay as they are.
        kept = user.groups.exclude(name__in=Role.values)
        user.groups.set([*kept, *role_groups(roles)])
    team_changes = _set_teams_of_account(
        user,
        actor=actor,
        teams=Team.objects.filter(pk__in=wanted["teams"]),
        led_teams=Team.objects.filter(pk__in=wanted["led_teams"]),
    )
    detail: dict[str, Any] = {"fields": changed, **approval}
    if before != roles:
        detail["roles"] = {"added": sorted(roles - before), "removed": sorted(before - roles)}
    detail.update(team_changes)
    _log(actor, "manage.user.changed", user, user.get_username(), **detail)
    if "roles" in detail:
        # A row of its own: the DPO looks for role changes in particular.
        _log(
            actor,
            "manage.user.roles_changed",
            user,
            user.get_username(),
            **detail["roles"],
            **approval,
        )
    user.__dict__.pop("_caseworks_roles", None)
    if set(parts) - {"name"}:
        _tell_changed(user, actor=actor, parts=parts, state="done")
    return user


def user_set_active(*, actor: User, user: User, active: bool) -> AccountRequest | User:
    """Deactivate (never delete: the history and the access log keep pointing to the
    account) or activate again. A deactivated account cannot sign in; its sessions end.
    A DPO account's carrier DPO approves it first."""
    refuse_self_change(actor=actor, user=user, parts=["active"])
    if user.is_active == active:
        return user
    if dpo_organisations(user).exists():
        return _request(
            actor=actor,
            user=user,
            kind=AccountRequest.Kind.ACTIVATE if active else AccountRequest.Kind.DEACTIVATE,
            parts=["active"],
            change={"active": active},
            approver=_dpo_approver(user),
        )
    return _apply_active(actor=actor, user=user, active=active)


@transaction.atomic
def _apply_active(*, actor: User, user: User, active: bool, **approval: Any) -> User:
    user.is_active = active
    user.save()
    _log(
        actor,
        "manage.user.activated" if active else "manage.user.deactivated",
        user,
        user.get_username(),
        **approval,
    )
    _tell_changed(user, actor=actor, parts=["active"], state="done")
    return user


def _remove_second_factor(user: User) -> bool:
    removed = False
    for model in (AuthenticatorDevice, RecoveryCodeDevice):
        for device in model.objects.filter(user=user):
            device.delete()  # one by one: insider logs each removal
            removed = True
    return removed


def _send_code(*, actor: User, user: User, reset_url: str) -> None:
    """A new one-time sign-in code (caseworks.signin's enrolment code), mailed to the person
    only: with it they set their own password and a new second factor at `reset_url`."""
    code = signin.issue_enrolment_code(user, issued_by=actor)
    with override(settings.LANGUAGE_CODE):
        _tell(
            user,
            _("Caseworks: your sign-in code"),
            _(
                "Your user name: %(username)s\nYour one-time code: %(code)s\n\n"
                "With it, set your own password and set up the authenticator app again at "
                "%(url)s . The code is valid for %(hours)d hours and once. Nobody else knows "
                "it: do not pass it on. If you did not ask for it, tell your data protection "
                "officer."
            )
            % {
                "username": user.get_username(),
                "code": code,
                "url": reset_url,
                "hours": signin.ENROLMENT_HOURS,
            },
        )


def _needs_address(user: User) -> None:
    if not user.email:
        raise ValidationError(
            _(
                "This account has no e-mail address for the sign-in code. Enter one first "
                "(another administrator approves it)."
            )
        )


def user_reset_access(*, actor: User, user: User, reset_url: str) -> AccountRequest | User:
    """The person's password stops working and their second factor is removed; a one-time
    code goes to their address, with which they set a new password and second factor
    themselves. The administrator never sees either. A DPO account: its carrier's DPO
    approves first."""
    refuse_self_change(actor=actor, user=user, parts=["password", "second_factor"])
    _needs_address(user)
    if dpo_organisations(user).exists():
        return _request(
            actor=actor,
            user=user,
            kind=AccountRequest.Kind.RESET,
            parts=["password", "second_factor"],
            change={},
            approver=_dpo_approver(user),
        )
    return _apply_reset(actor=actor, user=user, reset_url=reset_url)


@transaction.atomic
def _apply_reset(*, actor: User, user: User, reset_url: str, **approval: Any) -> User:
    user.set_unusable_password()  # every session ends (tied to the password hash)
    user.save()
    removed = _remove_second_factor(user)
    _send_code(actor=actor, user=user, reset_url=reset_url)
    _log(
        actor,
        "manage.user.access_reset",
        user,
        user.get_username(),
        second_factor_removed=removed,
        valid_hours=signin.ENROLMENT_HOURS,
        **approval,
    )
    _tell_changed(user, actor=actor, parts=["password", "second_factor"], state="done")
    return user


def user_issue_enrolment_code(
    *, actor: User, user: User, remove_second_factor: bool, reset_url: str
) -> None:
    """A new enrolment code, mailed to the person (never shown here). With
    `remove_second_factor` their authenticator and recovery codes are removed first (a lost or
    new phone). Not for one's own account; for a DPO account, only without removing."""
    refuse_self_change(actor=actor, user=user, parts=["second_factor"])
    _needs_address(user)
    if request_pending_about(user).exists():
        # The code would go to an address, or serve roles, that nobody has approved yet.
        raise ValidationError(
            _("A change to this account waits for approval: the code is sent once it is decided.")
        )
    if remove_second_factor and dpo_organisations(user).exists():
        raise ValidationError(
            _("A data protection officer's second factor is reset with “Reset access”.")
        )
    with transaction.atomic():
        removed = _remove_second_factor(user) if remove_second_factor else False
        _send_code(actor=actor, user=user, reset_url=reset_url)
        _log(
            actor,
            "manage.user.enrolment_code_issued",
            user,
            user.get_username(),
            second_factor_removed=removed,
            valid_hours=signin.ENROLMENT_HOURS,
        )
        _tell_changed(user, actor=actor, parts=["second_factor"], state="done")


# --- requests: the second person --------------------------------------------------------------


def request_list_for(*, actor: User) -> QuerySet[AccountRequest]:
    """The pending requests the actor may decide (never their own, nor about themselves)."""
    pending = AccountRequest.objects.filter(state=AccountRequest.State.PENDING).exclude(
        Q(requested_by=actor) | Q(user=actor)
    )
    allowed = Q(pk__in=[])
    if actor.is_active and is_admin(actor):
        allowed |= Q(approver=AccountRequest.Approver.ADMIN)
    allowed |= Q(
        approver=AccountRequest.Approver.DPO,
        organisation__in=dpo_organisations(actor).values("pk") if actor.is_active else [],
    )
    return pending.filter(allowed).select_related("user", "requested_by", "organisation")


def is_admin(user: User) -> bool:
    return str(Role.ADMIN) in roles_of_account(user)


def request_names(request: AccountRequest) -> dict[str, Any]:
    """A request's change in words for its page: roles, teams by name, e-mail, organisation."""
    names = _change_names(request.change)
    if "roles" in names:
        labels = dict(Role.choices)
        names["roles"] = [str(labels.get(r, r)) for r in names["roles"]]
    for key in ("first_name", "last_name", "email", "active", "add"):
        if key in request.change:
            names[key] = request.change[key]
    names["parts"] = _parts_text(request.parts)
    return names


def request_pending_about(user: User) -> QuerySet[AccountRequest]:
    return AccountRequest.objects.filter(user=user, state=AccountRequest.State.PENDING)


def request_get_to_decide(*, actor: User, code: uuid.UUID) -> AccountRequest:
    request = request_list_for(actor=actor).filter(code=code).first()
    if request is None:
        raise Http404("No such request for this user")
    return request


def request_decide(
    *, actor: User, request: AccountRequest, approve: bool, reset_url: str
) -> AccountRequest:
    """Approve (the change is made now, in the approver's name, naming who asked) or decline.
    Only a second person: not who asked, not the account concerned (request_list_for)."""
    with transaction.atomic():
        request = request_list_for(actor=actor).select_for_update(of=("self",)).get(pk=request.pk)
        user = get_user_model().objects.select_for_update().get(pk=request.user_id)
        request.decided_by, request.decided_at = actor, timezone.now()
        request.state = AccountRequest.State.APPROVED if approve else AccountRequest.State.DECLINED
        request.save()
        approval = {
            "request": str(request.code),
            "requested_by": request.requested_by.get_username(),
            "approved_by": actor.get_username(),
        }
        _log(
            actor,
            "manage.user.change_approved" if approve else "manage.user.change_declined",
            user,
            user.get_username(),
            kind=request.kind,
            parts=request.parts,
            **approval,
        )
        if not approve:
            _tell_changed(user, actor=actor, parts=request.parts, state="declined")
            return request
        _apply_request(request, user=user, actor=actor, approval=approval, reset_url=reset_url)
    return request


def _apply_request(
    request: AccountRequest, *, user: User, actor: User, approval: dict[str, Any], reset_url: str
) -> None:
    change, kind = request.change, request.kind
    if kind == AccountRequest.Kind.UPDATE:
        if account_state(user) != change["state"]:
            raise ValidationError(
                _("The account was changed after the request was made: ask for the change again.")
            )
        wanted = {k: v for k, v in change.items() if k != "state"}
        _apply_update(
            actor=actor, user=user, wanted=wanted, parts=changed_parts(user, wanted), **approval
        )
    elif kind == AccountRequest.Kind.CREATE:
        wanted = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            **change,
        }
        _apply_update(
            actor=actor, user=user, wanted=wanted, parts=changed_parts(user, wanted), **approval
        )
        _send_code(actor=actor, user=user, reset_url=reset_url)
    elif kind in (AccountRequest.Kind.ACTIVATE, AccountRequest.Kind.DEACTIVATE):
        _apply_active(actor=actor, user=user, active=change["active"], **approval)
    elif kind == AccountRequest.Kind.RESET:
        _apply_reset(actor=actor, user=user, reset_url=reset_url, **approval)
    elif kind == AccountRequest.Kind.DPO:
        _apply_dpo(actor=actor, user=user, change=change, approval=approval)


def _apply_dpo(
    *, actor: User, user: User, change: dict[str, Any], approval: dict[str, Any]
) -> None:
    organisation = Organisation.objects.get(pk=change["organisation"])
    if change["add"]:
        organisation.data_protection_officers.add(user)
    else:
        organisation.data_protection_officers.remove(user)
    _log(
        actor,
        "manage.organisation.dpo_added" if change["add"] else "manage.organisation.dpo_removed",
        organisation,
        organisation.name,
        account=user.get_username(),
        **approval,
    )
    # The DPO assignment is an administrative role: a row of its own for the account.
    _log(
        actor,
        "manage.user.roles_changed",
        user,
        user.get_username(),
        added=["dpo"] if change["add"] else [],
        removed=[] if change["add"] else ["dpo"],
        organisation=organisation.name,
        **approval,
    )
    _tell_changed(user, actor=actor, parts=["dpo"], state="done")


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
    "supervisory_authority",
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
    dpos: Iterable[User] | None = None,
) -> Organisation:
    """Create (no pk yet) or change an organisation; `logo` (type, bytes) replaces the logo.
    A change compares `expected_version` (ConcurrentEdit when someone saved meanwhile).
    `dpos`: the carrier's data protection officers as wanted; each account added or removed
    becomes a request (dpo_self_parts, _request_dpo_changes), never a change at once."""
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
        _request_dpo_changes(actor=actor, organisation=organisation, wanted=dpos)
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
    _request_dpo_changes(actor=actor, organisation=organisation, wanted=dpos)
    return organisation


def dpo_self_parts(
    *, actor: User, organisation: Organisation, wanted: Iterable[User] | None
) -> list[str]:
    """["dpo"] when the change would make the actor a DPO of the carrier or end it."""
    if wanted is None:
        return []
    now = organisation.pk is not None and (
        organisation.data_protection_officers.filter(pk=actor.pk).exists()
    )
    return ["dpo"] if now != any(u.pk == actor.pk for u in wanted) else []


def _request_dpo_changes(
    *, actor: User, organisation: Organisation, wanted: Iterable[User] | None
) -> list[AccountRequest]:
    """The DPO assignment is an administrative role: each account added or removed is a
    request, approved by the carrier's (other) DPO, or by another administrator while the
    carrier has none. Nobody assigns or unassigns themselves."""
    if wanted is None:
        return []
    refuse_self_change(
        actor=actor,
        user=actor,
        parts=dpo_self_parts(actor=actor, organisation=organisation, wanted=wanted),
    )
    wanted_set = set(wanted)
    current = set(organisation.data_protection_officers.all())
    pending = {
        (r.user_id, r.change.get("add"))
        for r in AccountRequest.objects.filter(
            kind=AccountRequest.Kind.DPO,
            state=AccountRequest.State.PENDING,
            change__organisation=organisation.pk,
        )
    }
    made = []
    for user, add in [(u, True) for u in wanted_set - current] + [
        (u, False) for u in current - wanted_set
    ]:
        if (user.pk, add) in pending:
            continue
        has_dpo = organisation.data_protection_officers.exclude(pk=user.pk).exists()
        made.append(
            _request(
                actor=actor,
                user=user,
                kind=AccountRequest.Kind.DPO,
                parts=["dpo"],
                change={"organisation": organisation.pk, "add": add},
                approver=(AccountRequest.Approver.DPO, organisation)
                if has_dpo
                else (AccountRequest.Approver.ADMIN, None),
            )
        )
    return made


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


def team_self_parts(
    *, actor: User, team: Team, supervisors: Iterable[User], members: Iterable[User]
) -> list[str]:
    """The actor's own membership or supervision this team change would add or remove
    (a team edit can grant case access as much as an account edit)."""
    parts = []
    for relation, wanted, part in (
        ("supervisors", supervisors, "led_teams"),
        ("members", members, "teams"),
    ):
        now = team.pk is not None and getattr(team, relation).filter(pk=actor.pk).exists()
        if now != any(u.pk == actor.pk for u in wanted):
            parts.append(part)
    return parts


def _names(users: Iterable[AbstractUser]) -> list[str]:
    return sorted(u.get_username() for u in users)


class CarrierChange(ValidationError):
    """A team with cases cannot move to another carrier (organisation)."""


def _team_organisation_now(team: Team) -> int | None:
    # From the database: a ModelForm has already set the wanted one on the instance.
    if team.pk is None:
        return None
    return Team.objects.filter(pk=team.pk).values_list("organisation_id", flat=True).first()


def refuse_carrier_change(*, actor: User, team: Team, organisation: Organisation | None) -> None:
    """Refuse (and log) moving a team that has cases, open or closed, to another organisation:
    every case with its history would change its controller at once, without the persons'
    consent and without a record of the transfer (cases.services.transfers is the way across
    carriers, case by case). A team without cases may move. Forms call it in clean(),
    outside the saving transaction, so the refusal stays in the access log; team_save again."""
    now = _team_organisation_now(team)
    if now is None or organisation is None or organisation.pk == now:
        return
    # Case.team (the cases app, related_name "cases"): caseworks imports no app.
    if not team.cases.exists():
        return
    current = Organisation.objects.get(pk=now)
    _log(
        actor,
        "manage.team.carrier_change_refused",
        team,
        team.name,
        organisation=current.name,
        wanted=organisation.name,
    )
    raise CarrierChange(
        {
            "organisation": _(
                "This team has cases: it stays with %(organisation)s. Moving it would hand "
                "every case, with its history, to another carrier without the persons' "
                "consent. Hand cases over one by one, or create a new team. Nothing was saved."
            )
            % {"organisation": current.name}
        },
        code="carrier_change",
    )


@dataclass(frozen=True)
class TeamSaved:
    """What team_save did: the team, and the account changes that wait for approval."""

    team: Team
    requests: list[AccountRequest]


def _request_team_changes(
    *, actor: User, team: Team, changes: dict[str, tuple[set[User], set[User]]]
) -> dict[int, AccountRequest]:
    """The memberships this team edit adds or removes, account by account, that the
    second-person rule (_approver_for: a DPO account's teams; an account with an
    administrative and a file-reading role gaining a team) flags: a request each, through
    user_update's own _request_if_approval_needed; the accounts' pk -> request."""
    # "members" -> the account's "teams", "supervisors" -> its "led_teams".
    part_of = {"members": "teams", "supervisors": "led_teams"}
    accounts = {u.pk for added, removed in changes.values() for u in added | removed}
    requests: dict[int, AccountRequest] = {}
    for user in get_user_model().objects.select_for_update().filter(pk__in=accounts):
        wanted = _account_wanted(user)
        for relation, (added, removed) in changes.items():
            teams = set(wanted[part_of[relation]])
            if user in added:
                teams.add(team.pk)
            if user in removed:
                teams.discard(team.pk)
            wanted[part_of[relation]] = sorted(teams)
        request = _request_if_approval_needed(
            actor=actor, user=user, wanted=wanted, parts=changed_parts(user, wanted)
        )
        if request is not None:
            requests[user.pk] = request
    return requests


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
) -> TeamSaved:
    """Create or change a team with its supervisors and members (office staff are members:
    the print queue shows them their teams' letters). Each membership change is logged for
    the user concerned by caseworks.audit.insider as well. A change compares `expected_version`.
    A team with cases keeps its organisation (refuse_carrier_change). A membership change the
    second-person rule flags becomes a request (nothing changes for that account until it is
    approved); the others are made at once."""
    created = team.pk is None
    refuse_self_change(
        actor=actor,
        user=actor,
        parts=team_self_parts(actor=actor, team=team, supervisors=supervisors, members=members),
    )
    refuse_carrier_change(actor=actor, team=team, organisation=organisation)
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
    changes: dict[str, tuple[set[User], set[User]]] = {}
    for key, wanted in (("supervisors", set(supervisors)), ("members", set(members))):
        current = set(getattr(team, key).all())
        changes[key] = (wanted - current, current - wanted)
    requests = _request_team_changes(actor=actor, team=team, changes=changes)
    for key, (added, removed) in changes.items():
        relation = getattr(team, key)
        added = {u for u in added if u.pk not in requests}
        removed = {u for u in removed if u.pk not in requests}
        if added:
            relation.add(*added)
        if removed:
            relation.remove(*removed)
        if added or removed:
            detail[key] = {"added": _names(added), "removed": _names(removed)}
    if requests:
        detail["requested"] = sorted(r.user.get_username() for r in requests.values())
    _log(
        actor,
        "manage.team.created" if created else "manage.team.changed",
        team,
        team.name,
        **detail,
    )
    return TeamSaved(team=team, requests=list(requests.values()))


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
