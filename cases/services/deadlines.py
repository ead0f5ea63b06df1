"""Deadlines on a case: the § 74 AsylG deadlines a BAMF decision starts, deadlines entered by
hand, and the "done" mark (which can be taken back for a while)."""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.law.deadlines import grounds_deadline, lawsuit_deadline
from cases.models import BamfDecision, Case, Client, Deadline, DeadlineKind
from cases.services.guard import (
    guard_open_case,
    lock_record,
    require_household_member,
    require_open,
)
from caseworks.audit.log import save_audited


@transaction.atomic
def bamf_decision_record(
    *, actor: User, client: Client, decision_type: str, served_on: datetime.date
) -> list[Deadline]:
    """Record a BAMF decision; the § 74 AsylG deadlines are computed and created with it."""
    guard_open_case(client)
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
            case_id=client.case_id, client=client, decision=decision, kind=kind, due_on=due_on
        )
        save_audited(deadline, actor)
        created.append(deadline)
    return created


@transaction.atomic
def deadline_add(
    *,
    actor: User,
    case: Case,
    title: str,
    due_on: datetime.date,
    client: Client | None = None,
) -> Deadline:
    case = require_open(case)
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
def deadline_done(*, actor: User, deadline: Deadline) -> Deadline:
    current = lock_record(deadline)
    if current.done_on is None:
        current.done_on = timezone.localdate()
        current.done_at = timezone.now()
        current.done_by = actor
        save_audited(current, actor)
    return current


@transaction.atomic
def deadline_undo(*, actor: User, deadline: Deadline) -> Deadline:
    """Take a "done" mark back, within CASEWORKS_DEADLINE_UNDO_HOURS of setting it: a § 74
    deadline ticked by mistake must not drop out of every list for good."""
    current = lock_record(deadline)
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
