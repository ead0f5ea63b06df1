"""Reading visits and accompaniments. Case content is reached only through a case the user
may see (cases.selectors); volunteers reach only the accompaniments assigned to them."""

import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import Case, CaseQuerySet, CaseShare, Client, Deadline
from cases.selectors import LIST_DEFERRED, case_list_for_user
from caseworks.roles import Role, has_role
from visits.models import Accompaniment, Visit

WEEK = datetime.timedelta(days=7)


def visit_get_for_case(*, case: Case, code) -> Visit:
    visit = case.visits.select_related("recorded_by").filter(code=code).first()
    if visit is None:
        raise Http404("No such visit")
    return visit


def accompaniment_get_for_case(*, case: Case, code) -> Accompaniment:
    accompaniment = (
        case.accompaniments.select_related("service", "client", "accompanied_by")
        .filter(code=code)
        .first()
    )
    if accompaniment is None:
        raise Http404("No such accompaniment")
    return accompaniment


def last_visit(case: Case) -> Visit | None:
    return case.visits.defer("notes").prefetch_related("present").first()


def accompaniments_for_volunteer(*, user) -> QuerySet[Accompaniment]:
    if not has_role(user, Role.VOLUNTEER):
        return Accompaniment.objects.none()
    return (
        Accompaniment.objects.filter(accompanied_by=user, case__closed_on__isnull=True)
        .select_related("service", "client", "case")
        .defer("outcome", "case__accommodation_address")
    )


def accompaniment_get_for_volunteer(*, user, code) -> Accompaniment:
    accompaniment = accompaniments_for_volunteer(user=user).filter(code=code).first()
    if accompaniment is None:
        raise Http404("No such accompaniment")
    return accompaniment


def own_cases(*, user) -> CaseQuerySet:
    """Open cases the user works on: assigned to or shared with them (and visible)."""
    shared = CaseShare.objects.filter(case=OuterRef("pk"), user=user)
    return case_list_for_user(user=user).filter(Q(assigned_to=user) | Q(Exists(shared)))


def my_week(*, user, today: datetime.date | None = None) -> dict:
    """Planned accompaniments (overdue ones too) and visits due within a week, across the
    user's cases and the accompaniments they go along to. A fixed number of queries."""
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    cases = own_cases(user=user)
    accompaniments = (
        Accompaniment.objects.filter(
            status=Accompaniment.Status.PLANNED,
            case__closed_on__isnull=True,
            appointment_at__lt=start + WEEK,
        )
        .filter(Q(case__in=cases.values("pk")) | Q(accompanied_by=user))
        .select_related("service", "client", "case", "accompanied_by")
        .defer("outcome", "purpose", *LIST_DEFERRED)
        .order_by("appointment_at")
    )
    # The page shows the main contact's name: nothing else of theirs is decrypted.
    main_contacts = Prefetch(
        "clients",
        queryset=Client.objects.filter(relationship="main_contact").only(
            "id", "case_id", "first_name", "last_name", "relationship"
        ),
        to_attr="main_contacts",
    )
    first_visit = Visit.objects.filter(case=OuterRef("pk"), kind=Visit.Kind.FIRST)
    due = (
        cases.annotate(has_first_visit=Exists(first_visit))
        .filter(Q(next_visit_due__lt=today + WEEK) | Q(has_first_visit=False))
        .defer("accommodation_address")
        .prefetch_related(main_contacts)
        .order_by("next_visit_due", "reference")
    )
    deadlines = (
        Deadline.objects.filter(
            case__in=cases.values("pk"), done_on__isnull=True, due_on__lt=today + WEEK
        )
        .select_related("case", "client")
        .order_by("due_on")
    )
    return {
        "today": today,
        "deadlines": list(deadlines),
        "overdue_accompaniments": [a for a in accompaniments if a.appointment_at < start],
        "accompaniments": [a for a in accompaniments if a.appointment_at >= start],
        "visits_due": list(due),
    }
