"""Recording visits, the arrival checklist and accompaniments. Each rule refuses with a clear
message and saves nothing (one transaction); the acting user is the history user."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.models import Case
from cases.services import ConcurrentEdit, case_set_next_visit_due, caseworkers_of
from caseworks.roles import Role
from visits.models import Accompaniment, ArrivalCheck, ChecklistItem, Topic, Visit


def _save(obj, actor) -> None:
    obj.full_clean()
    obj._history_user = actor
    obj.save()


def _d(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _lock_open_case(case: Case) -> Case:
    # Race: two phones recording "the" first visit at once. Locking the case row makes the
    # second wait and then see the first (the partial unique constraint is the backstop).
    current = Case.objects.select_for_update().get(pk=case.pk)
    if current.is_closed:
        raise ValidationError(_("The case is closed: reopen it before recording anything."))
    return current


@transaction.atomic
def visit_record(*, actor, case: Case, kind: str, date: datetime.date, duration_minutes: int,
                 place: str, present=(), interpreter_language: str = "",
                 interpreter_name: str = "", topics=(), notes: str = "",
                 next_visit_due: datetime.date | None = None,
                 checklist: dict[str, bool] | None = None) -> Visit:
    case = _lock_open_case(case)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if date > today:
        errors.setdefault("date", []).append(_("A visit cannot be dated in the future."))
    if date < case.opened_on:
        errors.setdefault("date", []).append(
            _("A visit cannot be dated before the case was opened (%(date)s).")
            % {"date": _d(case.opened_on)})
    first = case.visits.filter(kind=Visit.Kind.FIRST).first()
    if kind == Visit.Kind.FIRST and first is not None:
        errors.setdefault("kind", []).append(
            _("This case already has its first visit (%(date)s). Record a follow-up visit.")
            % {"date": _d(first.date)})
    if kind == Visit.Kind.FOLLOW_UP:
        if first is None:
            errors.setdefault("kind", []).append(
                _("Record the first visit before any follow-up visit."))
        elif date < first.date:
            errors.setdefault("date", []).append(
                _("A follow-up visit cannot be before the first visit (%(date)s).")
                % {"date": _d(first.date)})
    if next_visit_due is not None and next_visit_due < date:
        errors.setdefault("next_visit_due", []).append(
            _("The next visit cannot be due before this visit."))
    present = list(present)
    if any(client.case_id != case.pk for client in present):
        errors.setdefault("present", []).append(_("Only members of this household can be present."))
    unknown = set(topics) - set(Topic.values)
    if unknown:
        errors.setdefault("topics", []).append(_("Unknown topic."))
    if errors:
        raise ValidationError(errors)

    visit = Visit(case=case, kind=kind, date=date, duration_minutes=duration_minutes,
                  place=place, interpreter_language=interpreter_language,
                  interpreter_name=interpreter_name, topics=list(topics), notes=notes,
                  next_visit_due=next_visit_due, recorded_by=actor)
    _save(visit, actor)
    visit.present.set(present)
    if kind == Visit.Kind.FIRST:
        done = checklist or {}
        for item in ChecklistItem.values:
            check = ArrivalCheck(case=case, item=item, is_done=bool(done.get(item)),
                                 done_on=date if done.get(item) else None)
            _save(check, actor)
    if next_visit_due is not None:
        case_set_next_visit_due(actor=actor, case=case, next_visit_due=next_visit_due)
    return visit


@transaction.atomic
def arrival_check_done(*, actor, check: ArrivalCheck, note: str = "") -> ArrivalCheck:
    _lock_open_case(check.case)
    current = ArrivalCheck.objects.select_for_update().get(pk=check.pk)
    if not current.is_done:
        current.is_done = True
        current.done_on = timezone.localdate()
        current.note = note
        _save(current, actor)
    return current


def companions_for(case: Case):
    """Who can accompany: the team's caseworkers and the volunteers."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(pk__in=caseworkers_of(case.team).values("pk"))
        | User.objects.filter(is_active=True, groups__name=Role.VOLUNTEER)
    ).distinct().order_by("last_name", "first_name", "username")


def _check_accompaniment(accompaniment: Accompaniment) -> None:
    errors: dict[str, list[str]] = {}
    if accompaniment.client.case_id != accompaniment.case_id:
        errors["client"] = [_("The person must belong to this household.")]
    if accompaniment.accompanied_by_id and not companions_for(accompaniment.case).filter(
            pk=accompaniment.accompanied_by_id).exists():
        errors["accompanied_by"] = [
            _("Only a caseworker of the team or a volunteer can accompany.")]
    if not accompaniment.service_id and not accompaniment.destination_text.strip():
        errors["service"] = [_("Choose a destination from the directory or describe it.")]
    if (accompaniment.status == Accompaniment.Status.DONE
            and accompaniment.appointment_at > timezone.now()):
        errors["status"] = [_("An accompaniment cannot be done before its appointment time.")]
    if errors:
        raise ValidationError(errors)


ACCOMPANIMENT_FIELDS = (
    "client", "destination_kind", "service", "destination_text", "appointment_at", "purpose",
    "outcome", "accompanied_by", "interpreter_language", "interpreter_name", "status",
)


@transaction.atomic
def accompaniment_plan(*, actor, case: Case, data: dict) -> Accompaniment:
    case = _lock_open_case(case)
    accompaniment = Accompaniment(
        case=case, **{k: v for k, v in data.items() if k in ACCOMPANIMENT_FIELDS})
    accompaniment.status = Accompaniment.Status.PLANNED
    _check_accompaniment(accompaniment)
    _save(accompaniment, actor)
    return accompaniment


def _lock_accompaniment(accompaniment: Accompaniment, expected_version: int) -> Accompaniment:
    current = Accompaniment.objects.select_for_update().get(pk=accompaniment.pk)
    if current.version != expected_version:
        previous = current.history.filter(version=expected_version).first()
        latest = current.history.first()
        changed = []
        if previous is not None and latest is not None:
            changed = [str(Accompaniment._meta.get_field(c.field).verbose_name)
                       for c in latest.diff_against(previous).changes]
        raise ConcurrentEdit(current=current, changed_fields=changed)
    return current


@transaction.atomic
def accompaniment_update(*, actor, accompaniment: Accompaniment, expected_version: int,
                         data: dict) -> Accompaniment:
    _lock_open_case(accompaniment.case)
    current = _lock_accompaniment(accompaniment, expected_version)
    for field in ACCOMPANIMENT_FIELDS:
        if field in data:
            setattr(current, field, data[field])
    _check_accompaniment(current)
    current.version += 1
    _save(current, actor)
    return current


@transaction.atomic
def accompaniment_complete(*, actor, accompaniment: Accompaniment, expected_version: int,
                           outcome: str) -> Accompaniment:
    """A volunteer (or caseworker) records that the accompaniment took place."""
    _lock_open_case(accompaniment.case)
    current = _lock_accompaniment(accompaniment, expected_version)
    if current.status != Accompaniment.Status.PLANNED:
        raise ValidationError(_("This accompaniment is no longer planned."))
    current.status = Accompaniment.Status.DONE
    current.outcome = outcome
    _check_accompaniment(current)
    current.version += 1
    _save(current, actor)
    return current
