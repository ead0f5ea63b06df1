"""Reading visits and accompaniments. Case content is reached only through a case the user
may see (cases.selectors); volunteers reach only the accompaniments assigned to them."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import selectors as case_selectors
from cases.models import (
    Case,
    CaseQuerySet,
    CaseShare,
    Client,
    ClientReference,
    Deadline,
    ResidenceStatus,
)
from cases.page import url_maker
from cases.selectors import case_list_for_user
from caseworks.access.roles import Role, has_role
from visits.models import Accompaniment, Visit

WEEK = datetime.timedelta(days=7)
DAY = datetime.timedelta(days=1)


def visit_get_for_case(*, case: Case, code) -> Visit:
    visit = case.visits.select_related("recorded_by", "cancelled_by").filter(code=code).first()
    if visit is None:
        raise Http404("No such visit")
    return visit


def accompaniment_get_for_case(*, case: Case, code) -> Accompaniment:
    accompaniment = (
        case.accompaniments.select_related(
            "service", "client", "accompanied_by", "volunteer", "cancelled_by"
        )
        .prefetch_related("others")
        .filter(code=code)
        .first()
    )
    if accompaniment is None:
        raise Http404("No such accompaniment")
    return accompaniment


def last_visit(case: Case) -> Visit | None:
    """The latest visit that took place (a cancelled one does not count)."""
    return case.visits.held().defer("notes").prefetch_related("present").first()


# The caseworker's texts on an accompaniment: a volunteer's pages never load them. The volunteer
# reads `volunteer_note`, written for them.
CASEWORKER_TEXTS = ("purpose", "outcome", "cancel_note")


def accompaniments_for_volunteer(*, user) -> QuerySet[Accompaniment]:
    if not has_role(user, Role.VOLUNTEER):
        return Accompaniment.objects.none()
    return (
        Accompaniment.objects.filter(volunteer=user, case__closed_on__isnull=True)
        .select_related("service", "client", "case")
        .defer(*CASEWORKER_TEXTS, "case__accommodation_address")
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


# --- my week ------------------------------------------------------------------------------------


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of the week `day` is in."""
    return day - datetime.timedelta(days=day.weekday())


def _local_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class WeekEntry:
    """One line of "my week": what, for which case, and the one action it asks for."""

    kind: str  # accompaniment, visit_due, deadline, document, task, appointment
    day: datetime.date
    case: Case
    title: str  # shown to the user (decrypted for display only, never logged)
    action_url: str
    action_label: str
    at: datetime.datetime | None = None
    detail: str = ""
    url: str = ""  # the item's own page, when it has one besides the action
    action_post: bool = False  # the action is a POST (a button, not a link)
    overdue: bool = False
    urgent: bool = False
    obj: Any = None
    household: str = ""  # the main contact's name: which family this is about
    case_url: str = ""  # the case file (set for every entry by my_week)

    @property
    def label(self) -> str:
        """What kind of entry it is, in a word (the line's heading)."""
        if self.kind == "document":
            return _("Document expired") if self.overdue else _("Document expires")
        return str(WEEK_ENTRY_LABELS.get(self.kind, ""))


# The headings of my week's entries by kind (a document's depends on whether it expired).
WEEK_ENTRY_LABELS = {
    "accompaniment": gettext_lazy("Accompaniment"),
    "visit_due": gettext_lazy("Visit"),
    "deadline": gettext_lazy("Deadline"),
    "task": gettext_lazy("Task"),
    "appointment": gettext_lazy("Appointment"),
}


@dataclass
class WeekDay:
    day: datetime.date
    is_today: bool
    entries: list[WeekEntry]


# What the week shows of an accompaniment: when, where, for whom (first names). Not the
# purpose, outcome or notes, the interpreter's name or who goes along: unloaded, so never
# decrypted here (the accompaniment's page shows them).
_WEEK_ACCOMPANIMENT = (
    "id",
    "code",
    "case__code",
    "case__reference",
    "status",
    "appointment_at",
    "destination_kind",
    "destination_text",
    "service__name",
    "service__kind",
    "client__first_name",
)


def _accompaniment_entries(user, cases, today, until) -> list[WeekEntry]:
    now = timezone.now()
    accompaniments = (
        Accompaniment.objects.filter(
            status=Accompaniment.Status.PLANNED,
            case__closed_on__isnull=True,
            appointment_at__lt=_local_start(until),
        )
        .filter(Q(case__in=cases.values("pk")) | Q(accompanied_by=user))
        .select_related("service", "client", "case")
        .only(*_WEEK_ACCOMPANIMENT)
        .prefetch_related(Prefetch("others", queryset=Client.objects.only("id", "first_name")))
        .order_by("appointment_at")
    )
    detail_url = url_maker("case_visits:accompaniment_detail", varying=2)
    outcome_url = url_maker("case_visits:accompaniment_outcome", varying=2)
    entries = []
    for a in accompaniments:
        local = timezone.localtime(a.appointment_at)
        past = a.appointment_at <= now
        detail = _("with %(people)s") % {
            "people": ", ".join(c.first_name for c in [a.client, *a.others.all()])
        }
        entries.append(
            WeekEntry(
                kind="accompaniment",
                day=local.date(),
                at=a.appointment_at,
                case=a.case,
                title=f"{a.kind_label}: {a.destination}",
                detail=detail,
                url=detail_url(a.case.code, a.code),
                # After the appointment the one thing to do is the outcome.
                action_url=(outcome_url if past else detail_url)(a.case.code, a.code),
                action_label=_("Record outcome") if past else _("Open accompaniment"),
                overdue=local.date() < today,
                urgent=past,
                obj=a,
            )
        )
    return entries


def _visit_due_entries(cases, today, until) -> list[WeekEntry]:
    first_visit = Visit.objects.held().filter(case=OuterRef("pk"), kind=Visit.Kind.FIRST)
    due = (
        cases.annotate(has_first_visit=Exists(first_visit))
        .filter(Q(next_visit_due__lt=until) | Q(has_first_visit=False))
        .defer("accommodation_address")
        .order_by("next_visit_due", "reference")
    )
    visit_url = url_maker("case_visits:visit_new")
    entries = []
    for case in due:
        # A pending first visit without a due date is due now.
        day = case.next_visit_due or today
        if not case.has_first_visit and day > today:
            day = today
        entries.append(
            WeekEntry(
                kind="visit_due",
                day=day,
                case=case,
                title=_("Follow-up visit due")
                if case.has_first_visit
                else _("First visit pending"),
                action_url=visit_url(case.code),
                action_label=_("Record visit") if case.has_first_visit else _("Record first visit"),
                overdue=day < today,
                obj=case,
            )
        )
    return entries


def _deadline_entries(cases, today, until) -> list[WeekEntry]:
    deadlines = (
        Deadline.objects.filter(case__in=cases.values("pk"), done_on__isnull=True, due_on__lt=until)
        .select_related("case", "client")
        .defer("case__accommodation_address")
        .order_by("due_on")
    )
    deadlines_url = url_maker("cases:deadlines")
    return [
        WeekEntry(
            kind="deadline",
            day=d.due_on,
            case=d.case,
            title=d.label,
            detail=d.client.full_name if d.client else "",
            action_url=deadlines_url(d.case.code),
            action_label=_("Open deadlines"),
            overdue=d.due_on < today,
            urgent=d.is_escalated(today),
            obj=d,
        )
        for d in deadlines
    ]


# Encrypted values the week does not show: every loaded one costs a decryption (a large
# caseload lists a hundred documents and more).
_UNSHOWN_CLIENT_FIELDS = (
    "client__birth_date",
    "client__phone",
    "client__email",
    "client__case__accommodation_address",
)


def _document_entries(cases, today, until, since) -> list[WeekEntry]:
    """Current residence documents and reference numbers (passport, eAT, Wohnsitzauflage)
    that expired from `since` on or expire before the end of the shown week. Each person's
    current status only: an older document was replaced."""
    open_ids = cases.values("pk")
    statuses = (
        ResidenceStatus.objects.current()
        .filter(client__case__in=open_ids, valid_until__gte=since, valid_until__lt=until)
        .select_related("client", "client__case")
        .defer("document_number", *_UNSHOWN_CLIENT_FIELDS)
        .order_by("valid_until", "id")
    )
    references = (
        ClientReference.objects.filter(
            client__case__in=open_ids, valid_until__gte=since, valid_until__lt=until
        )
        .select_related("client", "client__case")
        .defer("number", *_UNSHOWN_CLIENT_FIELDS)
        .order_by("valid_until", "id")
    )
    status_url = url_maker("cases:status_add", varying=2)
    references_url = url_maker("cases:client_references", varying=2)
    entries = []
    for status in statuses:
        case, client = status.client.case, status.client
        assert status.valid_until is not None  # filtered above
        entries.append(
            WeekEntry(
                kind="document",
                day=status.valid_until,
                case=case,
                title=str(status.get_kind_display()),
                detail=client.full_name,
                action_url=status_url(case.code, client.code),
                action_label=_("Record new status"),
                overdue=status.valid_until < today,
                urgent=True,
                obj=status,
            )
        )
    for reference in references:
        case, client = reference.client.case, reference.client
        assert reference.valid_until is not None  # filtered above
        entries.append(
            WeekEntry(
                kind="document",
                day=reference.valid_until,
                case=case,
                title=str(reference.get_kind_display()),
                detail=client.full_name,
                action_url=references_url(case.code, client.code),
                action_label=_("Open reference numbers"),
                overdue=reference.valid_until < today,
                urgent=True,
                obj=reference,
            )
        )
    return entries


def _older_documents(cases, since) -> int:
    """Persons whose current document or a reference expired before `since` (one query)."""
    open_ids = cases.values("pk")
    statuses = ResidenceStatus.objects.current().filter(
        client__case__in=open_ids, valid_until__lt=since
    )
    references = ClientReference.objects.filter(client__case__in=open_ids, valid_until__lt=since)
    return Client.objects.filter(
        Q(pk__in=statuses.values("client_id")) | Q(pk__in=references.values("client_id"))
    ).count()


def _task_and_appointment_entries(user, start, end, today) -> list[WeekEntry]:
    """Tasks and client appointments (cases.selectors.week_items_for_user). A task's action
    is its confirmation page, which returns to the week."""
    entries = []
    for item in case_selectors.week_items_for_user(user=user, start=start, end=end):
        action_url = item.action_url
        if item.kind == "task":
            action_url = f"{action_url}?next=week"
        entries.append(
            WeekEntry(
                kind=item.kind,
                day=item.day,
                at=item.at,
                case=item.case,
                title=item.title,
                url=item.url,
                action_url=action_url,
                action_label=item.action_label,
                overdue=item.overdue or item.day < today,
                obj=item.obj,
            )
        )
    return entries


def _name_households(entries: list[WeekEntry]) -> None:
    """Each entry names its family (the main contact), in one query for all of them, and
    links its case file."""
    names = {
        c.case_id: c.full_name
        for c in Client.objects.filter(
            case_id__in={e.case.pk for e in entries}, relationship="main_contact"
        ).only("id", "case_id", "first_name", "last_name", "relationship")
    }
    case_url = url_maker("cases:detail")
    for entry in entries:
        entry.household = names.get(entry.case.pk, "")
        entry.case_url = case_url(entry.case.code)


def _order(entry: WeekEntry) -> tuple:
    # Timed entries in time order after the day's untimed ones (due dates come first).
    return (entry.day, entry.at is not None, entry.at or _local_start(entry.day), entry.kind)


def my_week(*, user, start: datetime.date | None = None, today: datetime.date | None = None):
    """The user's week, Monday to Sunday, day by day: planned accompaniments (theirs and
    those they go along to), visits due, open deadlines, expiring documents, tasks and
    client appointments — each with its direct action — and, above, what is overdue from
    before the week. Only open cases they work on. A fixed number of queries."""
    today = today or timezone.localdate()
    start = week_start(start or today)
    end = start + datetime.timedelta(days=6)
    until = end + DAY  # the first day after the week
    # The user's open cases read once, by id: each query below takes the list instead of
    # running the visibility subquery again (most of the week's SQL at city scale).
    cases = Case.objects.filter(pk__in=list(own_cases(user=user).values_list("pk", flat=True)))
    # Overdue: before the week, and before today (a later week does not call today's
    # items overdue; they are in their own week).
    overdue_before = min(start, today)
    # Documents that expired long ago would bury the week (in a large caseload: a hundred
    # and more): the week lists those of the expiry window, and counts the older ones,
    # which the caseload's expiry filter lists.
    since = overdue_before - datetime.timedelta(days=settings.CASEWORKS_EXPIRY_WARNING_DAYS)
    entries = [
        *_accompaniment_entries(user, cases, today, until),
        *_visit_due_entries(cases, today, until),
        *_deadline_entries(cases, today, until),
        *_document_entries(cases, today, until, since),
        *_task_and_appointment_entries(user, overdue_before, end, today),
    ]
    entries.sort(key=_order)
    _name_households(entries)
    overdue = [e for e in entries if e.day < overdue_before]
    days = [
        WeekDay(
            day=start + i * DAY,
            is_today=start + i * DAY == today,
            entries=[e for e in entries if e.day == start + i * DAY],
        )
        for i in range(7)
    ]
    shown = [e for e in entries if e.day < overdue_before or start <= e.day <= end]
    return {
        "today": today,
        "start": start,
        "end": end,
        "previous_week": start - WEEK,
        "next_week": start + WEEK,
        "is_this_week": start == week_start(today),
        "overdue": overdue,
        "older_documents": _older_documents(cases, since),
        "days": days,
        "count": len(shown),
        # By kind, for the pages and tests that ask for one kind.
        "deadlines": [e.obj for e in shown if e.kind == "deadline"],
        "accompaniments": [e.obj for e in shown if e.kind == "accompaniment"],
        "visits_due": [e.obj for e in shown if e.kind == "visit_due"],
        "documents": [e.obj for e in shown if e.kind == "document"],
    }
