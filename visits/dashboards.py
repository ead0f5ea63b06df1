"""The visits app's dashboard columns and statistics tables (see caseworks.supervision)."""

import datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from caseworks.supervision import (
    Column,
    StatTable,
    grouped,
    local_days,
    register_columns,
    register_statistics,
)
from visits.models import Accompaniment, Visit

TEAM, ASSIGNEE = "case__team_id", "case__assigned_to_id"


def recent_visit_start(today: datetime.date) -> datetime.date:
    """'The last 30 days': today and the 29 days before it."""
    return today - datetime.timedelta(days=29)


def cases_overdue(cases, today: datetime.date):
    """Follow-up overdue: the next visit due has passed, or nobody has visited for more than
    CASEWORKS_VISIT_INTERVAL_DAYS (counted from the last visit, or from the opening)."""
    limit = today - datetime.timedelta(days=settings.CASEWORKS_VISIT_INTERVAL_DAYS)
    # The last visit through a correlated subquery: one step down the (case, date) index a
    # case, where Max() over a join would group every visit of the team first.
    last_visit = (
        Visit.objects.held().filter(case=OuterRef("pk")).order_by("-date").values("date")[:1]
    )
    return cases.annotate(last_contact=Coalesce(Subquery(last_visit), "opened_on")).filter(
        Q(next_visit_due__lt=today) | Q(last_contact__lt=limit)
    )


def week_bounds(today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Monday 00:00 to the next Monday 00:00, local time."""
    from django.utils import timezone

    monday = today - datetime.timedelta(days=today.weekday())
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
    return start, start + datetime.timedelta(days=7)


@register_columns
def visit_columns(*, cases, today):
    since = recent_visit_start(today)
    start, end = week_bounds(today)
    recent = Visit.objects.held().filter(case__in=cases, date__gte=since)
    planned = Accompaniment.objects.filter(
        case__in=cases,
        status=Accompaniment.Status.PLANNED,
        appointment_at__gte=start,
        appointment_at__lt=end,
    )

    def visited(qs):
        return qs.filter(Exists(recent.filter(case=OuterRef("pk"))))

    def accompanied(qs):
        return qs.filter(Exists(planned.filter(case=OuterRef("pk"))))

    return [
        Column(
            "visits_30",
            _("visits in the last 30 days"),
            30,
            grouped(recent, TEAM, ASSIGNEE),
            drilldown=visited,
        ),
        Column(
            "overdue",
            _("follow-up overdue"),
            40,
            grouped(cases_overdue(cases, today), "team_id", "assigned_to_id"),
            drilldown=lambda qs: cases_overdue(qs, today),
        ),
        Column(
            "accompaniments_week",
            _("planned accompaniments this week"),
            70,
            grouped(planned, TEAM, ASSIGNEE),
            drilldown=accompanied,
        ),
    ]


@register_statistics
def visit_statistics(*, cases, start, end):
    visits = (
        Visit.objects.held()
        .filter(case__in=cases, date__gte=start, date__lte=end)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    kinds = dict(Visit.Kind.choices)
    first, after = local_days(start, end)
    done = (
        Accompaniment.objects.filter(
            case__in=cases,
            status=Accompaniment.Status.DONE,
            appointment_at__gte=first,
            appointment_at__lt=after,
        )
        .values("destination_kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    destinations = dict(Accompaniment.DestinationKind.choices)
    return [
        StatTable(
            "visits",
            _("First and follow-up visits"),
            60,
            [(str(kinds[r["kind"]]), r["n"]) for r in visits],
        ),
        StatTable(
            "accompaniments",
            _("Accompaniments (done) by destination type"),
            70,
            [(str(destinations[r["destination_kind"]]), r["n"]) for r in done],
        ),
    ]
