"""The visits app's dashboard columns and statistics tables (see
caseworks.extensions.supervision)."""

import datetime
from statistics import median

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.law.topics import Topic
from cases.models import Contact, ContactKind
from caseworks.extensions.supervision import (
    Column,
    Item,
    Source,
    StatTable,
    TeamFigure,
    added,
    counted,
    local_days,
    register_columns,
    register_statistics,
    register_team_figures,
)
from visits.models import Accompaniment, Place, Visit

TEAM, ASSIGNEE = "case__team_id", "case__assigned_to_id"


def recent_visit_start(today: datetime.date) -> datetime.date:
    """'The last 30 days': today and the 29 days before it."""
    return today - datetime.timedelta(days=29)


def with_last_contact(cases):
    """Cases annotated `last_visit` (the last visit held) and `last_contact` (that, or the
    opening)."""
    # The last visit through a correlated subquery: one step down the (case, date) index a
    # case, where Max() over a join would group every visit of the team first.
    last_visit = (
        Visit.objects.held().filter(case=OuterRef("pk")).order_by("-date").values("date")[:1]
    )
    return cases.annotate(last_visit=Subquery(last_visit)).annotate(
        last_contact=Coalesce("last_visit", "opened_on")
    )


def overdue(today: datetime.date) -> Q:
    """Follow-up overdue, over cases `with_last_contact`: the next visit agreed has passed or,
    when none is agreed, nobody has visited for more than CASEWORKS_VISIT_INTERVAL_DAYS
    (counted from the last visit, or from the opening). An agreed date in the future wins
    over the interval: a case visited seven weeks ago with the next visit fixed in two weeks
    is planned, not overdue."""
    limit = today - datetime.timedelta(days=settings.CASEWORKS_VISIT_INTERVAL_DAYS)
    return Q(next_visit_due__lt=today) | Q(next_visit_due__isnull=True, last_contact__lt=limit)


def cases_overdue(cases, today: datetime.date):
    """The cases whose follow-up is overdue (see `overdue`)."""
    return with_last_contact(cases).filter(overdue(today))


def first_visit_promise_days() -> int:
    return getattr(settings, "CASEWORKS_FIRST_VISIT_PROMISE_DAYS", 7)


def with_waiting_since(cases):
    """Cases annotated `waiting_since`: the day of allocation to the municipality, or the
    opening when the allocation was not recorded."""
    return cases.annotate(waiting_since=Coalesce("allocated_on", "opened_on"))


def no_first_visit() -> Q:
    """No first visit that took place."""
    first = Visit.objects.held().filter(case=OuterRef("pk"), kind=Visit.Kind.FIRST)
    return Q(~Exists(first))


def first_visit_waiting(cases):
    """Cases without a first visit that took place, annotated `waiting_since`."""
    return with_waiting_since(cases).filter(no_first_visit())


def first_visit_pending(today: datetime.date) -> Q:
    """Over cases `with_waiting_since`: first visit still pending more than
    CASEWORKS_FIRST_VISIT_PROMISE_DAYS after the allocation (the house's promise to newly
    allocated households)."""
    limit = today - datetime.timedelta(days=first_visit_promise_days())
    return no_first_visit() & Q(waiting_since__lt=limit)


def cases_first_visit_pending(cases, today: datetime.date):
    return with_waiting_since(cases).filter(first_visit_pending(today))


def week_bounds(today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Monday 00:00 to the next Monday 00:00, local time."""
    monday = today - datetime.timedelta(days=today.weekday())
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
    return start, start + datetime.timedelta(days=7)


def _short(day) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else ""


def _overdue_item(case) -> Item:
    if case.next_visit_due is not None:
        what = _("next visit was due %(date)s") % {"date": _short(case.next_visit_due)}
    else:
        what = _("no next visit agreed")
    return Item(case, case.last_visit, what)


def _waiting_item(today):
    def item(case) -> Item:
        days = (today - case.waiting_since).days
        what = ngettext("waiting %(n)d day", "waiting %(n)d days", days) % {"n": days}
        if case.allocated_on is None:
            what += " · " + _("allocation not recorded: counted from the opening")
        return Item(case, case.waiting_since, what)

    return item


def _timed_item(record) -> Item:
    """A visit or a contact: its kind and duration (never its notes)."""
    minutes = record.duration_minutes
    return Item(record.case, record.date, f"{record.get_kind_display()} · {minutes} min", minutes)


def _work_sources(cases, today: datetime.date) -> tuple[list[Source], list[Source]]:
    """Visits, contacts (file notes are records, not counselling) and accompaniments of the
    last 30 days, counted for whoever did them: the contacts' sources, and the hours'
    (accompaniments record no duration: they count as contacts, not in the hours)."""
    since = recent_visit_start(today)
    visits = Visit.objects.held().filter(case__in=cases, date__gte=since, date__lte=today)
    contacts = Contact.objects.filter(case__in=cases, date__gte=since, date__lte=today).exclude(
        kind=ContactKind.FILE_NOTE
    )
    first, after = local_days(since, today)
    accompaniments = Accompaniment.objects.held().filter(
        case__in=cases,
        accompanied_by__isnull=False,
        appointment_at__gte=first,
        appointment_at__lt=after,
    )
    timed = [
        Source(visits.order_by("date", "pk"), TEAM, "recorded_by_id", _timed_item),
        Source(contacts.order_by("date", "pk"), TEAM, "recorded_by_id", _timed_item),
    ]
    accompanied = Source(
        accompaniments.order_by("appointment_at", "pk"),
        TEAM,
        "accompanied_by_id",
        lambda a: Item(
            a.case,
            a.appointment_at,
            f"{_('accompaniment')} · {a.get_destination_kind_display()}",
        ),
    )
    hours = [
        Source(s.queryset, s.team, s.assignee, s.item, minutes="duration_minutes") for s in timed
    ]
    return [*timed, accompanied], hours


@register_columns
def visit_columns(*, cases, today):
    since = recent_visit_start(today)
    start, end = week_bounds(today)
    recent = Visit.objects.held().filter(case__in=cases, date__gte=since, date__lte=today)
    # The week's accompaniments of the cases, the planned ones counted by the count's filter:
    # with the status in the WHERE, the (status, time) index would read the city's week.
    this_week = Accompaniment.objects.filter(
        case__in=cases, appointment_at__gte=start, appointment_at__lt=end
    )
    is_planned = Q(status=Accompaniment.Status.PLANNED)
    planned_counts = counted(this_week, TEAM, ASSIGNEE, n=Count("pk", filter=is_planned))["n"]
    promise = first_visit_promise_days()
    # Two figures of the cases, and the counts and minutes of the visits and the contacts,
    # each in one query: a figure's condition is its list's filter.
    followed = with_waiting_since(with_last_contact(cases))
    pending, late = first_visit_pending(today), overdue(today)
    of_cases = counted(
        followed,
        "team_id",
        "assigned_to_id",
        pending=Count("pk", filter=pending),
        overdue=Count("pk", filter=late),
    )
    work, timed = _work_sources(cases, today)
    visits_done, contacts_done = (
        counted(s.queryset, s.team, s.assignee, n=Count("pk"), minutes=Sum("duration_minutes"))
        for s in timed
    )
    accompanied = work[2].counts()
    return [
        Column(
            "first_visit_pending",
            _("first visit pending"),
            7,
            counts=of_cases["pending"],
            sources=[
                Source(
                    followed.filter(pending).order_by("waiting_since", "pk"),
                    "team_id",
                    "assigned_to_id",
                    _waiting_item(today),
                    case="",
                )
            ],
            primary=True,
            help=ngettext(
                "first visit pending: no first visit more than %(n)d day after the allocation.",
                "first visit pending: no first visit more than %(n)d days after the allocation.",
                promise,
            )
            % {"n": promise},
        ),
        Column(
            "visits_30",
            _("visits (30 days)"),
            30,
            sources=[
                Source(
                    recent.order_by("date", "pk"),
                    TEAM,
                    ASSIGNEE,
                    lambda v: Item(v.case, v.date, str(v.get_kind_display())),
                )
            ],
            help=_("visits (30 days): visits that took place in the last 30 days, today included."),
        ),
        Column(
            "overdue",
            _("follow-up overdue"),
            40,
            counts=of_cases["overdue"],
            sources=[
                Source(
                    followed.filter(late).order_by("next_visit_due", "last_contact", "pk"),
                    "team_id",
                    "assigned_to_id",
                    _overdue_item,
                    case="",
                )
            ],
            primary=True,
            help=_(
                "follow-up overdue: the next visit agreed has passed or, with none agreed, the "
                "last visit (or the opening) is more than %(days)s days ago. The date shown is "
                "the last visit."
            )
            % {"days": settings.CASEWORKS_VISIT_INTERVAL_DAYS},
        ),
        Column(
            "accompaniments_week",
            _("accompaniments this week"),
            70,
            counts=planned_counts,
            sources=[
                Source(
                    this_week.filter(is_planned).order_by("appointment_at", "pk"),
                    TEAM,
                    ASSIGNEE,
                    lambda a: Item(a.case, a.appointment_at, str(a.get_destination_kind_display())),
                )
            ],
            help=_("accompaniments this week: planned from Monday to Sunday."),
        ),
        Column(
            "contacts_30",
            _("contacts (30 days)"),
            90,
            counts=added(visits_done["n"], contacts_done["n"], accompanied),
            sources=work,
            help=_(
                "contacts (30 days): visits, counselling contacts (no file notes) and "
                "accompaniments in the last 30 days, for whoever recorded or went along, on "
                "the open cases of the team."
            ),
        ),
        Column(
            "hours_30",
            _("hours (30 days)"),
            91,
            counts=added(visits_done["minutes"], contacts_done["minutes"]),
            sources=timed,
            unit="hours",
            help=_(
                "hours (30 days): the duration of those visits and contacts; accompaniments "
                "record no duration and are not in the hours."
            ),
        ),
    ]


@register_team_figures
def first_visit_medians(*, cases, today):
    """Median days from the allocation to the first visit, per team, over the open cases
    with both dates (cases without a recorded allocation are left out)."""
    first = (
        Visit.objects.held().filter(case=OuterRef("pk"), kind=Visit.Kind.FIRST).values("date")[:1]
    )
    rows = (
        cases.filter(allocated_on__isnull=False)
        .annotate(first_on=Subquery(first))
        .filter(first_on__isnull=False)
        .values_list("team_id", "allocated_on", "first_on")
        .order_by()
    )
    days: dict = {}
    for team_id, allocated_on, first_on in rows:
        days.setdefault(team_id, []).append((first_on - allocated_on).days)
    values = {}
    for team_id, team_days in days.items():
        n = len(team_days)
        values[team_id] = ngettext(
            "%(median)s days (median of %(n)d case)",
            "%(median)s days (median of %(n)d cases)",
            n,
        ) % {"median": _number(median(team_days)), "n": n}
    return [
        TeamFigure(
            "first_visit_median",
            _("allocation to first visit"),
            10,
            values,
            _("no first visit with a recorded allocation yet"),
        )
    ]


def _number(value) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}".replace(".", ",")


FIRST_VISIT_BANDS = [(0, 7), (8, 14), (15, 28), (29, None)]


@register_statistics
def visit_statistics(*, cases, start, end):
    held = Visit.objects.held().filter(case__in=cases, date__gte=start, date__lte=end)
    # Kinds, places and topics from one query grouped by all three (a topic list as stored:
    # few distinct ones); the tables are its sums.
    grid = list(
        held.values("kind", "place", "topics")
        .annotate(n=Count("pk"), minutes=Sum("duration_minutes"))
        .order_by()
    )
    visits = _summed(grid, "kind")
    places = _summed(grid, "place")
    kinds = dict(Visit.Kind.choices)
    done = Q(status=Accompaniment.Status.DONE)
    # The status in the counts' filter, not in the WHERE: the rows are reached through the
    # cases (the case index), not through every done accompaniment of the city's year.
    by_destination = (
        done_accompaniments(cases, start, end)
        .values("destination_kind")
        .annotate(
            n=Count("pk", filter=done),
            by_staff=Count("pk", filter=done & Q(accompanied_by__isnull=False, volunteer=None)),
            by_volunteer=Count("pk", filter=done & Q(accompanied_by=None, volunteer__isnull=False)),
            by_both=Count(
                "pk", filter=done & Q(accompanied_by__isnull=False, volunteer__isnull=False)
            ),
            by_nobody=Count("pk", filter=done & Q(accompanied_by=None, volunteer=None)),
        )
        .order_by()
    )
    by_destination = [r for r in by_destination if r["n"]]
    destinations = dict(Accompaniment.DestinationKind.choices)
    companion_labels = {
        "by_staff": _("a staff member"),
        "by_volunteer": _("a volunteer"),
        "by_both": _("a staff member and a volunteer"),
        "by_nobody": _("not recorded"),
    }
    companions = {k: sum(r[k] for r in by_destination) for k in companion_labels}
    return [
        StatTable(
            "visits",
            _("First and follow-up visits"),
            60,
            [(str(kinds[r["kind"]]), r["n"]) for r in visits],
        ),
        StatTable(
            "visit_hours",
            _("Visit hours (rounded)"),
            61,
            [(str(kinds[r["kind"]]), round((r["minutes"] or 0) / 60)) for r in visits],
        ),
        StatTable(
            "places",
            _("Visits by place"),
            62,
            sorted(
                ((str(dict(Place.choices).get(r["place"], r["place"])), r["n"]) for r in places),
                key=lambda row: -row[1],
            ),
        ),
        StatTable(
            "topics", _("Topics of visits and contacts"), 63, _topics(grid, cases, start, end)
        ),
        StatTable(
            "first_visit_days",
            _("Days from allocation to first visit (first visits in the period)"),
            64,
            _first_visit_bands(cases, start, end),
        ),
        StatTable(
            "accompaniments",
            _("Accompaniments (done) by destination type"),
            70,
            [(str(destinations[r["destination_kind"]]), r["n"]) for r in by_destination],
        ),
        StatTable(
            "accompaniments_companions",
            _("Accompaniments (done) by who went along"),
            71,
            [(str(companion_labels[k]), n) for k, n in companions.items() if n],
        ),
    ]


def done_accompaniments(cases, start, end):
    """The accompaniments of these cases in the period, any status: count the done ones with
    `Count(filter=Q(status=DONE))` (see visit_statistics)."""
    first, after = local_days(start, end)
    return Accompaniment.objects.filter(
        case__in=cases, appointment_at__gte=first, appointment_at__lt=after
    )


def _summed(grid, field):
    """The rows of a grouped query summed along one of its fields, in the order first seen."""
    sums: dict = {}
    for r in grid:
        row = sums.setdefault(r[field], {field: r[field], "n": 0, "minutes": 0})
        row["n"] += r["n"]
        row["minutes"] += r["minutes"] or 0
    return list(sums.values())


def _topics(visits, cases, start, end):
    """A visit or contact can touch several topics: each counts once per record. Counted by
    the database per distinct topic list (the visits' from visit_statistics' grouped rows,
    the contacts' here): a list is read once however many records share it."""
    contacts = (
        Contact.objects.filter(case__in=cases, date__gte=start, date__lte=end)
        .exclude(kind=ContactKind.FILE_NOTE)
        .values("topics")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict = {}
    for row in [*visits, *contacts]:
        for code in row["topics"] or ():
            counts[code] = counts.get(code, 0) + row["n"]
    labels = dict(Topic.choices)
    return sorted(
        ((str(labels.get(code, code)), n) for code, n in counts.items()), key=lambda r: -r[1]
    )


def _first_visit_bands(cases, start, end):
    rows = (
        Visit.objects.held()
        .filter(
            case__in=cases,
            kind=Visit.Kind.FIRST,
            date__gte=start,
            date__lte=end,
            case__allocated_on__isnull=False,
        )
        .values_list("case__allocated_on", "date")
    )
    counts = dict.fromkeys(FIRST_VISIT_BANDS, 0)
    for allocated_on, day in rows:
        days = (day - allocated_on).days
        for low, high in FIRST_VISIT_BANDS:
            if days >= low and (high is None or days <= high):
                counts[(low, high)] += 1
                break
    return [
        (f"{low}–{high}" if high is not None else f"{low}+", n)
        for (low, high), n in counts.items()
        if n
    ]
