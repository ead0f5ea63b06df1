"""A case's lifecycle: open (intake), edit, assign, share, close and reopen — and the only
place that grants or revokes a case's object permissions (sync_permissions), so they cannot
drift from the assignment.

Every function takes the acting user, records them as the history user, validates with
full_clean() and runs in one transaction: nothing is half-saved.
"""

import datetime
from collections.abc import Collection, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import (
    Case,
    CaseShare,
    CaseUserObjectPermission,
    ClosingAcknowledgement,
    DuplicateCheck,
    ReferenceCounter,
    ReferenceKind,
    Relationship,
)
from cases.selectors import case_is_supervised_by, case_may_manage_sharing, possible_duplicates
from cases.services.clients import client_create, client_reference_save, residence_status_add
from cases.services.guard import lock_case, require_open, save_transition
from cases.services.intake import (
    PossibleDuplicates,
    duplicate_checks_left,
    log_duplicate_check,
    teams_for_intake,
)
from caseworks.access.roles import Role, has_role
from caseworks.audit.log import log_access, save_audited
from caseworks.extensions.casefile import OpenItem, open_items_for
from caseworks.models import Team
from caseworks.web.concurrency import versioned_update
from caseworks.web.users import display_name

CASE_PERMISSIONS = ("view_case", "change_case")


def caseworkers_of(*teams: Team) -> QuerySet[User]:
    return (
        get_user_model()
        .objects.filter(teams__in=teams, groups__name=Role.CASEWORKER, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def check_caseworker(team: Team, user: User | None) -> None:
    if user is not None and not caseworkers_of(team).filter(pk=user.pk).exists():
        raise ValidationError(
            {
                "assigned_to": _("%(user)s is not a caseworker in team %(team)s.")
                % {"user": display_name(user), "team": team.name}
            }
        )


def next_reference(opened_on: datetime.date) -> str:
    # Race: two intakes at once must not get the same number. The counter row is locked
    # (PostgreSQL) or the write serialised (SQLite); the unique reference is the backstop.
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
        year=opened_on.year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{opened_on.year}-{counter.last:04d}"


def sync_permissions(case: Case) -> None:
    """Make the guardian rows equal to assignee + shares (none once the case is closed)."""
    wanted: set[int] = set()
    if not case.is_closed:
        if case.assigned_to_id:
            wanted.add(case.assigned_to_id)
        wanted |= set(case.shares.values_list("user_id", flat=True))
    content_type = ContentType.objects.get_for_model(Case)
    for codename in CASE_PERMISSIONS:
        permission = Permission.objects.get(content_type=content_type, codename=codename)
        rows = CaseUserObjectPermission.objects.filter(content_object=case, permission=permission)
        have = set(rows.values_list("user_id", flat=True))
        rows.filter(user_id__in=have - wanted).delete()
        CaseUserObjectPermission.objects.bulk_create(
            CaseUserObjectPermission(content_object=case, permission=permission, user_id=uid)
            for uid in wanted - have
        )


def grant_new_cases(cases: Iterable[Case]) -> None:
    """sync_permissions for cases just created in bulk (cases.services.imports): the
    assignee of each open case; new cases have no shares and no rows yet."""
    content_type = ContentType.objects.get_for_model(Case)
    permissions = list(
        Permission.objects.filter(content_type=content_type, codename__in=CASE_PERMISSIONS)
    )
    CaseUserObjectPermission.objects.bulk_create(
        [
            CaseUserObjectPermission(content_object=case, permission=p, user_id=uid)
            for case in cases
            if (uid := case.assigned_to_id) and not case.is_closed
            for p in permissions
        ],
        batch_size=1000,
    )


def require_supervisor(actor: User, case: Case) -> None:
    if not case_is_supervised_by(case=case, user=actor):
        raise ValidationError(_("Only a supervisor of the team can do this."))


def _require_sharing_right(actor: User, case: Case) -> None:
    if not case_may_manage_sharing(case=case, user=actor):
        raise ValidationError(
            _("Only the assigned caseworker or a supervisor of the team can share this case.")
        )


@transaction.atomic
def case_create(
    *,
    actor: User,
    team: Team,
    client: dict[str, Any],
    status: dict[str, Any] | None = None,
    assigned_to: User | None = None,
    opened_on: datetime.date | None = None,
    allocated_on: datetime.date | None = None,
    accommodation_address: str = "",
    next_visit_due: datetime.date | None = None,
    different_person_confirmed: bool = False,
    bamf_number: str = "",
) -> Case:
    """Open a case with its first client (the main contact) and, if given, their status.

    The duplicate check runs here, on the names being saved: when persons who may be the
    same are known anywhere in the house, the case opens only once the user has confirmed
    that this is a different person (PossibleDuplicates otherwise); that decision is
    recorded on the case and in the access log.
    """
    if not teams_for_intake(actor).filter(pk=team.pk).exists():
        raise ValidationError({"team": _("You cannot open cases in this team.")})
    matches = possible_duplicates(
        user=actor,
        first_name=client.get("first_name", ""),
        last_name=client.get("last_name", ""),
        birth_date=client.get("birth_date"),
    )
    if matches["found"] and not different_person_confirmed:
        # Refusing shows the matches: an answer of the oracle like duplicate_check_run's.
        duplicate_checks_left(actor)
        log_duplicate_check(actor, matches)
        raise PossibleDuplicates(matches)
    if assigned_to is None and not has_role(actor, Role.SUPERVISOR):
        assigned_to = actor  # a caseworker's intake is their own case
    case = open_case(
        actor=actor,
        team=team,
        client=client,
        status=status,
        assigned_to=assigned_to,
        opened_on=opened_on,
        allocated_on=allocated_on,
        accommodation_address=accommodation_address,
        next_visit_due=next_visit_due,
        references=[(ReferenceKind.BAMF, bamf_number.strip())] if bamf_number.strip() else [],
        matches_dismissed=matches["found"],
    )
    if matches["found"]:
        # The decision is recorded: who dismissed how many possible matches.
        log_access(
            user=actor,
            action="intake.matches_dismissed",
            obj=case,
            label=case.reference,
            detail={"matches": len(matches["cases"]) + len(matches["other_teams"])},
        )
    return case


def open_case(
    *,
    actor: User,
    team: Team,
    client: dict[str, Any],
    status: dict[str, Any] | None,
    assigned_to: User | None,
    opened_on: datetime.date | None,
    allocated_on: datetime.date | None,
    accommodation_address: str,
    next_visit_due: datetime.date | None = None,
    references: Iterable[tuple[str, str]],
    matches_dismissed: bool,
) -> Case:
    """The case with its main contact, their status and reference numbers, and its
    permissions: what an intake (case_create) and an import (case_import) both write, once
    each has decided who may open it. `matches_dismissed`: the user confirmed possible
    matches as different persons."""
    check_caseworker(team, assigned_to)
    opened_on = opened_on or timezone.localdate()
    case = Case(
        reference=next_reference(opened_on),
        team=team,
        assigned_to=assigned_to,
        opened_on=opened_on,
        allocated_on=allocated_on,
        accommodation_address=accommodation_address,
        next_visit_due=next_visit_due,
        duplicate_check=(
            DuplicateCheck.DISMISSED if matches_dismissed else DuplicateCheck.NONE_FOUND
        ),
    )
    save_audited(case, actor)
    first = client_create(
        actor=actor, case=case, data={**client, "relationship": Relationship.MAIN_CONTACT}
    )
    if status:
        residence_status_add(actor=actor, client=first, data=status)
    for kind, number in references:
        client_reference_save(actor=actor, client=first, data={"kind": kind, "number": number})
    sync_permissions(case)
    return case


CASE_EDITABLE = ("opened_on", "allocated_on", "accommodation_address", "next_visit_due")


def case_update(*, actor: User, case: Case, expected_version: int, data: dict[str, Any]) -> Case:
    return versioned_update(
        case, actor=actor, expected_version=expected_version, data=data, fields=CASE_EDITABLE
    )


@transaction.atomic
def case_set_next_visit_due(
    *, actor: User, case: Case, next_visit_due: datetime.date | None
) -> Case:
    """Set when the next visit is due (recorded with each visit)."""
    current = require_open(case)
    if current.next_visit_due != next_visit_due:
        current.next_visit_due = next_visit_due
        save_transition(current, actor)
    return current


@transaction.atomic
def case_assign(*, actor: User, case: Case, caseworker: User) -> Case:
    """Assign or reassign; the previous assignee loses access unless the case is shared
    with them."""
    require_supervisor(actor, case)
    check_caseworker(case.team, caseworker)
    current = lock_case(case)
    if current.is_closed:
        raise ValidationError(_("A closed case cannot be assigned. Reopen it first."))
    current.assigned_to = caseworker
    save_transition(current, actor)
    # Sharing with the assignee is pointless now.
    CaseShare.objects.filter(case=current, user=caseworker).delete()
    sync_permissions(current)
    return current


@transaction.atomic
def case_share(*, actor: User, case: Case, user: User) -> CaseShare:
    """Share the case with a caseworker of its own team. A share never crosses carriers:
    a colleague of another carrier (another data controller) reaches the file only by a
    hand-over with the persons' consent (cases.services.transfers)."""
    _require_sharing_right(actor, case)
    if case.is_closed:
        raise ValidationError(_("A closed case cannot be shared."))
    if user.pk == case.assigned_to_id:
        raise ValidationError({"user": _("The case is already assigned to this person.")})
    if not caseworkers_of(case.team).filter(pk=user.pk).exists():
        other_carriers = Team.objects.filter(members=user).exclude(
            organisation=case.team.organisation_id
        )
        if other_carriers.exists():
            raise ValidationError(
                {
                    "user": _(
                        "%(user)s works for another carrier: a case reaches another carrier "
                        "only by a hand-over, with the consent of its persons."
                    )
                    % {"user": display_name(user)}
                }
            )
        raise ValidationError({"user": _("Cases can only be shared with caseworkers of the team.")})
    share = CaseShare.objects.filter(case=case, user=user).first()
    if share is None:
        share = CaseShare(case=case, user=user)
        save_audited(share, actor)
    sync_permissions(case)
    return share


def end_shares(case: Case, actor: User, **only: Any) -> None:
    """Delete the case's shares (those with `only`'s filter), one by one so that each leaves
    a history row naming the actor; the caller syncs the permissions."""
    for share in CaseShare.objects.filter(case=case, **only):
        share._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
        share.delete()


@transaction.atomic
def case_unshare(*, actor: User, case: Case, user: User) -> None:
    _require_sharing_right(actor, case)
    end_shares(case, actor, user=user)
    sync_permissions(case)


def case_open_items(case: Case) -> list[OpenItem]:
    """What is still open on the case, from every app
    (caseworks.extensions.casefile.register_open_items):
    a supervisor handles or acknowledges each before closing it."""
    return open_items_for(case)


# The key of a running deadline's OpenItem (cases.casefile.open_case_items): "deadline-<code>".
DEADLINE_ITEM = "deadline-"


def is_deadline_item(item: OpenItem) -> bool:
    """A court or authority deadline still running (cases.models.Deadline: a due date that
    cannot be undone), not a point to tick off."""
    return item.key.startswith(DEADLINE_ITEM)


@transaction.atomic
def case_close(
    *,
    actor: User,
    case: Case,
    reason: str,
    closed_on: datetime.date | None = None,
    acknowledged: Collection[str] = (),
    deadline_reason: str = "",
) -> Case:
    """Close the case: it leaves every caseload and only the team's supervisors keep access.

    Whatever is still open (a task, a planned accompaniment, a checklist point …) would
    vanish from the caseworker's week: each must be in `acknowledged` (the OpenItem keys the
    supervisor ticked). A running deadline (a lawsuit deadline under § 74 AsylG, an objection
    period) weighs more than a tick: closing over it needs `deadline_reason`, in words — who
    keeps it in view, or why it no longer matters. Which items, that reason, and who closed
    are kept in the case's history."""
    require_supervisor(actor, case)
    current = require_open(case)
    # Read after the lock: an item added while the supervisor read the list is not ticked.
    open_items = case_open_items(current)
    deadlines = [item for item in open_items if is_deadline_item(item)]
    ticked = set(acknowledged)
    missing = [item for item in open_items if not is_deadline_item(item) and item.key not in ticked]
    if missing:
        raise ValidationError(
            _(
                "%(n)s open item(s) are neither done nor acknowledged. Handle each one or "
                "tick that you have seen it."
            )
            % {"n": len(missing)},
            code="open_items",
        )
    deadline_reason = deadline_reason.strip()
    if deadlines and not deadline_reason:
        raise ValidationError(
            {
                "deadline_reason": ngettext(
                    "A deadline is still running. Mark it done, or say why the case is "
                    "closed all the same: who keeps the deadline in view, or why it no "
                    "longer matters.",
                    "%(n)s deadlines are still running. Mark them done, or say why the case "
                    "is closed all the same: who keeps the deadlines in view, or why they no "
                    "longer matter.",
                    len(deadlines),
                )
                % {"n": len(deadlines)}
            },
            code="open_deadlines",
        )
    current.closed_on = closed_on or timezone.localdate()
    if current.closed_on > timezone.localdate():
        raise ValidationError({"closed_on": _("A case cannot be closed in the future.")})
    if current.closed_on < current.opened_on:
        raise ValidationError({"closed_on": _("A case cannot be closed before it was opened.")})
    current.closing_reason = reason
    current.reopening_reason = ""
    save_transition(current, actor)
    if open_items:
        lines = [f"{item.kind_label}: {item.text}" for item in open_items]
        if deadlines:
            lines.append(
                _("Closed with a running deadline because: %(reason)s")
                % {"reason": deadline_reason}
            )
        save_audited(
            ClosingAcknowledgement(case=current, acknowledged_by=actor, items="\n".join(lines)),
            actor,
        )
    sync_permissions(current)
    return current


@transaction.atomic
def case_reopen(*, actor: User, case: Case, reason: str) -> Case:
    """Reopen a closed case; the assignee (and shares) get access again."""
    require_supervisor(actor, case)
    current = lock_case(case)
    if not current.is_closed:
        raise ValidationError(_("The case is open."))
    current.closed_on = None
    current.closing_reason = ""
    current.reopening_reason = reason
    save_transition(current, actor)
    sync_permissions(current)
    return current
