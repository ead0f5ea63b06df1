"""A carrier's directory (OpenID Connect) in the house: its settings and group mappings
(/manage/), the accounts it signs in, and the leavers it ends. Accounts are made, changed and
deactivated by the house's own account services (caseworks.house.services), in the name of the
directory's technical account, so the access log and the person's mail read as for any other
change; the protocol is caseworks.directory.protocol's.

Separation of duties (docs/separation-of-duties.md) holds here too:
- a mapping never gives the administrator role together with a role that reads client files
  (nor can a sign-in collect both from two groups), and the DPO is no role a group can give;
- a mapping counts only once a second administrator approved it: nobody grants a client's file
  on their own;
- a mapping's team belongs to the directory's own carrier;
- a DPO's roles and teams are never changed by the directory (that needs the other DPO);
- an existing account is never taken over by name or address: the directory signs in only the
  accounts it created.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from caseworks.access.roles import Role
from caseworks.audit.log import log_event, save_audited
from caseworks.directory import protocol
from caseworks.directory.models import (
    DirectoryIdentity,
    DirectoryMapping,
    DirectoryProvider,
    DirectorySession,
    words,
)
from caseworks.house.services import (
    ADMIN_ROLES,
    FILE_ROLES,
    _account_wanted,
    _apply_active,
    _apply_update,
    _log,
    _new_account,
    _update,
    changed_parts,
    dpo_organisations,
)
from caseworks.models import Organisation, Team

logger = logging.getLogger("caseworks.directory")

PROVIDER_FIELDS = (
    "label",
    "issuer",
    "client_id",
    "client_secret",
    "env_name",
    "scopes",
    "groups_claim",
    "second_factor_amr",
    "second_factor_acr",
    "check_minutes",
    "session_hours",
    "enabled",
)

# --- settings (/manage/) ----------------------------------------------------------------------


def provider_list() -> QuerySet[Organisation]:
    return Organisation.objects.select_related("directory").order_by("name")


def provider_of(organisation: Organisation) -> DirectoryProvider | None:
    return DirectoryProvider.objects.filter(organisation=organisation).first()


def enabled_provider(*, organisation_code: uuid.UUID) -> DirectoryProvider:
    """The carrier's directory if it is set up and enabled; else 404 (the sign-in pages)."""
    provider = (
        DirectoryProvider.objects.select_related("organisation", "actor")
        .filter(organisation__code=organisation_code, enabled=True)
        .first()
    )
    if provider is None:
        raise Http404("No directory sign-in for this organisation")
    return provider


def enabled_providers() -> QuerySet[DirectoryProvider]:
    return DirectoryProvider.objects.filter(enabled=True).select_related("organisation")


def _technical_account(organisation: Organisation) -> User:
    """The directory's own account: inactive, without a password, roles or teams; it can never
    sign in. The access log names it for what the directory did."""
    base = f"verzeichnis-{slugify(organisation.short_name or organisation.name)}"[:140]
    name, n = base, 1
    while get_user_model().objects.filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    user: User = get_user_model().objects.create_user(username=name, is_active=False)
    user.last_name = str(organisation.name)[:150]
    user.save()
    return user


@transaction.atomic
def provider_save(
    *,
    actor: User,
    organisation: Organisation,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> DirectoryProvider:
    """Set up (first time) or change a carrier's directory. An empty client secret keeps the
    stored one: the page never shows it back. The log names the fields, never the secret."""
    data = {k: v for k, v in data.items() if k in PROVIDER_FIELDS}
    if not data.get("client_secret"):
        data.pop("client_secret", None)
    provider = provider_of(organisation)
    if provider is None:
        provider = DirectoryProvider(organisation=organisation, **data)
        provider.actor = _technical_account(organisation)
        save_audited(provider, actor)
        _log(actor, "manage.directory.created", organisation, organisation.name)
        return provider
    # The house's one versioned update (its type variable lists the house's own records).
    provider, fields = _update(  # type: ignore[type-var]
        provider,
        actor=actor,
        expected_version=expected_version,
        data=data,
        fields=[f for f in PROVIDER_FIELDS if f in data],
    )
    if fields:
        _log(actor, "manage.directory.changed", organisation, organisation.name, fields=fields)
    return provider


def mapping_rule(roles: set[str]) -> None:
    """A group never gives the administrator role together with a role that reads files."""
    if roles & ADMIN_ROLES and roles & FILE_ROLES:
        raise ValidationError(
            {
                "roles": _(
                    "A group cannot give the administrator role together with a role that "
                    "reads client files (separation of duties)."
                )
            }
        )


@transaction.atomic
def mapping_add(
    *, actor: User, provider: DirectoryProvider, group: str, roles: list[str], team: Team | None
) -> DirectoryMapping:
    """A new mapping, waiting for a second administrator's approval before it counts."""
    roles = sorted({str(r) for r in roles if str(r) in Role.values})
    mapping_rule(set(roles))
    mapping = DirectoryMapping(
        provider=provider, group=group.strip(), roles=roles, team=team, requested_by=actor
    )
    mapping.full_clean()
    mapping.save()
    _log(
        actor,
        "manage.directory.mapping_requested",
        provider.organisation,
        provider.organisation.name,
        group=mapping.group,
        roles=roles,
        team=team.name if team else "",
    )
    return mapping


def mappings_of(provider: DirectoryProvider) -> QuerySet[DirectoryMapping]:
    return provider.mappings.select_related("team", "requested_by", "approved_by").order_by("group")


def mapping_get(*, provider: DirectoryProvider, code: uuid.UUID) -> DirectoryMapping:
    mapping = mappings_of(provider).filter(code=code).first()
    if mapping is None:
        raise Http404("No such mapping")
    return mapping


def mapping_approve(*, actor: User, mapping: DirectoryMapping) -> DirectoryMapping:
    """A second administrator approves: never the one who asked for the mapping (refused
    outside any transaction, so that the refusal stays in the access log)."""
    organisation = mapping.provider.organisation
    if mapping.requested_by_id == actor.pk:
        _log(
            actor,
            "manage.directory.mapping_self_approval_refused",
            organisation,
            organisation.name,
            group=mapping.group,
        )
        raise ValidationError(_("Another administrator approves a mapping, not the one who asked."))
    with transaction.atomic():
        mapping.approved_by, mapping.approved_at = actor, timezone.now()
        mapping.save(update_fields=["approved_by", "approved_at"])
        _log(
            actor,
            "manage.directory.mapping_approved",
            organisation,
            organisation.name,
            group=mapping.group,
            roles=mapping.roles,
            team=mapping.team.name if mapping.team else "",
            requested_by=mapping.requested_by.get_username() if mapping.requested_by else "",
        )
    return mapping


@transaction.atomic
def mapping_remove(*, actor: User, mapping: DirectoryMapping) -> None:
    """Removing takes roles away at the members' next sign-in: no second person needed."""
    organisation = mapping.provider.organisation
    _log(
        actor,
        "manage.directory.mapping_removed",
        organisation,
        organisation.name,
        group=mapping.group,
        roles=mapping.roles,
    )
    mapping.delete()


# --- sign-in ----------------------------------------------------------------------------------


class Refusal(Exception):
    """A sign-in the directory vouched for, refused here; the message is for the person."""


def _refuse(provider: DirectoryProvider, reason: str, message: str, **detail: Any) -> Refusal:
    """Log a refused sign-in (about the house: no account, or the account's state)."""
    assert provider.actor is not None
    log_event(
        user=provider.actor,
        action="directory.sign_in_refused",
        object_type="directoryprovider",
        label=provider.organisation.name,
        detail={"reason": reason, "directory": str(provider.code), **detail},
    )
    return Refusal(message)


@dataclass(frozen=True)
class Grant:
    roles: set[str]
    teams: set[int]
    groups: list[str]


def grant_for(provider: DirectoryProvider, claims: dict[str, Any]) -> Grant:
    """What the token's groups give through the approved mappings."""
    sent = claims.get(provider.groups_claim) or []
    groups = {str(g) for g in (sent if isinstance(sent, list) else [sent])}
    mappings = provider.mappings.filter(group__in=groups, approved_by__isnull=False)
    roles: set[str] = set()
    teams: set[int] = set()
    for mapping in mappings:
        roles.update(str(r) for r in mapping.roles)
        if mapping.team_id:
            teams.add(mapping.team_id)
    return Grant(roles=roles, teams=teams, groups=sorted(m.group for m in mappings))


def second_factor_from(provider: DirectoryProvider, claims: dict[str, Any]) -> bool:
    """Whether the token says the provider asked for a second factor (amr or acr)."""
    amr = claims.get("amr") or []
    amr_values = {str(v) for v in (amr if isinstance(amr, list) else [amr])}
    if amr_values & set(words(provider.second_factor_amr)):
        return True
    acr = claims.get("acr")
    return acr is not None and str(acr) in words(provider.second_factor_acr)


def _new_account_name(provider: DirectoryProvider, claims: dict[str, Any]) -> tuple[str, str]:
    """The new account's user name and address, or Refusal (logged)."""
    email = str(claims.get("email") or "")
    username = str(claims.get("preferred_username") or email)[:150]
    if not email or not username:
        raise _refuse(
            provider,
            "no_email",
            _(
                "The directory did not send your e-mail address. Ask the administrator of "
                "the directory to release it to Caseworks."
            ),
        )
    if get_user_model().objects.filter(username__iexact=username).exists():
        # Never taken over: whoever controls a directory entry of that name is not
        # necessarily the person of the existing account.
        raise _refuse(
            provider,
            "name_taken",
            _(
                "An account named %(name)s exists already in Caseworks and is not linked to "
                "your directory. Ask your administrator."
            )
            % {"name": username},
        )
    return username, email


def _new_directory_account(
    provider: DirectoryProvider, claims: dict[str, Any], username: str, email: str
) -> User:
    user = _new_account(
        username=username,
        first_name=str(claims.get("given_name") or "")[:150],
        last_name=str(claims.get("family_name") or "")[:150],
        email=email,
    )
    assert provider.actor is not None
    _log(
        provider.actor,
        "manage.user.created",
        user,
        user.get_username(),
        roles=[],
        teams=[],
        led_teams=[],
        directory=str(provider.code),
    )
    DirectoryIdentity.objects.create(provider=provider, subject=str(claims["sub"]), user=user)
    return user


def directory_sign_in(
    *, provider: DirectoryProvider, claims: dict[str, Any], refresh_token: str
) -> User:
    """The account for a checked ID token: made at the first sign-in (only for a mapped
    group), its roles and teams set from the groups now (a change in the directory applies
    here), made active again if the directory had deactivated it. Refusal otherwise."""
    actor = provider.actor
    assert actor is not None
    carrier = provider.organisation.name
    grant = grant_for(provider, claims)
    identity = (
        DirectoryIdentity.objects.filter(provider=provider, subject=str(claims["sub"]))
        .select_related("user")
        .first()
    )
    # Refusals are logged outside any transaction: the entry stays.
    if not grant.roles:
        if identity is not None and identity.user.is_active:
            with transaction.atomic():
                _directory_deactivate(provider, identity, reason="no_mapped_group")
        raise _refuse(
            provider,
            "no_mapped_group",
            _(
                "Your account in the directory of %(carrier)s belongs to no group that has a "
                "role in Caseworks, so you cannot sign in. Ask your administrator to map your "
                "group."
            )
            % {"carrier": carrier},
        )
    if grant.roles & ADMIN_ROLES and grant.roles & FILE_ROLES:
        raise _refuse(
            provider,
            "admin_and_file_roles",
            _(
                "Your groups in the directory would give you the administrator role together "
                "with a role that reads client files. Nobody may hold both: ask your "
                "administrator to change the groups."
            ),
            groups=grant.groups,
        )
    if (
        identity is not None
        and not identity.user.is_active
        and not identity.deactivated_by_directory
    ):
        raise _refuse(
            provider,
            "deactivated",
            _("Your account was deactivated by an administrator. Ask them."),
        )
    if identity is not None:
        wanted = {
            **_account_wanted(identity.user),
            "roles": sorted(grant.roles),
            "teams": sorted(grant.teams),
        }
        if changed_parts(identity.user, wanted) and dpo_organisations(identity.user).exists():
            # A DPO's account changes only with the other DPO's approval (/manage/).
            raise _refuse(
                provider,
                "dpo_account",
                _(
                    "Your roles in the directory differ from your account, which belongs to a "
                    "data protection officer: such a change needs the other data protection "
                    "officer's approval in Caseworks. Ask your administrator."
                ),
            )
    name = _new_account_name(provider, claims) if identity is None else None
    with transaction.atomic():
        if identity is None:
            assert name is not None
            user = _new_directory_account(provider, claims, *name)
            identity = DirectoryIdentity.objects.get(user=user)
        user = identity.user
        if not user.is_active:
            _apply_active(actor=actor, user=user, active=True, directory=str(provider.code))
        wanted = {
            **_account_wanted(user),
            "roles": sorted(grant.roles),
            "teams": sorted(grant.teams),
        }
        parts = changed_parts(user, wanted)
        if parts:
            _apply_update(
                actor=actor,
                user=user,
                wanted=wanted,
                parts=parts,
                directory=str(provider.code),
                groups=grant.groups,
            )
        if refresh_token:
            identity.refresh_token = refresh_token
        identity.last_checked_at = timezone.now()
        identity.deactivated_by_directory = False
        identity.save()
    return user


def session_end(
    provider: DirectoryProvider, *, session_seconds: int | None, now: datetime
) -> datetime:
    """When a session opened now ends: the directory's session end, as the provider announces
    it (session_seconds) or, where it does not, the provider's configured hours — whichever
    comes first."""
    end = now + timedelta(hours=provider.session_hours)
    if session_seconds is not None:
        end = min(end, now + timedelta(seconds=session_seconds))
    return end


def session_opened(
    *,
    identity: DirectoryIdentity,
    session_key: str,
    sid: str,
    second_factor: bool,
    session_seconds: int | None = None,
) -> DirectorySession:
    ends_at = session_end(identity.provider, session_seconds=session_seconds, now=timezone.now())
    session = DirectorySession.objects.create(
        identity=identity, session_key=session_key, sid=sid, ends_at=ends_at
    )
    log_event(
        user=identity.user,
        action="directory.signed_in",
        object_type="directoryprovider",
        label=identity.provider.organisation.name,
        detail={"directory": str(identity.provider.code), "second_factor": second_factor},
    )
    return session


# --- leavers ----------------------------------------------------------------------------------


def _session_store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


def end_sessions(identity: DirectoryIdentity, *, sid: str = "") -> int:
    """End the account's directory sessions (those of one provider session, `sid`): the
    session rows go at once; DirectorySessionMiddleware signs out a browser that comes back
    with a session whose key changed meanwhile."""
    sessions = identity.sessions.all()
    if sid:
        sessions = sessions.filter(sid=sid)
    store = _session_store()
    ended = 0
    for row in sessions:
        store(session_key=row.session_key).delete()
        row.delete()
        ended += 1
    return ended


def _directory_deactivate(
    provider: DirectoryProvider, identity: DirectoryIdentity, *, reason: str
) -> None:
    assert provider.actor is not None
    _apply_active(
        actor=provider.actor,
        user=identity.user,
        active=False,
        directory=str(provider.code),
        reason=reason,
    )
    identity.deactivated_by_directory = True
    identity.save(update_fields=["deactivated_by_directory"])
    ended = end_sessions(identity)
    log_event(
        user=provider.actor,
        action="directory.account_ended",
        object_type="directoryprovider",
        label=provider.organisation.name,
        detail={
            "account": identity.user.get_username(),
            "reason": reason,
            "sessions_ended": ended,
            "directory": str(provider.code),
        },
    )


@dataclass
class CheckResult:
    checked: int = 0
    deactivated: int = 0
    unreachable: int = 0
    without_token: int = 0


def directory_check(*, provider: DirectoryProvider) -> CheckResult:
    """Ask the provider about each active account not asked within its interval: a refresh it
    refuses (the account is disabled or unknown there) deactivates the account and ends its
    sessions. An unreachable provider changes nothing (counted, for the operator)."""
    result = CheckResult()
    due = timezone.now() - timedelta(minutes=provider.check_minutes)
    identities = (
        DirectoryIdentity.objects.filter(provider=provider, user__is_active=True)
        .exclude(last_checked_at__gt=due)
        .select_related("user")
    )
    for identity in identities:
        if not identity.refresh_token:
            result.without_token += 1
            continue
        try:
            token = protocol.refresh(provider, str(identity.refresh_token))
        except protocol.Refused:
            with transaction.atomic():
                _directory_deactivate(provider, identity, reason="refused_by_directory")
            result.deactivated += 1
            continue
        except protocol.DirectoryError as error:
            logger.warning("Directory %s: %s", provider.code, error)
            result.unreachable += 1
            continue
        identity.refresh_token = token
        identity.last_checked_at = timezone.now()
        identity.save(update_fields=["refresh_token", "last_checked_at"])
        result.checked += 1
    return result


@transaction.atomic
def backchannel_logout(*, provider: DirectoryProvider, claims: dict[str, Any]) -> int:
    """The provider ended its session (OpenID Connect Back-Channel Logout): end ours."""
    assert provider.actor is not None
    identities = DirectoryIdentity.objects.filter(provider=provider)
    if claims.get("sub"):
        identities = identities.filter(subject=str(claims["sub"]))
    elif claims.get("sid"):
        identities = identities.filter(sessions__sid=str(claims["sid"])).distinct()
    ended = 0
    for identity in identities.select_related("user"):
        ended += end_sessions(identity, sid=str(claims.get("sid") or ""))
        log_event(
            user=provider.actor,
            action="directory.logout",
            object_type="directoryprovider",
            label=provider.organisation.name,
            detail={"account": identity.user.get_username(), "sessions_ended": ended},
        )
    return ended
