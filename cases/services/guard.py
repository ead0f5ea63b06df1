"""The closed-case rule, written once, and the guard every versioned change of a case's record
passes (caseworks.web.concurrency.versioned_update): lock the case row first, refuse a closed
case. Lock order everywhere: the case, then the record. Also the household rule (a record
names only persons of its own case) and save_transition, the version bump of a change made
without a form."""

from collections.abc import Iterable
from typing import TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from cases.models import Case, Client
from caseworks.audit.log import save_audited
from caseworks.extensions.versioning import update_guards
from caseworks.models import Versioned

_Record = TypeVar("_Record", bound=models.Model)


def case_accepts_records(case: Case) -> bool:
    """The closed-case rule, the one place it is written: nothing is recorded on a closed
    case until a supervisor reopens it. Services enforce it (require_open); write views
    reach cases through open_case_get_for_user; templates read `can_record`."""
    return not case.is_closed


def lock_case(case: Case) -> Case:
    """Lock the case row and read it afresh (call inside the service's transaction). Taken
    before any row of the case's records, so that two services never wait on each other."""
    return Case.objects.select_for_update().get(pk=case.pk)


def require_open(case: Case) -> Case:
    """Lock the case row, read it afresh and refuse if it is closed; returns the locked
    case. Call inside the service's transaction.

    Race: a caseworker records a visit (or ticks a deadline) in one tab while the supervisor
    closes the case in another. The objects the first request loaded still say "open"; the
    row lock orders the two writes and the fresh read sees the closing."""
    current = lock_case(case)
    if not case_accepts_records(current):
        raise ValidationError(_("The case is closed: reopen it before changing it."))
    return current


def _foreign_key(record: models.Model, name: str, to: type[models.Model]) -> int | None:
    """The id in the record's foreign key `name` to `to`, if it has one: a field that only
    shares the name (a sign-in directory's OAuth `client_id`) is none."""
    try:
        field = record._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not isinstance(field, models.ForeignKey) or field.related_model is not to:
        return None
    value: int | None = getattr(record, field.attname)
    return value


def _case_id_of(record: models.Model) -> int | None:
    """The case a record belongs to: itself, its `case`, or its person's case."""
    if isinstance(record, Case):
        return record.pk
    case_id = _foreign_key(record, "case", Case)
    client_id = _foreign_key(record, "client", Client)
    if case_id is None and client_id is not None:
        case_id = Client.objects.values_list("case_id", flat=True).get(pk=client_id)
    return case_id


def guard_open_case(record: models.Model) -> None:
    """Every versioned change of a case's record (caseworks.web.concurrency.versioned_update)
    locks the case row first and refuses a closed case: the closed-case rule for every app,
    and one lock order (case, then record). A model whose records may change on a closed case
    says so with `changes_on_closed_case = True`. Services that change a case's record
    without a form (tick a task, cancel an appointment) call it before locking the record."""
    if getattr(record, "changes_on_closed_case", False):
        return
    case_id = _case_id_of(record)
    if case_id is not None:
        require_open(Case(pk=case_id))


update_guards.register(guard_open_case)


def lock_record(record: _Record) -> _Record:
    """A case's record changed without a form (tick done, cancel): guard_open_case, then the
    record's own row lock and a fresh read — the same order as versioned_update."""
    guard_open_case(record)
    return type(record)._default_manager.select_for_update().get(pk=record.pk)


def require_household_member(client: Client | None, case_id: int) -> None:
    """A visit, accompaniment, referral or deadline names only people of its own case."""
    if client is not None and client.case_id != case_id:
        raise ValidationError({"client": _("The person must belong to this household.")})


def require_persons_of(
    case_id: int, persons: Iterable[Client], field: str = "persons"
) -> list[Client]:
    """require_household_member for a record naming several persons (contacts, appointments)."""
    chosen = list(persons)
    if any(p.case_id != case_id for p in chosen):
        raise ValidationError({field: _("The person must belong to this household.")})
    return chosen


def save_transition(record: Versioned, actor: User) -> None:
    """Save a change a service makes without a form (assign, close, tick a task done, cancel):
    the version moves on all the same, so that a form loaded before it is refused
    (ConcurrentEdit) instead of writing over it. Form edits go through versioned_update."""
    record.version += 1
    save_audited(record, actor)
