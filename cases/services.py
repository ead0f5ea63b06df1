"""Writing cases: the only place that creates, changes, assigns, shares or closes a case,
and the only place that grants or revokes its object permissions, so they cannot drift from
the assignment.

Every function takes the acting user, records them as the history user, validates with
full_clean() and runs in one transaction: nothing is half-saved.
"""

import datetime
from collections.abc import Collection, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.law.deadlines import grounds_deadline, lawsuit_deadline
from cases.models import (
    COVER_HOURS,
    Appointment,
    BamfDecision,
    Case,
    CaseShare,
    CaseUserObjectPermission,
    Client,
    ClientReference,
    ClosingAcknowledgement,
    Contact,
    CoverAccess,
    Deadline,
    DeadlineKind,
    DuplicateCheck,
    ReferenceCounter,
    ReferenceKind,
    Relationship,
    ResidenceStatus,
    Task,
)
from caseworks.access.roles import Role, has_role
from caseworks.audit.log import log_access, log_event, save_audited
from caseworks.extensions.casefile import OpenItem, open_items_for
from caseworks.extensions.versioning import update_guards
from caseworks.models import AccessLog, Team
from caseworks.web.concurrency import lock_versioned
from caseworks.web.users import display_name

CASE_PERMISSIONS = ("view_case", "change_case")


def case_accepts_records(case: Case) -> bool:
    """The closed-case rule, the one place it is written: nothing is recorded on a closed
    case until a supervisor reopens it. Services enforce it (require_open); write views
    reach cases through open_case_get_for_user; templates read `can_record`."""
    return not case.is_closed


def require_open(case: Case) -> Case:
    """Lock the case row, read it afresh and refuse if it is closed; returns the locked
    case. Call inside the service's transaction.

    Race: a caseworker records a visit (or ticks a deadline) in one tab while the supervisor
    closes the case in another. The objects the first request loaded still say "open"; the
    row lock orders the two writes and the fresh read sees the closing."""
    current = Case.objects.select_for_update().get(pk=case.pk)
    if not case_accepts_records(current):
        raise ValidationError(_("The case is closed: reopen it before changing it."))
    return current


def _case_id_of(record: models.Model) -> int | None:
    """The case a record belongs to: itself, its `case`, or its person's case."""
    if isinstance(record, Case):
        return record.pk
    case_id = getattr(record, "case_id", None)
    if case_id is None and getattr(record, "client_id", None) is not None:
        case_id = Client.objects.values_list("case_id", flat=True).get(pk=record.client_id)
    return case_id


@update_guards.register
def guard_open_case(record: models.Model) -> None:
    """Every versioned change of a case's record (caseworks.web.concurrency.versioned_update)
    locks the case row first and refuses a closed case: the closed-case rule for every app,
    and one lock order (case, then record). A model whose records may change on a closed case
    says so with `changes_on_closed_case = True`."""
    if getattr(record, "changes_on_closed_case", False):
        return
    case_id = _case_id_of(record)
    if case_id is not None:
        require_open(Case(pk=case_id))


DUPLICATE_CHECK = "intake.duplicate_check"


def _duplicate_checks_left(actor) -> None:
    """Refuse once the user has had CASEWORKS_DUPLICATE_CHECKS_PER_HOUR answers this hour."""
    since = timezone.now() - datetime.timedelta(hours=1)
    done = AccessLog.objects.filter(user=actor, action=DUPLICATE_CHECK, at__gte=since).count()
    if done >= settings.CASEWORKS_DUPLICATE_CHECKS_PER_HOUR:
        raise ValidationError(
            _(
                "You have checked %(n)s times within the last hour whether a person is already "
                "known. Please wait a while or ask your supervisor."
            )
            % {"n": done},
            code="too_many_checks",
        )


def _log_duplicate_check(actor, matches: dict) -> None:
    hinted = matches["other_teams"]
    found = len(matches["cases"]) + len(hinted)
    log_event(
        user=actor,
        action=DUPLICATE_CHECK,
        object_type="intake",
        label=f"{found}: {', '.join(hinted)}" if hinted else str(found),
        detail={"matches": found, "teams_hinted": hinted},
    )


def duplicate_check_run(
    *, actor, first_name: str, last_name: str, birth_date: datetime.date | None
) -> dict:
    """The intake's duplicate check (cases.selectors.possible_duplicates) as a user runs it.
    It answers, across teams and carriers, whether a person is known in the house: an
    oracle. So every answer a user sees is in the access log (how many matches, which teams
    were hinted; never the name), and a user gets at most CASEWORKS_DUPLICATE_CHECKS_PER_HOUR
    answers an hour."""
    from cases.selectors import possible_duplicates

    _duplicate_checks_left(actor)
    matches = possible_duplicates(
        user=actor, first_name=first_name, last_name=last_name, birth_date=birth_date
    )
    _log_duplicate_check(actor, matches)
    return matches


class PossibleDuplicates(ValidationError):
    """The intake found persons who may be the same: the user must check them and confirm
    that this is a different person. `matches` is what possible_duplicates returned."""

    def __init__(self, matches: dict):
        self.matches = matches
        super().__init__(
            _("Possible matches exist: check them, then confirm that this is a different person."),
            code="possible_duplicates",
        )


def require_household_member(client: Client | None, case_id: int) -> None:
    """A visit, accompaniment, referral or deadline names only people of its own case."""
    if client is not None and client.case_id != case_id:
        raise ValidationError({"client": _("The person must belong to this household.")})


def teams_for_intake(user):
    """Teams in which the user may open a case: member as caseworker, or supervisor."""
    teams = Team.objects.none()
    if has_role(user, Role.CASEWORKER):
        teams = teams | Team.objects.filter(members=user)
    from cases.selectors import teams_supervised_by

    teams = teams | teams_supervised_by(user)
    return teams.distinct().select_related("organisation")


def caseworkers_of(*teams: Team):
    return (
        get_user_model()
        .objects.filter(teams__in=teams, groups__name=Role.CASEWORKER, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _check_caseworker(team: Team, user) -> None:
    if user is not None and not caseworkers_of(team).filter(pk=user.pk).exists():
        raise ValidationError(
            {
                "assigned_to": _("%(user)s is not a caseworker in team %(team)s.")
                % {"user": display_name(user), "team": team.name}
            }
        )


def _next_reference(opened_on: datetime.date) -> str:
    # Race: two intakes at once must not get the same number. The counter row is locked
    # (PostgreSQL) or the write serialised (SQLite); the unique reference is the backstop.
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
        year=opened_on.year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{opened_on.year}-{counter.last:04d}"


def _sync_permissions(case: Case) -> None:
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


@transaction.atomic
def case_create(
    *,
    actor,
    team: Team,
    client: dict,
    status: dict | None = None,
    assigned_to=None,
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
    from cases.selectors import possible_duplicates

    matches = possible_duplicates(
        user=actor,
        first_name=client.get("first_name", ""),
        last_name=client.get("last_name", ""),
        birth_date=client.get("birth_date"),
    )
    if matches["found"] and not different_person_confirmed:
        # Refusing shows the matches: an answer of the oracle like duplicate_check_run's.
        _duplicate_checks_left(actor)
        _log_duplicate_check(actor, matches)
        raise PossibleDuplicates(matches)
    if assigned_to is None and not has_role(actor, Role.SUPERVISOR):
        assigned_to = actor  # a caseworker's intake is their own case
    _check_caseworker(team, assigned_to)
    opened_on = opened_on or timezone.localdate()
    case = Case(
        reference=_next_reference(opened_on),
        team=team,
        assigned_to=assigned_to,
        opened_on=opened_on,
        allocated_on=allocated_on,
        accommodation_address=accommodation_address,
        next_visit_due=next_visit_due,
        duplicate_check=(
            DuplicateCheck.DISMISSED if matches["found"] else DuplicateCheck.NONE_FOUND
        ),
    )
    save_audited(case, actor)
    if matches["found"]:
        # The decision is recorded: who dismissed how many possible matches.
        log_access(
            user=actor,
            action="intake.matches_dismissed",
            obj=case,
            label=case.reference,
            detail={"matches": len(matches["cases"]) + len(matches["other_teams"])},
        )
    first = client_create(
        actor=actor, case=case, data={**client, "relationship": Relationship.MAIN_CONTACT}
    )
    if status:
        residence_status_add(actor=actor, client=first, data=status)
    if bamf_number.strip():
        client_reference_save(
            actor=actor,
            client=first,
            data={"kind": ReferenceKind.BAMF, "number": bamf_number.strip()},
        )
    _sync_permissions(case)
    return case


CASE_EDITABLE = ("opened_on", "allocated_on", "accommodation_address", "next_visit_due")


@transaction.atomic
def case_update(*, actor, case: Case, expected_version: int, data: dict) -> Case:
    current = lock_versioned(case, expected_version)
    require_open(current)
    for field in CASE_EDITABLE:
        if field in data:
            setattr(current, field, data[field])
    current.version += 1
    save_audited(current, actor)
    return current


@transaction.atomic
def case_set_next_visit_due(*, actor, case: Case, next_visit_due) -> Case:
    """Set when the next visit is due (recorded with each visit)."""
    current = Case.objects.select_for_update().get(pk=case.pk)
    require_open(current)
    if current.next_visit_due != next_visit_due:
        current.next_visit_due = next_visit_due
        current.version += 1
        save_audited(current, actor)
    return current


@transaction.atomic
def case_assign(*, actor, case: Case, caseworker) -> Case:
    """Assign or reassign; the previous assignee loses access unless the case is shared
    with them."""
    _require_supervisor(actor, case)
    _check_caseworker(case.team, caseworker)
    current = Case.objects.select_for_update().get(pk=case.pk)
    if current.is_closed:
        raise ValidationError(_("A closed case cannot be assigned. Reopen it first."))
    current.assigned_to = caseworker
    current.version += 1
    save_audited(current, actor)
    # Sharing with the assignee is pointless now.
    CaseShare.objects.filter(case=current, user=caseworker).delete()
    _sync_permissions(current)
    return current


@transaction.atomic
def case_share(*, actor, case: Case, user) -> CaseShare:
    _require_sharing_right(actor, case)
    if case.is_closed:
        raise ValidationError(_("A closed case cannot be shared."))
    if user.pk == case.assigned_to_id:
        raise ValidationError({"user": _("The case is already assigned to this person.")})
    if not caseworkers_of(case.team).filter(pk=user.pk).exists():
        raise ValidationError({"user": _("Cases can only be shared with caseworkers of the team.")})
    share = CaseShare.objects.filter(case=case, user=user).first()
    if share is None:
        share = CaseShare(case=case, user=user)
        save_audited(share, actor)
    _sync_permissions(case)
    return share


@transaction.atomic
def case_unshare(*, actor, case: Case, user) -> None:
    _require_sharing_right(actor, case)
    for share in CaseShare.objects.filter(case=case, user=user):
        share._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
        share.delete()
    _sync_permissions(case)


def case_open_items(case: Case) -> list[OpenItem]:
    """What is still open on the case, from every app
    (caseworks.extensions.casefile.register_open_items):
    a supervisor handles or acknowledges each before closing it."""
    return open_items_for(case)


@transaction.atomic
def case_close(
    *,
    actor,
    case: Case,
    reason: str,
    closed_on: datetime.date | None = None,
    acknowledged: Collection[str] = (),
) -> Case:
    """Close the case: it leaves every caseload and only the team's supervisors keep access.

    Whatever is still open (a running § 74 deadline, a task, a planned accompaniment …) would
    vanish from the caseworker's week: each must be in `acknowledged` (the OpenItem keys the
    supervisor ticked). Which ones, and who closed, is kept in the case's history."""
    _require_supervisor(actor, case)
    current = Case.objects.select_for_update().get(pk=case.pk)
    require_open(current)
    # Read after the lock: an item added while the supervisor read the list is not ticked.
    open_items = case_open_items(current)
    missing = [item for item in open_items if item.key not in set(acknowledged)]
    if missing:
        raise ValidationError(
            _(
                "%(n)s open item(s) are neither done nor acknowledged. Handle each one or "
                "tick that you have seen it."
            )
            % {"n": len(missing)},
            code="open_items",
        )
    current.closed_on = closed_on or timezone.localdate()
    if current.closed_on > timezone.localdate():
        raise ValidationError({"closed_on": _("A case cannot be closed in the future.")})
    if current.closed_on < current.opened_on:
        raise ValidationError({"closed_on": _("A case cannot be closed before it was opened.")})
    current.closing_reason = reason
    current.reopening_reason = ""
    current.version += 1
    save_audited(current, actor)
    if open_items:
        save_audited(
            ClosingAcknowledgement(
                case=current,
                acknowledged_by=actor,
                items="\n".join(f"{item.kind_label}: {item.text}" for item in open_items),
            ),
            actor,
        )
    _sync_permissions(current)
    return current


@transaction.atomic
def case_reopen(*, actor, case: Case, reason: str) -> Case:
    """Reopen a closed case; the assignee (and shares) get access again."""
    _require_supervisor(actor, case)
    current = Case.objects.select_for_update().get(pk=case.pk)
    if not current.is_closed:
        raise ValidationError(_("The case is open."))
    current.closed_on = None
    current.closing_reason = ""
    current.reopening_reason = reason
    current.version += 1
    save_audited(current, actor)
    _sync_permissions(current)
    return current


def _require_sharing_right(actor, case: Case) -> None:
    from cases.selectors import case_may_manage_sharing

    if not case_may_manage_sharing(case=case, user=actor):
        raise ValidationError(
            _("Only the assigned caseworker or a supervisor of the team can share this case.")
        )


def _require_supervisor(actor, case: Case) -> None:
    from cases.selectors import case_is_supervised_by

    if not case_is_supervised_by(case=case, user=actor):
        raise ValidationError(_("Only a supervisor of the team can do this."))


CLIENT_FIELDS = (
    "relationship",
    "first_name",
    "last_name",
    "birth_date",
    "phone",
    "email",
    "gender",
    "nationality",
    "languages",
    "interpreter_needed",
)


@transaction.atomic
def client_create(*, actor, case: Case, data: dict) -> Client:
    require_open(case)
    client = Client(case=case, **{k: v for k, v in data.items() if k in CLIENT_FIELDS})
    save_audited(client, actor)
    return client


@transaction.atomic
def client_update(*, actor, client: Client, expected_version: int, data: dict) -> Client:
    current = lock_versioned(client, expected_version)
    require_open(current.case)
    for field in CLIENT_FIELDS:
        if field in data:
            setattr(current, field, data[field])
    current.version += 1
    save_audited(current, actor)
    return current


STATUS_FIELDS = (
    "kind",
    "fiction_subtype",
    "document_number",
    "valid_from",
    "valid_until",
    "issuing_authority",
)


@transaction.atomic
def residence_status_add(*, actor, client: Client, data: dict) -> ResidenceStatus:
    require_open(client.case)
    status = ResidenceStatus(client=client, **{k: v for k, v in data.items() if k in STATUS_FIELDS})
    save_audited(status, actor)
    return status


@transaction.atomic
def client_reference_save(
    *,
    actor,
    client: Client,
    data: dict,
    reference: ClientReference | None = None,
    expected_version: int | None = None,
) -> ClientReference:
    """Add a reference number, or change one (a renewed passport keeps its row). A change
    names the version the user loaded: a colleague's save in between is a ConcurrentEdit,
    never silently overwritten."""
    require_open(client.case)
    if reference is None:
        reference = ClientReference(client=client)
    else:
        if expected_version is None:
            raise ValueError("changing a reference number needs the version the user loaded")
        reference = lock_versioned(reference, expected_version)
        reference.version += 1
    for field in ("kind", "number", "valid_until"):
        if field in data:
            setattr(reference, field, data[field])
    save_audited(reference, actor)
    return reference


@transaction.atomic
def bamf_decision_record(*, actor, client: Client, decision_type: str, served_on) -> list:
    """Record a BAMF decision; the § 74 AsylG deadlines are computed and created with it."""
    require_open(client.case)
    if served_on > timezone.localdate():
        raise ValidationError({"served_on": _("A decision cannot be served in the future.")})
    decision = BamfDecision(client=client, decision_type=decision_type, served_on=served_on)
    save_audited(decision, actor)
    created = []
    for kind, due_on in (
        (DeadlineKind.LAWSUIT, lawsuit_deadline(decision_type, served_on)),
        (DeadlineKind.GROUNDS, grounds_deadline(served_on)),
    ):
        deadline = Deadline(
            case=client.case, client=client, decision=decision, kind=kind, due_on=due_on
        )
        save_audited(deadline, actor)
        created.append(deadline)
    return created


@transaction.atomic
def deadline_add(*, actor, case: Case, title: str, due_on, client: Client | None = None):
    require_open(case)
    require_household_member(client, case.pk)
    deadline = Deadline(
        case=case, client=client, kind=DeadlineKind.MANUAL, title=title, due_on=due_on
    )
    save_audited(deadline, actor)
    return deadline


def deadline_undo_hours() -> int:
    # Until caseworks/settings.py declares it (envint, default 24).
    return int(getattr(settings, "CASEWORKS_DEADLINE_UNDO_HOURS", 24))


def deadline_undo_until(deadline: Deadline) -> datetime.datetime | None:
    """Until when the "done" mark can be taken back (None: not done, or marked before the
    undo window existed)."""
    if deadline.done_on is None or deadline.done_at is None:
        return None
    return deadline.done_at + datetime.timedelta(hours=deadline_undo_hours())


def deadline_may_undo(deadline: Deadline, *, now: datetime.datetime | None = None) -> bool:
    until = deadline_undo_until(deadline)
    return until is not None and (now or timezone.now()) < until


@transaction.atomic
def deadline_done(*, actor, deadline: Deadline) -> Deadline:
    require_open(deadline.case)
    current = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if current.done_on is None:
        current.done_on = timezone.localdate()
        current.done_at = timezone.now()
        current.done_by = actor
        save_audited(current, actor)
    return current


@transaction.atomic
def deadline_undo(*, actor, deadline: Deadline) -> Deadline:
    """Take a "done" mark back, within CASEWORKS_DEADLINE_UNDO_HOURS of setting it: a § 74
    deadline ticked by mistake must not drop out of every list for good."""
    require_open(deadline.case)
    current = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if current.done_on is None:
        return current
    if not deadline_may_undo(current):
        raise ValidationError(
            _("This deadline was marked as done too long ago to take it back here.")
        )
    current.done_on = None
    current.done_at = None
    current.done_by = None
    save_audited(current, actor)
    return current


@transaction.atomic
def cover_access_grant(*, actor, case: Case, reason: str) -> CoverAccess:
    """Open a colleague's case of one's own team, for COVER_HOURS, with a logged reason."""
    from cases.selectors import cover_candidates

    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise ValidationError({"reason": _("Say in a few words why you need this case file.")})
    if not cover_candidates(user=actor).filter(pk=case.pk).exists():
        raise ValidationError(_("This case cannot be opened as cover."))
    # A colleague's file with a sentence and no one asking is an insider's way in: past a
    # few a day, a supervisor of the team approves first (cover_access_approve). The team's
    # supervisors see every cover access on their dashboard and in their next digest.
    start_of_day = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time.min)
    )
    today = CoverAccess.objects.filter(user=actor, granted_at__gte=start_of_day).count()
    access = CoverAccess(
        case=case,
        user=actor,
        reason=reason,
        expires_at=timezone.now() + datetime.timedelta(hours=COVER_HOURS),
        awaiting_approval=today >= settings.CASEWORKS_COVER_ACCESSES_PER_DAY,
    )
    save_audited(access, actor)
    log_access(
        user=actor,
        action="case.cover_requested" if access.awaiting_approval else "case.cover_access",
        obj=case,
        label=case.reference,
        reason=reason,
    )
    return access


@transaction.atomic
def cover_access_approve(*, actor, access: CoverAccess) -> CoverAccess:
    """A supervisor of the case's team lets a waiting cover access open the file (for
    COVER_HOURS from now)."""
    _require_supervisor(actor, access.case)
    current = CoverAccess.objects.select_for_update().get(pk=access.pk)
    if current.awaiting_approval:
        current.awaiting_approval = False
        current.approved_by = actor
        current.approved_at = timezone.now()
        current.expires_at = current.approved_at + datetime.timedelta(hours=COVER_HOURS)
        save_audited(current, actor)
        log_access(
            user=actor,
            action="case.cover_approved",
            obj=current.case,
            label=current.case.reference,
            detail={"for": current.user.get_username()},
        )
    return current


# --- contacts, tasks and appointments ------------------------------------------------------------


def _require_persons_of(case: Case, persons: Iterable[Client], field: str = "persons") -> list:
    persons = list(persons)
    if any(p.case_id != case.pk for p in persons):
        raise ValidationError({field: _("The person must belong to this household.")})
    return persons


CONTACT_FIELDS = ("kind", "date", "duration_minutes", "topics", "note")


def _check_contact(contact: Contact) -> None:
    if contact.date > timezone.localdate():
        raise ValidationError({"date": _("A contact cannot be recorded for a future day.")})
    if contact.date < contact.case.opened_on:
        raise ValidationError({"date": _("The contact cannot be before the case was opened.")})


@transaction.atomic
def contact_record(*, actor, case: Case, persons: Iterable[Client] = (), **data: Any) -> Contact:
    """Record a contact or a file note."""
    case = require_open(case)
    persons = _require_persons_of(case, persons)
    contact = Contact(
        case=case, recorded_by=actor, **{k: v for k, v in data.items() if k in CONTACT_FIELDS}
    )
    contact.topics = list(contact.topics)
    _check_contact(contact)
    save_audited(contact, actor)
    contact.persons.set(persons)
    return contact


@transaction.atomic
def contact_update(
    *,
    actor,
    contact: Contact,
    expected_version: int,
    persons: Iterable[Client] | None = None,
    **data: Any,
) -> Contact:
    current = lock_versioned(contact, expected_version)
    case = require_open(current.case)
    for field in CONTACT_FIELDS:
        if field in data:
            setattr(current, field, data[field])
    current.topics = list(current.topics)
    _check_contact(current)
    current.version += 1
    save_audited(current, actor)
    if persons is not None:
        current.persons.set(_require_persons_of(case, persons))
    return current


def task_assignees(case: Case):
    """Who a task on the case can be given to: the caseworkers who work on it (the assignee
    and those it is shared with) — a task for someone who cannot open the case would be
    in nobody's week."""
    ids = set(case.shares.values_list("user_id", flat=True))
    if case.assigned_to_id:
        ids.add(case.assigned_to_id)
    return caseworkers_of(case.team).filter(pk__in=ids)


def _check_task_assignee(case: Case, user) -> None:
    if user is not None and not task_assignees(case).filter(pk=user.pk).exists():
        raise ValidationError(
            {"assigned_to": _("Tasks can only be given to the caseworkers who work on this case.")}
        )


@transaction.atomic
def task_create(*, actor, case: Case, title: str, due_on: datetime.date, assigned_to=None) -> Task:
    """A to-do with a due date (Wiedervorlage); by default for the case's caseworker."""
    case = require_open(case)
    if assigned_to is None:
        assigned_to = case.assigned_to
    _check_task_assignee(case, assigned_to)
    task = Task(case=case, title=title, due_on=due_on, assigned_to=assigned_to, created_by=actor)
    save_audited(task, actor)
    return task


@transaction.atomic
def task_update(*, actor, task: Task, expected_version: int, **data: Any) -> Task:
    current = lock_versioned(task, expected_version)
    case = require_open(current.case)
    if "assigned_to" in data:
        _check_task_assignee(case, data["assigned_to"])
    for field in ("title", "due_on", "assigned_to"):
        if field in data:
            setattr(current, field, data[field])
    current.version += 1
    save_audited(current, actor)
    return current


@transaction.atomic
def task_done(*, actor, task: Task) -> Task:
    require_open(task.case)
    current = Task.objects.select_for_update().get(pk=task.pk)
    if current.done_on is None:
        current.done_on = timezone.localdate()
        current.done_by = actor
        current.version += 1
        save_audited(current, actor)
    return current


@transaction.atomic
def task_reopen(*, actor, task: Task) -> Task:
    """Take a "done" back (ticked by mistake, or not finished after all)."""
    require_open(task.case)
    current = Task.objects.select_for_update().get(pk=task.pk)
    if current.done_on is not None:
        current.done_on = None
        current.done_by = None
        current.version += 1
        save_audited(current, actor)
    return current


APPOINTMENT_FIELDS = ("kind", "starts_at", "service", "place", "note")


@transaction.atomic
def appointment_create(
    *, actor, case: Case, persons: Iterable[Client] = (), **data: Any
) -> Appointment:
    """A client's appointment nobody goes along to (BAMF hearing, Ausländerbehörde …)."""
    case = require_open(case)
    persons = _require_persons_of(case, persons)
    appointment = Appointment(
        case=case,
        recorded_by=actor,
        **{k: v for k, v in data.items() if k in APPOINTMENT_FIELDS},
    )
    save_audited(appointment, actor)
    appointment.persons.set(persons)
    return appointment


@transaction.atomic
def appointment_update(
    *,
    actor,
    appointment: Appointment,
    expected_version: int,
    persons: Iterable[Client] | None = None,
    **data: Any,
) -> Appointment:
    current = lock_versioned(appointment, expected_version)
    case = require_open(current.case)
    if current.is_cancelled:
        raise ValidationError(_("The appointment is cancelled."))
    for field in APPOINTMENT_FIELDS:
        if field in data:
            setattr(current, field, data[field])
    current.version += 1
    save_audited(current, actor)
    if persons is not None:
        current.persons.set(_require_persons_of(case, persons))
    return current


@transaction.atomic
def appointment_cancel(*, actor, appointment: Appointment, reason: str) -> Appointment:
    """Call an appointment off with a reason; it stays in the history, out of every week."""
    require_open(appointment.case)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("Say why the appointment is cancelled.")})
    current = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if current.is_cancelled:
        return current
    current.cancelled_at = timezone.now()
    current.cancel_reason = reason
    current.version += 1
    save_audited(current, actor)
    return current


# --- moving in and moving on (issue 22): import and hand-over ---------------------------------


@transaction.atomic
def case_import(
    *,
    actor,
    team: Team,
    client: dict,
    status: dict | None = None,
    assigned_to=None,
    opened_on: datetime.date | None = None,
    allocated_on: datetime.date | None = None,
    accommodation_address: str = "",
    references: Iterable[tuple[str, str]] = (),
    duplicates_seen: bool = False,
) -> Case:
    """A household of an existing caseload (cases.intake.importing): case_create's case, opened by
    the house's administrator or a supervisor of the team rather than at an intake. The
    duplicate check ran in the import's dry run; importing after it means the user
    confirmed the possible matches as different persons, which the case records."""
    from cases.selectors import teams_supervised_by

    if not (has_role(actor, Role.ADMIN) or teams_supervised_by(actor).filter(pk=team.pk).exists()):
        raise ValidationError({"team": _("You cannot import cases into this team.")})
    _check_caseworker(team, assigned_to)
    opened_on = opened_on or timezone.localdate()
    case = Case(
        reference=_next_reference(opened_on),
        team=team,
        assigned_to=assigned_to,
        opened_on=opened_on,
        allocated_on=allocated_on,
        accommodation_address=accommodation_address,
        duplicate_check=DuplicateCheck.DISMISSED if duplicates_seen else DuplicateCheck.NONE_FOUND,
    )
    save_audited(case, actor)
    first = client_create(
        actor=actor, case=case, data={**client, "relationship": Relationship.MAIN_CONTACT}
    )
    if status:
        residence_status_add(actor=actor, client=first, data=status)
    for kind, number in references:
        client_reference_save(actor=actor, client=first, data={"kind": kind, "number": number})
    _sync_permissions(case)
    return case


class CaseImportBatch:
    """case_import, client_create, residence_status_add and client_reference_save for a
    whole file (cases.intake.importing), inside the caller's one transaction, writing the same rows:
    each object validated (clean_fields and clean), saved with its history row naming the
    actor, blind indexes and search rows, and the new cases' permissions granted as
    _sync_permissions would (the assignee of an open case; no shares yet).

    What makes it fast: the objects are collected and written by finish() in bulk (history
    with simple_history's bulk_create_with_history, search rows with NameToken.add_for);
    what cannot change within the batch is checked once (the right to import into a team,
    who is a caseworker of it); foreign keys are not looked up again for rows loaded or
    created here, and uniqueness is left to the database's constraints (references are
    drawn from the counter, locked once per year); a case created in this batch is not
    locked again for each person added to it. Call finish() before the transaction ends."""

    def __init__(self, actor):
        self.actor = actor
        self._may_import: dict[int, bool] = {}
        self._caseworkers: dict[int, set[int]] = {}
        self._counters: dict[int, ReferenceCounter] = {}
        self._locked: dict[int, Case] = {}  # earlier cases, checked open in this batch
        self._objects: dict[type, list] = {
            Case: [],
            Client: [],
            ResidenceStatus: [],
            ClientReference: [],
        }

    def _check_team(self, team: Team, assigned_to) -> None:
        from cases.selectors import teams_supervised_by

        if team.pk not in self._may_import:
            self._may_import[team.pk] = (
                has_role(self.actor, Role.ADMIN)
                or teams_supervised_by(self.actor).filter(pk=team.pk).exists()
            )
        if not self._may_import[team.pk]:
            raise ValidationError({"team": _("You cannot import cases into this team.")})
        if team.pk not in self._caseworkers:
            self._caseworkers[team.pk] = set(caseworkers_of(team).values_list("pk", flat=True))
        if assigned_to is not None and assigned_to.pk not in self._caseworkers[team.pk]:
            _check_caseworker(team, assigned_to)  # raises with the message

    def _reference(self, opened_on: datetime.date) -> str:
        counter = self._counters.get(opened_on.year)
        if counter is None:
            counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
                year=opened_on.year
            )
            self._counters[opened_on.year] = counter
        counter.last += 1
        return f"{opened_on.year}-{counter.last:04d}"

    def _add(self, obj, *relations: str) -> None:
        # full_clean without the per-row queries: the related rows were loaded or made
        # here (relations), uniqueness is the database's constraints' (one transaction).
        obj.clean_fields(exclude=relations)
        obj.clean()
        self._objects[type(obj)].append(obj)

    def case(
        self,
        *,
        team: Team,
        client: dict,
        status: dict | None = None,
        assigned_to=None,
        opened_on: datetime.date | None = None,
        allocated_on: datetime.date | None = None,
        accommodation_address: str = "",
        references: Iterable[tuple[str, str]] = (),
        duplicates_seen: bool = False,
    ) -> tuple[Case, Client]:
        """case_import's case and main contact (saved by finish())."""
        self._check_team(team, assigned_to)
        opened_on = opened_on or timezone.localdate()
        case = Case(
            reference=self._reference(opened_on),
            team=team,
            assigned_to=assigned_to,
            opened_on=opened_on,
            allocated_on=allocated_on,
            accommodation_address=accommodation_address,
            duplicate_check=(
                DuplicateCheck.DISMISSED if duplicates_seen else DuplicateCheck.NONE_FOUND
            ),
        )
        self._add(case, "team", "assigned_to")
        first = self._person(
            case,
            {**client, "relationship": Relationship.MAIN_CONTACT},
            status,
            references,
        )
        return case, first

    def person(
        self,
        *,
        case: Case,
        data: dict,
        status: dict | None = None,
        references: Iterable[tuple[str, str]] = (),
    ) -> Client:
        """client_create with the person's status and reference numbers (saved by
        finish()). A case saved before the batch is locked and checked open once."""
        if case.pk is not None:
            if case.pk not in self._locked:
                self._locked[case.pk] = require_open(case)
            case = self._locked[case.pk]
        return self._person(case, data, status, references)

    def _person(self, case, data, status, references) -> Client:
        client = Client(case=case, **{k: v for k, v in data.items() if k in CLIENT_FIELDS})
        self._add(client, "case")
        if status:
            self._add(
                ResidenceStatus(
                    client=client, **{k: v for k, v in status.items() if k in STATUS_FIELDS}
                ),
                "client",
            )
        for kind, number in references:
            self._add(ClientReference(client=client, kind=kind, number=number), "client")
        return client

    def finish(self) -> None:
        from simple_history.utils import bulk_create_with_history

        from cases.models import NameToken

        for counter in self._counters.values():
            counter.save(update_fields=["last"])
        # In this order, each model's rows after those they refer to (bulk_create takes
        # the ids the related objects got meanwhile).
        for model, objects in self._objects.items():
            bulk_create_with_history(objects, model, batch_size=500, default_user=self.actor)
            if model is Client:
                NameToken.objects.add_for(objects)
        content_type = ContentType.objects.get_for_model(Case)
        permissions = list(
            Permission.objects.filter(content_type=content_type, codename__in=CASE_PERMISSIONS)
        )
        CaseUserObjectPermission.objects.bulk_create(
            [
                CaseUserObjectPermission(content_object=case, permission=p, user_id=uid)
                for case in self._objects[Case]
                if (uid := case.assigned_to_id) and not case.is_closed
                for p in permissions
            ],
            batch_size=1000,
        )
        for objects in self._objects.values():
            objects.clear()


def _supervises(user, team: Team) -> bool:
    from cases.selectors import teams_supervised_by

    return teams_supervised_by(user).filter(pk=team.pk).exists()


@transaction.atomic
def case_transfer_request(*, actor, case: Case, to_team: Team, reason: str):
    """Ask for a case to move to another team (of this or another organisation of the
    house). A supervisor of the giving team asks and one of the receiving team agrees
    (case_transfer_decide); the receiving side may ask as well, the giving side agrees."""
    from cases.models import CaseTransfer

    current = require_open(case)
    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise ValidationError({"reason": _("Say in a few words why the case moves.")})
    if to_team.pk == current.team_id:
        raise ValidationError({"to_team": _("The case is already in this team.")})
    giving, receiving = _supervises(actor, current.team), _supervises(actor, to_team)
    if not (giving or receiving):
        raise ValidationError(_("Only a supervisor of one of the two teams can ask for this."))
    if CaseTransfer.objects.filter(case=current, status=CaseTransfer.Status.REQUESTED).exists():
        raise ValidationError(_("A hand-over of this case is already waiting."))
    transfer = CaseTransfer(
        case=current,
        from_team=current.team,
        to_team=to_team,
        asked_by_receiving=not giving,
        reason=reason,
        requested_by=actor,
    )
    save_audited(transfer, actor)
    log_access(
        user=actor,
        action="case.transfer_requested",
        obj=current,
        label=current.reference,
        detail={"to_team": to_team.name},
    )
    return transfer


def case_transfer_may_decide(*, transfer, user) -> bool:
    """The other side decides: a supervisor of the receiving team when the giving team asked,
    and the other way round."""
    team = transfer.from_team if transfer.asked_by_receiving else transfer.to_team
    return _supervises(user, team)


@transaction.atomic
def case_transfer(*, actor, transfer, agree: bool, caseworker=None):
    """Agree to (or decline) a requested hand-over. Agreed, the case moves to the receiving
    team, assigned to `caseworker` of that team (or to nobody, for its supervisors to
    assign); shares and cover accesses of the old team end, and the permissions follow
    (_sync_permissions). The case's history names the decider; the transfer row says why."""
    from cases.models import CaseTransfer

    current = CaseTransfer.objects.select_for_update().get(pk=transfer.pk)
    if current.status != CaseTransfer.Status.REQUESTED:
        raise ValidationError(_("This hand-over has already been decided."))
    if not case_transfer_may_decide(transfer=current, user=actor):
        raise ValidationError(_("Only a supervisor of the other team can decide this."))
    current.decided_by = actor
    current.decided_at = timezone.now()
    if not agree:
        current.status = CaseTransfer.Status.DECLINED
        save_audited(current, actor)
        return current
    case = require_open(current.case)
    if case.team_id != current.from_team_id:
        raise ValidationError(_("The case has moved since the hand-over was asked for."))
    _check_caseworker(current.to_team, caseworker)
    case.team = current.to_team
    case.assigned_to = caseworker
    case.version += 1
    save_audited(case, actor)
    for share in CaseShare.objects.filter(case=case):
        share._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
        share.delete()
    CoverAccess.objects.filter(case=case, expires_at__gt=timezone.now()).update(
        expires_at=timezone.now()
    )
    _sync_permissions(case)
    current.status = CaseTransfer.Status.DONE
    save_audited(current, actor)
    log_access(
        user=actor,
        action="case.transferred",
        obj=case,
        label=case.reference,
        detail={"from_team": current.from_team.name, "to_team": current.to_team.name},
    )
    return current


@transaction.atomic
def case_transfer_withdraw(*, actor, transfer):
    from cases.models import CaseTransfer

    current = CaseTransfer.objects.select_for_update().get(pk=transfer.pk)
    asking_team = current.to_team if current.asked_by_receiving else current.from_team
    if current.status != CaseTransfer.Status.REQUESTED or not _supervises(actor, asking_team):
        raise ValidationError(_("This hand-over cannot be withdrawn."))
    current.status = CaseTransfer.Status.WITHDRAWN
    current.decided_by = actor
    current.decided_at = timezone.now()
    save_audited(current, actor)
    return current
