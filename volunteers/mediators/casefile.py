"""The language mediation box on the case file: the case's bookings, and "Sprachmittlung
anfragen" for its coming accompaniments and appointments and its latest visits and contacts
(a fixed number of queries, whatever the number of entries); the same on each record's page."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.services import case_accepts_records
from caseworks.access.permissions import CASE_ROLES, may
from caseworks.extensions.casefile import (
    HistorySource,
    OpenItem,
    Panel,
    RecordLink,
    register_history,
    register_open_items,
    register_panel,
    register_record_links,
)
from visits.models import Accompaniment
from visits.outbound import outside_when
from volunteers.mediators.models import RECORD_FIELDS, BookingStatus, MediationBooking

SHOWN = 5


@register_panel
def mediation_panel(case: Any, *, user: Any) -> Panel | None:
    if not may(user, *CASE_ROLES):
        return None
    now = timezone.now()
    bookings = list(
        MediationBooking.objects.filter(case=case)
        .exclude(status="cancelled")
        .only("code", "reference", "language", "mode", "starts_at", "status", "case_id")
        .order_by("-starts_at")[:SHOWN]
    )
    records = [
        *(
            ("accompaniment", a)
            for a in case.accompaniments.filter(
                status=Accompaniment.Status.PLANNED, appointment_at__gt=now
            )
            .only("code", "appointment_at", "destination_kind", "case_id")
            .order_by("appointment_at")[:SHOWN]
        ),
        *(
            ("appointment", a)
            for a in case.appointments.planned()
            .filter(starts_at__gt=now)
            .only("code", "kind", "starts_at", "case_id")
            .order_by("starts_at")[:SHOWN]
        ),
        *(
            ("visit", v)
            for v in case.visits.filter(cancelled_at__isnull=True)
            .only("code", "kind", "date", "case_id")
            .order_by("-date")[:2]
        ),
        *(
            ("contact", c)
            for c in case.contacts.exclude(kind="file_note")
            .only("code", "kind", "date", "case_id")
            .order_by("-date", "-id")[:2]
        ),
    ]
    if not bookings and not records:
        return None
    return Panel(36, "volunteers/mediators/panel.html", {"bookings": bookings, "records": records})


@register_record_links
def mediation_links(record: Any, *, user: Any) -> list[RecordLink]:
    """On a visit's, accompaniment's, contact's or appointment's page: its language
    mediations, and "Sprachmittlung anfragen" while the case takes records (one query)."""
    kind = type(record).__name__.lower()
    if kind not in RECORD_FIELDS or not may(user, *CASE_ROLES):
        return []
    links = [
        RecordLink(
            _("Language mediation %(ref)s: %(language)s, %(mode)s, %(status)s")
            % {
                "ref": b.reference,
                "language": b.language_name,
                "mode": b.get_mode_display(),
                "status": b.get_status_display(),
            },
            reverse("volunteers:booking", args=[b.code]),
        )
        for b in MediationBooking.objects.filter(**{kind: record})
        .exclude(status="cancelled")
        .only("code", "reference", "language", "mode", "status")
    ]
    case = record.case
    if case_accepts_records(case):
        links.append(
            RecordLink(
                _("Request language mediation"),
                reverse(f"volunteers_case:mediation_{kind}", args=[case.code, record.code]),
            )
        )
    return links


@register_history
def mediation_history(case: Any) -> list[HistorySource]:
    """The case's history tab: who requested, booked, recorded or cancelled a mediation."""
    rows = list(MediationBooking.history.filter(case_id=case.pk).select_related("history_user"))

    def subject(row: Any) -> str:
        return _("Language mediation %(ref)s") % {"ref": row.reference}

    return [(MediationBooking, rows, subject)]


@register_open_items
def open_mediations(case: Any) -> list[OpenItem]:
    """Requested or booked mediations: closing the case must handle or acknowledge each (a
    booked mediator would otherwise come)."""
    return [
        OpenItem(
            _("Language mediation"),
            _("%(when)s: %(ref)s, %(status)s")
            % {
                "when": outside_when(b.starts_at),
                "ref": b.reference,
                "status": b.get_status_display(),
            },
            reverse("volunteers:booking", args=[b.code]),
            key=f"mediation-{b.code}",
        )
        for b in MediationBooking.objects.filter(
            case=case, status__in=[BookingStatus.REQUESTED, BookingStatus.BOOKED]
        )
        .only("code", "reference", "starts_at", "status")
        .order_by("starts_at")
    ]
