"""The case file's own parts (see caseworks.extensions.casefile): residence status changes,
contacts and
appointments on the timeline; open deadlines, tasks and appointments as panels; what is still
open before closing; deadlines, contacts, tasks and appointments in the history tab."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.law.suggestions import suggestions_for
from cases.models import (
    Appointment,
    AppointmentKind,
    ClosingAcknowledgement,
    Contact,
    ContactKind,
    Deadline,
    DeadlineKind,
    ResidenceStatus,
    Task,
)
from caseworks.extensions.casefile import (
    OpenItem,
    Panel,
    TimelineEntry,
    register_history,
    register_open_items,
    register_panel,
    register_timeline,
)


@register_timeline
def status_entries(case, *, limit):
    statuses = (
        ResidenceStatus.objects.filter(client__case=case)
        .select_related("client")
        .defer("document_number")
        .order_by("-valid_from", "-id")[:limit]
    )
    return [
        TimelineEntry(s.valid_from, "status", "cases/timeline_status.html", {"status": s})
        for s in statuses
    ]


@register_timeline
def contact_entries(case, *, limit):
    # Notes stay encrypted here: the timeline shows kind and topics; the contact's page the note.
    contacts = (
        case.contacts.defer("note")
        .select_related("recorded_by")
        .prefetch_related("persons")
        .order_by("-date", "-id")[:limit]
    )
    return [
        TimelineEntry(c.date, "contact", "cases/timeline_contact.html", {"contact": c})
        for c in contacts
    ]


@register_timeline
def appointment_entries(case, *, limit):
    appointments = (
        case.appointments.defer("note", "cancel_reason")
        .select_related("service")
        .prefetch_related("persons")
        .order_by("-starts_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            a.starts_at, "appointment", "cases/timeline_appointment.html", {"appointment": a}
        )
        for a in appointments
    ]


@register_panel
def deadlines_panel(case, *, user):
    """Open deadlines first on the case file: a missed § 74 deadline cannot be undone."""
    open_deadlines = list(
        case.deadlines.filter(done_on__isnull=True).select_related("client").order_by("due_on")
    )
    return Panel(
        5,
        "cases/panel_deadlines.html",
        {"case": case, "open_deadlines": open_deadlines, "today": timezone.localdate()},
    )


@register_panel
def tasks_panel(case, *, user):
    """Open tasks, planned appointments and what the data suggests (never created silently)."""
    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    tasks = list(case.tasks.open().select_related("assigned_to").order_by("due_on", "id"))
    appointments = list(
        case.appointments.planned()
        .filter(starts_at__gte=start)
        .defer("note")
        .select_related("service")
        .prefetch_related("persons")
        .order_by("starts_at")
    )
    return Panel(
        15,
        "cases/panel_tasks.html",
        {
            "case": case,
            "open_tasks": tasks,
            "upcoming_appointments": appointments,
            "suggestions": suggestions_for(case, today=today) if not case.is_closed else [],
            "today": today,
        },
    )


@register_open_items
def open_case_items(case):
    """Running deadlines, open tasks and planned appointments: closing the case takes them
    out of every week, so the supervisor sees each first."""
    items = []
    for d in case.deadlines.filter(done_on__isnull=True).select_related("client"):
        text = _("due on %(date)s") % {"date": date_format(d.due_on, "SHORT_DATE_FORMAT")}
        if d.client:
            text += f" · {d.client.full_name}"
        items.append(
            OpenItem(
                str(d.label),
                text,
                reverse("cases:deadlines", args=[case.code]),
                key=f"deadline-{d.code}",
            )
        )
    for t in case.tasks.open():
        items.append(
            OpenItem(
                _("Task"),
                f"{t.title} · "
                + _("due on %(date)s") % {"date": date_format(t.due_on, "SHORT_DATE_FORMAT")},
                reverse("cases:task_edit", args=[case.code, t.code]),
                key=f"task-{t.code}",
            )
        )
    start = timezone.now()
    for a in case.appointments.planned().filter(starts_at__gte=start).defer("note"):
        when = date_format(timezone.localtime(a.starts_at), "SHORT_DATETIME_FORMAT")
        items.append(
            OpenItem(
                _("Appointment"),
                f"{a.get_kind_display()} · {when}",
                reverse("cases:appointment_edit", args=[case.code, a.code]),
                key=f"appointment-{a.code}",
            )
        )
    return items


@register_history
def case_records_history(case):
    def rows(model):
        return list(model.history.filter(case_id=case.pk).select_related("history_user"))

    def deadline_subject(row):
        label = (
            row.title
            if row.kind == DeadlineKind.MANUAL and row.title
            else DeadlineKind(row.kind).label
        )
        return _("Deadline: %(what)s") % {"what": label}

    def contact_subject(row):
        return _("%(kind)s of %(date)s") % {
            "kind": ContactKind(row.kind).label,
            "date": date_format(row.date, "SHORT_DATE_FORMAT"),
        }

    def task_subject(row):
        return _("Task: %(what)s") % {"what": row.title}

    def appointment_subject(row):
        return _("Appointment: %(kind)s, %(when)s") % {
            "kind": AppointmentKind(row.kind).label,
            "when": date_format(timezone.localtime(row.starts_at), "SHORT_DATETIME_FORMAT"),
        }

    def closing_subject(row):
        return _("Case closed with open items (acknowledged)")

    return [
        (ClosingAcknowledgement, rows(ClosingAcknowledgement), closing_subject),
        (Deadline, rows(Deadline), deadline_subject),
        (Contact, rows(Contact), contact_subject),
        (Task, rows(Task), task_subject),
        (Appointment, rows(Appointment), appointment_subject),
    ]
