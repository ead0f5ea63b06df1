"""The case file's timeline entries and panels contributed by visits (see caseworks.casefile)."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from caseworks.casefile import (
    Panel,
    TimelineEntry,
    register_history,
    register_panel,
    register_timeline,
)
from visits.models import Accompaniment, ArrivalCheck, ChecklistItem, Visit


@register_timeline
def visit_entries(case, *, limit):
    # Notes stay encrypted here: the timeline shows topics; the visit page shows the notes.
    # Cancelled visits stay on the timeline, marked (they are no longer counted).
    visits = (
        case.visits.defer("notes", "cancel_note")
        .select_related("recorded_by", "cancelled_by")
        .prefetch_related("present")[:limit]
    )
    return [
        TimelineEntry(v.date, "visit", "visits/timeline_visit.html", {"visit": v, "case": case})
        for v in visits
    ]


@register_timeline
def accompaniment_entries(case, *, limit):
    accompaniments = (
        case.accompaniments.select_related(
            "service", "client", "accompanied_by", "volunteer", "cancelled_by"
        )
        .prefetch_related("others")
        .defer("outcome", "cancel_note")
        .order_by("-appointment_at")[:limit]
    )
    return [
        TimelineEntry(
            a.appointment_at,
            "accompaniment",
            "visits/timeline_accompaniment.html",
            {"accompaniment": a, "case": case},
        )
        for a in accompaniments
    ]


@register_panel
def visits_panel(case, *, user):
    open_checks = [c for c in case.arrival_checks.all() if not c.is_done]
    has_first = case.visits.held().filter(kind=Visit.Kind.FIRST).exists()
    upcoming = list(
        case.accompaniments.filter(status=Accompaniment.Status.PLANNED)
        .select_related("service", "client", "accompanied_by", "volunteer")
        .prefetch_related("others")
        .defer("outcome", "purpose", "cancel_note")
        .order_by("appointment_at")[:5]
    )
    return Panel(
        10,
        "visits/panel.html",
        {
            "case": case,
            "open_checks": open_checks,
            "has_first_visit": has_first,
            "upcoming": upcoming,
            "now": timezone.now(),
        },
    )


@register_history
def visit_history(case):
    def rows(model):
        return list(model.history.filter(case_id=case.pk).select_related("history_user"))

    def visit_subject(row):
        return _("%(kind)s of %(date)s") % {
            "kind": Visit.Kind(row.kind).label,
            "date": date_format(row.date, "SHORT_DATE_FORMAT"),
        }

    def accompaniment_subject(row):
        return _("Accompaniment on %(when)s") % {
            "when": date_format(localtime(row.appointment_at), "SHORT_DATETIME_FORMAT")
        }

    def check_subject(row):
        return _("Arrival checklist: %(item)s") % {"item": ChecklistItem(row.item).label}

    return [
        (Visit, rows(Visit), visit_subject),
        (Accompaniment, rows(Accompaniment), accompaniment_subject),
        (ArrivalCheck, rows(ArrivalCheck), check_subject),
    ]
