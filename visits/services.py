"""Recording visits, the arrival checklist and accompaniments. Each rule refuses with a clear
message and saves nothing (one transaction); the acting user is the history user."""

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.models import Case, Client, Need
from cases.services import (
    case_set_next_visit_due,
    caseworkers_of,
    deadline_undo_hours,
    require_household_member,
    require_open,
)
from caseworks.access.roles import Role, has_any_role, has_role
from caseworks.audit.log import save_audited
from caseworks.extensions import volunteering
from caseworks.web.concurrency import versioned_update
from visits.models import (
    VOLUNTEER_CANCEL_REASONS,
    Accompaniment,
    ArrivalCheck,
    CancelReason,
    ChecklistItem,
    Topic,
    Visit,
)


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
    # Cancelled visits took no place: they neither block nor order the others.
    others = case.visits.held().exclude(pk=visit.pk)
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
    needs: Iterable[Need] = (),
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
    visit.needs.set(_needs_of(case, needs))
    if kind == Visit.Kind.FIRST:
        done = checklist or {}
        # A first visit recorded again after a cancelled one finds the checklist in place.
        existing = {c.item: c for c in case.arrival_checks.select_for_update()}
        for item in ChecklistItem.values:
            check = existing.get(item)
            if check is None:
                check = ArrivalCheck(case=case, item=item)
            elif check.is_done or not done.get(item):
                continue
            check.is_done = bool(done.get(item))
            check.done_on = visit.date if done.get(item) else None
            save_audited(check, actor)
    if visit.next_visit_due is not None:
        case_set_next_visit_due(actor=actor, case=case, next_visit_due=visit.next_visit_due)
    return visit


def _needs_of(case: Case, needs: Iterable[Need]) -> list[Need]:
    """The case plan's needs a visit or accompaniment served: of this case only."""
    needs = list(needs)
    if any(n.case_id != case.pk for n in needs):
        raise ValidationError({"needs": _("The need must belong to this case.")})
    return needs


@transaction.atomic
def visit_update(
    *,
    actor: User,
    visit: Visit,
    expected_version: int,
    data: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Visit:
    """Correct a visit: `data` or the changed fields as keywords (VersionedForm.update)."""
    values = {**(data or {}), **changes}
    case = visit.case
    present: list[Client] = []

    def check(current: Visit) -> None:
        if current.is_cancelled:
            raise ValidationError(_("This visit was cancelled: it cannot be changed any more."))
        present.extend(values.get("present", current.present.all()))
        _check_visit(case, current, present)

    if "topics" in values:
        values["topics"] = list(values["topics"])
    current = versioned_update(
        visit,
        actor=actor,
        expected_version=expected_version,
        data=values,
        fields=VISIT_FIELDS,
        clean=check,
    )
    current.present.set(present)
    if "needs" in values:
        current.needs.set(_needs_of(case, values["needs"]))
    latest = case.visits.held().order_by("-date", "-id").first()
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


def _next_visit_due_after_cancelling(actor: User, case: Case, cancelled: Visit) -> None:
    """The case's next visit due came from the latest visit: when that one is cancelled, the
    latest visit still standing sets it again (none left: no due date, the first visit is
    pending). A due date set later by hand is left alone."""
    if cancelled.next_visit_due is None:
        return
    case = Case.objects.get(pk=case.pk)
    if case.next_visit_due != cancelled.next_visit_due:
        return
    latest = case.visits.held().order_by("-date", "-id").first()
    if latest is not None and (latest.date, latest.pk) > (cancelled.date, cancelled.pk):
        return
    due = latest.next_visit_due if latest is not None else None
    case_set_next_visit_due(actor=actor, case=case, next_visit_due=due)


def _check_reason(reason: str, allowed: Iterable[str] = CancelReason.values) -> None:
    if reason not in set(allowed):
        raise ValidationError({"reason": [_("Choose a reason.")]})


def _mark_cancelled(row: Visit | Accompaniment, actor: User, reason: str, note: str) -> None:
    row.cancelled_at = timezone.now()
    row.cancelled_by = actor
    row.cancel_reason = reason
    row.cancel_note = note.strip()
    row.version += 1
    save_audited(row, actor)


@transaction.atomic
def visit_cancel(*, actor: User, visit: Visit, reason: str, note: str = "") -> Visit:
    """Cancel a visit recorded by mistake or that did not take place. It stays in the history
    and on the timeline, marked; it no longer counts anywhere. Cancelling again changes
    nothing (a double tap, a second tab)."""
    case = require_open(visit.case)
    # Race: a second tab cancelling or editing the same visit waits for this lock.
    current: Visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if current.is_cancelled:
        return current
    _check_reason(reason)
    if (
        current.kind == Visit.Kind.FIRST
        and case.visits.held().filter(kind=Visit.Kind.FOLLOW_UP).exists()
    ):
        raise ValidationError(
            _(
                "Follow-up visits were recorded after this first visit, so it cannot be "
                "cancelled. Correct its details instead."
            )
        )
    _mark_cancelled(current, actor, reason, note)
    _next_visit_due_after_cancelling(actor, case, current)
    return current


def staff_for(case: Case) -> QuerySet[User]:
    """Who can go along as staff: the team's caseworkers."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True, pk__in=caseworkers_of(case.team).values("pk"))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def volunteers_for(case: Case) -> QuerySet[User]:
    """Who can go along as a volunteer: any active volunteer the registered filters keep."""
    User = get_user_model()
    users = User.objects.filter(is_active=True, groups__name=Role.VOLUNTEER)
    for narrow in volunteering.volunteer_filters:  # the volunteers app's rules
        users = narrow(users)
    return users.order_by("last_name", "first_name", "username")


def companions_for(case: Case) -> QuerySet[User]:
    """Who can accompany: the team's caseworkers and the volunteers."""
    return (staff_for(case) | volunteers_for(case)).distinct()


def _is_only_volunteer(user: User | None) -> bool:
    return (
        user is not None
        and has_role(user, Role.VOLUNTEER)
        and not has_any_role(user, Role.CASEWORKER, Role.SUPERVISOR)
    )


def _normalise_companions(data: dict[str, Any]) -> dict[str, Any]:
    """Callers from before staff and volunteer were separate name one companion as
    `accompanied_by`: a volunteer there is the accompaniment's volunteer."""
    data = dict(data)
    if "volunteer" not in data and _is_only_volunteer(data.get("accompanied_by")):
        data["volunteer"] = data.pop("accompanied_by")
        data["accompanied_by"] = None
    return data


def _check_accompaniment(accompaniment: Accompaniment, others: Sequence[Client] = ()) -> None:
    # "Someone goes along" is the planning form's rule (AccompanimentForm.clean), not this
    # one's: older records, imports and the demo name nobody, and that stays valid.
    require_household_member(accompaniment.client, accompaniment.case_id)
    errors: dict[str, list[str]] = {}
    if any(c.case_id != accompaniment.case_id for c in others):
        errors["others"] = [_("Only members of this household can go along.")]
    if (
        accompaniment.accompanied_by_id
        and not staff_for(accompaniment.case).filter(pk=accompaniment.accompanied_by_id).exists()
    ):
        errors["accompanied_by"] = [_("Only a caseworker of the team can go along as staff.")]
    if (
        accompaniment.volunteer_id
        and not volunteers_for(accompaniment.case).filter(pk=accompaniment.volunteer_id).exists()
    ):
        errors["volunteer"] = [_("Only a volunteer can go along as a volunteer.")]
    if not accompaniment.service_id and not accompaniment.destination_text.strip():
        errors["service"] = [_("Choose a destination from the directory or describe it.")]
    if not accompaniment.service_id and not accompaniment.destination_kind:
        errors["destination_kind"] = [_("Choose the kind of destination.")]
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
    "volunteer_note",
    "outcome",
    "accompanied_by",
    "volunteer",
    "interpreter_language",
    "interpreter_name",
    "status",
)


def _derive_destination_kind(accompaniment: Accompaniment) -> None:
    if accompaniment.service is not None:
        # The directory knows what the destination is (an advice service is no authority).
        accompaniment.destination_kind = accompaniment.service.kind


def _others(accompaniment: Accompaniment, data: dict[str, Any]) -> list[Client]:
    others = data.get("others")
    chosen = list(others) if others is not None else list(accompaniment.others.all())
    return [c for c in chosen if c.pk != accompaniment.client_id]


@transaction.atomic
def accompaniment_plan(*, actor: User, case: Case, data: dict[str, Any]) -> Accompaniment:
    case = require_open(case)
    data = _normalise_companions(data)
    accompaniment = Accompaniment(
        case=case, **{k: v for k, v in data.items() if k in ACCOMPANIMENT_FIELDS}
    )
    _derive_destination_kind(accompaniment)
    accompaniment.status = Accompaniment.Status.PLANNED
    others = [c for c in data.get("others", ()) if c.pk != accompaniment.client_id]
    _check_accompaniment(accompaniment, others)
    save_audited(accompaniment, actor)
    accompaniment.others.set(others)
    return accompaniment


@transaction.atomic
def accompaniment_update(
    *,
    actor: User,
    accompaniment: Accompaniment,
    expected_version: int,
    data: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Accompaniment:
    """Change a planned (or done) accompaniment: `data` or the changed fields as keywords
    (VersionedForm.update); cancelling has its own service."""
    data = _normalise_companions({**(data or {}), **changes})
    if data.get("status") == Accompaniment.Status.CANCELLED:
        raise ValidationError(
            {"status": [_("Cancel the accompaniment with a reason (Cancel accompaniment).")]}
        )
    others: list[Client] = []

    def check(current: Accompaniment) -> None:
        # cancelled_at is no field a form reaches: the applied record says what was stored.
        if current.is_cancelled:
            raise ValidationError(
                _("This accompaniment was cancelled: it cannot be changed any more.")
            )
        _derive_destination_kind(current)
        others.extend(_others(current, data))
        _check_accompaniment(current, others)

    current = versioned_update(
        accompaniment,
        actor=actor,
        expected_version=expected_version,
        data=data,
        fields=ACCOMPANIMENT_FIELDS,
        clean=check,
    )
    current.others.set(others)
    return current


@transaction.atomic
def accompaniment_complete(
    *, actor: User, accompaniment: Accompaniment, expected_version: int, outcome: str
) -> Accompaniment:
    """A volunteer (or caseworker) records that the accompaniment took place."""

    def complete(current: Accompaniment) -> None:
        # The move planned -> done is the service's, from the stored status (not a field
        # the caller sends, which would make every accompaniment look planned).
        if current.status != Accompaniment.Status.PLANNED:
            raise ValidationError(_("This accompaniment is no longer planned."))
        current.status = Accompaniment.Status.DONE
        _check_accompaniment(current)

    return versioned_update(
        accompaniment,
        actor=actor,
        expected_version=expected_version,
        data={"outcome": outcome},
        fields=("outcome",),
        clean=complete,
    )


def _cancel_accompaniment(
    actor: User,
    accompaniment: Accompaniment,
    reason: str,
    note: str,
    allowed_reasons: Iterable[str],
    check: Callable[[Accompaniment], None] | None = None,
) -> Accompaniment:
    """Case row first, then the accompaniment's (the one lock order of every update)."""
    require_open(accompaniment.case)
    # Race: the volunteer reporting "did not take place" while the caseworker records the
    # outcome: the row lock orders them, and the second sees the first's status.
    current: Accompaniment = Accompaniment.objects.select_for_update().get(pk=accompaniment.pk)
    if check is not None:
        check(current)
    if current.is_cancelled:
        return current
    _check_reason(reason, allowed_reasons)
    current.status = Accompaniment.Status.CANCELLED
    _mark_cancelled(current, actor, reason, note)
    return current


@transaction.atomic
def accompaniment_cancel(
    *,
    actor: User,
    accompaniment: Accompaniment,
    reason: str,
    note: str = "",
    allowed_reasons: Iterable[str] = CancelReason.values,
) -> Accompaniment:
    """Cancel a planned or done accompaniment (recorded by mistake, did not take place, the
    client did not come). Kept, marked, counted nowhere. Cancelling again changes nothing."""
    return _cancel_accompaniment(actor, accompaniment, reason, note, allowed_reasons)


@transaction.atomic
def accompaniment_report_not_held(
    *, actor: User, accompaniment: Accompaniment, reason: str, note: str = ""
) -> Accompaniment:
    """The volunteer going along reports that the appointment did not take place."""

    def reported_by_volunteer(current: Accompaniment) -> None:
        if current.volunteer_id != actor.pk:
            raise ValidationError(_("Only the volunteer going along can report this."))
        if current.status == Accompaniment.Status.DONE:
            raise ValidationError(_("This accompaniment is already recorded as done."))
        if not report_not_held_possible(current):
            raise ValidationError(
                _(
                    "Only an appointment of today or earlier can be reported as not held. If "
                    "it is called off in advance, tell the caseworker."
                )
            )

    return _cancel_accompaniment(
        actor, accompaniment, reason, note, VOLUNTEER_CANCEL_REASONS, reported_by_volunteer
    )


def report_not_held_possible(accompaniment: Accompaniment) -> bool:
    """A volunteer reports "did not take place" on the day or after it, never ahead."""
    return timezone.localtime(accompaniment.appointment_at).date() <= timezone.localdate()


def report_not_held_undo_until(accompaniment: Accompaniment) -> datetime.datetime | None:
    """Until when the volunteer's "did not take place" can be taken back: the house's one
    undo window (CASEWORKS_DEADLINE_UNDO_HOURS, as for a deadline ticked by mistake) after
    the report. None: not a volunteer's report."""
    if (
        not accompaniment.is_cancelled
        or accompaniment.cancelled_at is None
        or accompaniment.cancel_reason not in VOLUNTEER_CANCEL_REASONS
        or accompaniment.cancelled_by_id != accompaniment.volunteer_id
    ):
        return None
    return accompaniment.cancelled_at + datetime.timedelta(hours=deadline_undo_hours())


@transaction.atomic
def accompaniment_report_not_held_undo(
    *, actor: User, accompaniment: Accompaniment, expected_version: int
) -> Accompaniment:
    """The volunteer takes their "did not take place" back (a tap on the wrong appointment):
    planned again, within report_not_held_undo_until. Taking it back twice changes nothing."""

    def plan_again(current: Accompaniment) -> None:
        if current.volunteer_id != actor.pk or current.cancelled_by_id != actor.pk:
            raise ValidationError(_("Only the volunteer who reported it can take it back."))
        until = report_not_held_undo_until(current)
        if until is None or timezone.now() >= until:
            raise ValidationError(
                _("This was reported too long ago to take it back here: tell the caseworker.")
            )
        current.status = Accompaniment.Status.PLANNED
        current.cancelled_at = None
        current.cancelled_by = None
        current.cancel_reason = ""
        current.cancel_note = ""

    if not accompaniment.is_cancelled:
        return accompaniment
    return versioned_update(
        accompaniment,
        actor=actor,
        expected_version=expected_version,
        data={},
        fields=(),
        clean=plan_again,
    )
