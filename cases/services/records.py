"""What is recorded on a case between visits: contacts and file notes, tasks
(Wiedervorlagen) and the clients' own appointments."""

import datetime
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Appointment, Case, Client, Contact, Task
from cases.services.case import caseworkers_of
from cases.services.clients import only
from cases.services.guard import lock_record, require_open, require_persons_of, save_transition
from caseworks.audit.log import save_audited
from caseworks.web.concurrency import versioned_update

_WithPersons = TypeVar("_WithPersons", Contact, Appointment)


def _update_with_persons(
    record: _WithPersons,
    *,
    actor: User,
    expected_version: int,
    persons: Iterable[Client] | None,
    data: dict[str, Any],
    fields: tuple[str, ...],
    clean: Callable[[_WithPersons], None],
) -> _WithPersons:
    """versioned_update for a record that names persons of its household (`persons`: None
    leaves them as they are). Call inside the service's transaction: the persons are set
    after the record is saved."""
    # Checked first: the record's case is not among the fields a form changes.
    chosen = None if persons is None else require_persons_of(record.case_id, persons)
    current = versioned_update(
        record,
        actor=actor,
        expected_version=expected_version,
        data=data,
        fields=fields,
        clean=clean,
    )
    if chosen is not None:
        current.persons.set(chosen)
    return current


# --- contacts -------------------------------------------------------------------------------------

CONTACT_FIELDS = ("kind", "date", "duration_minutes", "topics", "note")


def _check_contact(contact: Contact) -> None:
    contact.topics = list(contact.topics)
    if contact.date > timezone.localdate():
        raise ValidationError({"date": _("A contact cannot be recorded for a future day.")})
    if contact.date < contact.case.opened_on:
        raise ValidationError({"date": _("The contact cannot be before the case was opened.")})


@transaction.atomic
def contact_record(
    *, actor: User, case: Case, persons: Iterable[Client] = (), **data: Any
) -> Contact:
    """Record a contact or a file note."""
    case = require_open(case)
    chosen = require_persons_of(case.pk, persons)
    contact = Contact(case=case, recorded_by=actor, **only(data, CONTACT_FIELDS))
    _check_contact(contact)
    save_audited(contact, actor)
    contact.persons.set(chosen)
    return contact


@transaction.atomic
def contact_update(
    *,
    actor: User,
    contact: Contact,
    expected_version: int,
    persons: Iterable[Client] | None = None,
    **data: Any,
) -> Contact:
    return _update_with_persons(
        contact,
        actor=actor,
        expected_version=expected_version,
        persons=persons,
        data=data,
        fields=CONTACT_FIELDS,
        clean=_check_contact,
    )


# --- tasks ----------------------------------------------------------------------------------------

TASK_FIELDS = ("title", "due_on", "assigned_to")


def task_assignees(case: Case) -> QuerySet[User]:
    """Who a task on the case can be given to: the caseworkers who work on it (the assignee
    and those it is shared with) — a task for someone who cannot open the case would be
    in nobody's week."""
    ids = set(case.shares.values_list("user_id", flat=True))
    if case.assigned_to_id:
        ids.add(case.assigned_to_id)
    return caseworkers_of(case.team).filter(pk__in=ids)


def _check_task_assignee(case: Case, user: User | None) -> None:
    if user is not None and not task_assignees(case).filter(pk=user.pk).exists():
        raise ValidationError(
            {"assigned_to": _("Tasks can only be given to the caseworkers who work on this case.")}
        )


@transaction.atomic
def task_create(
    *,
    actor: User,
    case: Case,
    title: str,
    due_on: datetime.date,
    assigned_to: User | None = None,
) -> Task:
    """A to-do with a due date (Wiedervorlage); by default for the case's caseworker."""
    case = require_open(case)
    if assigned_to is None:
        assigned_to = case.assigned_to
    _check_task_assignee(case, assigned_to)
    task = Task(case=case, title=title, due_on=due_on, assigned_to=assigned_to, created_by=actor)
    save_audited(task, actor)
    return task


def task_update(*, actor: User, task: Task, expected_version: int, **data: Any) -> Task:
    def clean(current: Task) -> None:
        if "assigned_to" in data:
            _check_task_assignee(current.case, current.assigned_to)

    return versioned_update(
        task,
        actor=actor,
        expected_version=expected_version,
        data=data,
        fields=TASK_FIELDS,
        clean=clean,
    )


def _mark_task(actor: User, task: Task, *, done: bool) -> Task:
    current = lock_record(task)
    if current.is_done != done:
        current.done_on = timezone.localdate() if done else None
        current.done_by = actor if done else None
        save_transition(current, actor)
    return current


@transaction.atomic
def task_done(*, actor: User, task: Task) -> Task:
    return _mark_task(actor, task, done=True)


@transaction.atomic
def task_reopen(*, actor: User, task: Task) -> Task:
    """Take a "done" back (ticked by mistake, or not finished after all)."""
    return _mark_task(actor, task, done=False)


# --- appointments ---------------------------------------------------------------------------------

APPOINTMENT_FIELDS = ("kind", "starts_at", "service", "place", "note")


@transaction.atomic
def appointment_create(
    *, actor: User, case: Case, persons: Iterable[Client] = (), **data: Any
) -> Appointment:
    """A client's appointment nobody goes along to (BAMF hearing, Ausländerbehörde …)."""
    case = require_open(case)
    chosen = require_persons_of(case.pk, persons)
    appointment = Appointment(case=case, recorded_by=actor, **only(data, APPOINTMENT_FIELDS))
    save_audited(appointment, actor)
    appointment.persons.set(chosen)
    return appointment


def _check_not_cancelled(appointment: Appointment) -> None:
    if appointment.is_cancelled:
        raise ValidationError(_("The appointment is cancelled."))


@transaction.atomic
def appointment_update(
    *,
    actor: User,
    appointment: Appointment,
    expected_version: int,
    persons: Iterable[Client] | None = None,
    **data: Any,
) -> Appointment:
    return _update_with_persons(
        appointment,
        actor=actor,
        expected_version=expected_version,
        persons=persons,
        data=data,
        fields=APPOINTMENT_FIELDS,
        clean=_check_not_cancelled,
    )


@transaction.atomic
def appointment_cancel(*, actor: User, appointment: Appointment, reason: str) -> Appointment:
    """Call an appointment off with a reason; it stays in the history, out of every week."""
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("Say why the appointment is cancelled.")})
    current = lock_record(appointment)
    if current.is_cancelled:
        return current
    current.cancelled_at = timezone.now()
    current.cancel_reason = reason
    save_transition(current, actor)
    return current
