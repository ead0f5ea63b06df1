"""The case file's timeline entries and panels contributed by visits (see
caseworks.extensions.casefile)."""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from cases.models import Client
from cases.page import url_maker
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

# What the timeline shows of a visit (visits/timeline_visit.html): kind, date, place, length,
# topics, whether cancelled and why. Not the notes, the cancel note, the interpreter's name or
# who recorded it: those stay encrypted and unloaded here (the visit's own page shows them).
VISIT_SHOWN = (
    "id",
    "code",
    "case_id",
    "kind",
    "date",
    "place",
    "duration_minutes",
    "topics",
    "cancelled_at",
    "cancel_reason",
)
# Of the persons present or accompanied, the timeline names each by first name only.
FIRST_NAMES = Client.objects.only("id", "first_name")
# The users an accompaniment names: their names, not their accounts' other fields.
USER_NAME = ("username", "first_name", "last_name")


@register_timeline
def visit_entries(case, *, limit):
    # Cancelled visits stay on the timeline, marked (they are no longer counted).
    visits = case.visits.only(*VISIT_SHOWN).prefetch_related(
        Prefetch("present", queryset=FIRST_NAMES)
    )[:limit]
    visit_url = url_maker("case_visits:visit_detail", case.code)
    return [
        TimelineEntry(
            v.date,
            "visit",
            "visits/timeline_visit.html",
            {"visit": v, "case": case, "url": visit_url(v.code)},
        )
        for v in visits
    ]


def _shown_accompaniments(case):
    """A case's accompaniments as the case file shows them (visits/timeline_accompaniment.html,
    visits/panel.html): not the outcome, the cancel note, the volunteer's note or the
    interpreter's name; of the persons and users their names only."""
    return (
        case.accompaniments.select_related("service", "client", "accompanied_by", "volunteer")
        .only(
            "id",
            "code",
            "case_id",
            "status",
            "cancel_reason",
            "appointment_at",
            "destination_kind",
            "destination_text",
            "purpose",
            "service__name",
            "service__kind",
            "client__first_name",
            *(f"accompanied_by__{field}" for field in USER_NAME),
            *(f"volunteer__{field}" for field in USER_NAME),
        )
        .prefetch_related(Prefetch("others", queryset=FIRST_NAMES))
    )


@register_timeline
def accompaniment_entries(case, *, limit):
    accompaniments = _shown_accompaniments(case).order_by("-appointment_at")[:limit]
    accompaniment_url = url_maker("case_visits:accompaniment_detail", case.code)
    return [
        TimelineEntry(
            a.appointment_at,
            "accompaniment",
            "visits/timeline_accompaniment.html",
            {"accompaniment": a, "case": case, "url": accompaniment_url(a.code)},
        )
        for a in accompaniments
    ]


@register_panel
def visits_panel(case, *, user):
    open_checks = [c for c in case.arrival_checks.all() if not c.is_done]
    has_first = case.visits.held().filter(kind=Visit.Kind.FIRST).exists()
    upcoming = list(
        _shown_accompaniments(case)
        .filter(status=Accompaniment.Status.PLANNED)
        .defer("purpose")  # the panel names no purpose
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
