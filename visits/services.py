"""Recording visits, the arrival checklist and accompaniments. Each rule refuses with a clear
message and saves nothing (one transaction); the acting user is the history user."""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.models import Case, Client
from cases.services import (
    case_set_next_visit_due,
    caseworkers_of,
    require_household_member,
    require_open,
)
from caseworks.audit import save_audited
from caseworks.concurrency import lock_versioned
from caseworks.roles import Role
from visits.models import Accompaniment, ArrivalCheck, ChecklistItem, Topic, Visit


def _d(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _check_visit(case: Case, visit: Visit, present: Sequence[Client]) -> None:
    """The visit rules, each with its own message (all of them at once, per field)."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if visit.date > today:
        errors.setdefault("date", []).append(_("A visit cannot be dated in the future."))
    if visit.date < case.opened_on:
        errors.setdefault("date", []).append(
            _("A visit cannot be dated before the case was opened (%(date)s).")
            % {"date": _d(case.opened_on)}
        )
    others = case.visits.exclude(pk=visit.pk)
    first = others.filter(kind=Visit.Kind.FIRST).first()
    if visit.kind == Visit.Kind.FIRST:
        if first is not None:
            errors.setdefault("kind", []).append(
                _("This case already has its first visit (%(date)s). Record a follow-up visit.")
                % {"date": _d(first.date)}
            )
        earliest = others.filter(kind=Visit.Kind.FOLLOW_UP).order_by("date").first()
        if earliest is not None and visit.date > earliest.date:
            errors.setdefault("date", []).append(
                _("The first visit cannot be after a follow-up visit (%(date)s).")
                % {"date": _d(earliest.date)}
            )
    if visit.kind == Visit.Kind.FOLLOW_UP:
        if first is None:
            errors.setdefault("kind", []).append(
                _("Record the first visit before any follow-up visit.")
            )
        elif visit.date < first.date:
            errors.setdefault("date", []).append(
                _("A follow-up visit cannot be before the first visit (%(date)s).")
                % {"date": _d(first.date)}
            )
    if visit.next_visit_due is not None and visit.next_visit_due < visit.date:
        errors.setdefault("next_visit_due", []).append(
            _("The next visit cannot be due before this visit.")
        )
    if any(client.case_id != case.pk for client in present):
        errors.setdefault("present", []).append(_("Only members of this household can be present."))
    if set(visit.topics) - set(Topic.values):
        errors.setdefault("topics", []).append(_("Unknown topic."))
    if errors:
        raise ValidationError(errors)


VISIT_FIELDS = (
    "date",
    "duration_minutes",
    "place",
    "interpreter_language",
    "interpreter_name",
    "topics",
    "notes",
    "next_visit_due",
)


@transaction.atomic
def visit_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    present: Iterable[Client] = (),
    checklist: Mapping[str, bool] | None = None,
    **data: Any,
) -> Visit:
    """Record a first or follow-up visit; a first visit saves the arrival checklist."""
    # Race: two phones recording "the" first visit at once: require_open locks the case
    # row, so the second waits and then sees the first (a partial unique constraint backs it).
    case = require_open(case)
    present = list(present)
    visit = Visit(
        case=case,
        kind=kind,
        recorded_by=actor,
        **{k: v for k, v in data.items() if k in VISIT_FIELDS},
    )
    visit.topics = list(visit.topics)
    _check_visit(case, visit, present)
    save_audited(visit, actor)
    visit.present.set(present)
    if kind == Visit.Kind.FIRST:
        done = checklist or {}
        for item in ChecklistItem.values:
            check = ArrivalCheck(
                case=case,
                item=item,
                is_done=bool(done.get(item)),
                done_on=visit.date if done.get(item) else None,
            )
            save_audited(check, actor)
    if visit.next_visit_due is not None:
        case_set_next_visit_due(actor=actor, case=case, next_visit_due=visit.next_visit_due)
    return visit


@transaction.atomic
def visit_update(
    *, actor: User, visit: Visit, expected_version: int, data: dict[str, Any]
) -> Visit:
    case = require_open(visit.case)
    current = lock_versioned(visit, expected_version)
    present = list(data.get("present", current.present.all()))
    for field in VISIT_FIELDS:
        if field in data:
            setattr(current, field, list(data[field]) if field == "topics" else data[field])
    _check_visit(case, current, present)
    current.version += 1
    save_audited(current, actor)
    current.present.set(present)
    latest = case.visits.order_by("-date", "-id").first()
    assert latest is not None  # this visit, at least
    if latest.pk == current.pk and current.next_visit_due is not None:
        case_set_next_visit_due(actor=actor, case=case, next_visit_due=current.next_visit_due)
    return current


@transaction.atomic
def arrival_check_done(*, actor: User, check: ArrivalCheck, note: str = "") -> ArrivalCheck:
    require_open(check.case)
    current = ArrivalCheck.objects.select_for_update().get(pk=check.pk)
    if not current.is_done:
        current.is_done = True
        current.done_on = timezone.localdate()
        current.note = note
        save_audited(current, actor)
    return current


def companions_for(case: Case) -> QuerySet[User]:
    """Who can accompany: the team's caseworkers and the volunteers."""
    User = get_user_model()
    return (
        (
            User.objects.filter(is_active=True).filter(
                pk__in=caseworkers_of(case.team).values("pk")
            )
            | User.objects.filter(is_active=True, groups__name=Role.VOLUNTEER)
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _check_accompaniment(accompaniment: Accompaniment) -> None:
    require_household_member(accompaniment.client, accompaniment.case_id)
    errors: dict[str, list[str]] = {}
    if (
        accompaniment.accompanied_by_id
        and not companions_for(accompaniment.case)
        .filter(pk=accompaniment.accompanied_by_id)
        .exists()
    ):
        errors["accompanied_by"] = [
            _("Only a caseworker of the team or a volunteer can accompany.")
        ]
    if not accompaniment.service_id and not accompaniment.destination_text.strip():
        errors["service"] = [_("Choose a destination from the directory or describe it.")]
    if (
        accompaniment.status == Accompaniment.Status.DONE
        and accompaniment.appointment_at > timezone.now()
    ):
        errors["status"] = [_("An accompaniment cannot be done before its appointment time.")]
    if errors:
        raise ValidationError(errors)


ACCOMPANIMENT_FIELDS = (
    "client",
    "destination_kind",
    "service",
    "destination_text",
    "appointment_at",
    "purpose",
    "outcome",
    "accompanied_by",
    "interpreter_language",
    "interpreter_name",
    "status",
)


@transaction.atomic
def accompaniment_plan(*, actor: User, case: Case, data: dict[str, Any]) -> Accompaniment:
    case = require_open(case)
    accompaniment = Accompaniment(
        case=case, **{k: v for k, v in data.items() if k in ACCOMPANIMENT_FIELDS}
    )
    accompaniment.status = Accompaniment.Status.PLANNED
    _check_accompaniment(accompaniment)
    save_audited(accompaniment, actor)
    return accompaniment


@transaction.atomic
def accompaniment_update(
    *, actor: User, accompaniment: Accompaniment, expected_version: int, data: dict[str, Any]
) -> Accompaniment:
    require_open(accompaniment.case)
    current = lock_versioned(accompaniment, expected_version)
    for field in ACCOMPANIMENT_FIELDS:
        if field in data:
            setattr(current, field, data[field])
    _check_accompaniment(current)
    current.version += 1
    save_audited(current, actor)
    return current


@transaction.atomic
def accompaniment_complete(
    *, actor: User, accompaniment: Accompaniment, expected_version: int, outcome: str
) -> Accompaniment:
    """A volunteer (or caseworker) records that the accompaniment took place."""
    require_open(accompaniment.case)
    current = lock_versioned(accompaniment, expected_version)
    if current.status != Accompaniment.Status.PLANNED:
        raise ValidationError(_("This accompaniment is no longer planned."))
    current.status = Accompaniment.Status.DONE
    current.outcome = outcome
    _check_accompaniment(current)
    current.version += 1
    save_audited(current, actor)
    return current
