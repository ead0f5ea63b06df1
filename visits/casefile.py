"""The case file's timeline entries and panels contributed by visits (see
caseworks.extensions.casefile)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from caseworks.extensions.casefile import (
    OpenItem,
    Panel,
    TimelineEntry,
    register_history,
    register_open_items,
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


@register_open_items
def open_visit_items(case) -> list[OpenItem]:
    """Planned accompaniments and open points of the arrival checklist: closing the case must
    handle or acknowledge each (they would vanish from the caseworker's week)."""
    items = [
        OpenItem(
            _("Accompaniment"),
            _("%(when)s: %(where)s")
            % {
                "when": date_format(localtime(a.appointment_at), "SHORT_DATETIME_FORMAT"),
                "where": a.service.name if a.service else a.get_destination_kind_display(),
            },
            reverse("case_visits:accompaniment_detail", args=[case.code, a.code]),
            key=f"accompaniment-{a.code}",
        )
        for a in case.accompaniments.filter(status=Accompaniment.Status.PLANNED)
        .select_related("service")
        .only("code", "appointment_at", "destination_kind", "service__name")
        .order_by("appointment_at")
    ]
    items += [
        OpenItem(
            _("Arrival checklist"),
            str(ChecklistItem(check.item).label),
            reverse("cases:detail", args=[case.code]),
            key=f"check-{check.item}",
        )
        for check in case.arrival_checks.all()
        if not check.is_done
    ]
    return items
