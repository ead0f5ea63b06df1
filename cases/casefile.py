"""The case file's own timeline entries: residence status changes (see caseworks.casefile)."""

from django.utils import timezone

from cases.models import ResidenceStatus
from caseworks.casefile import Panel, TimelineEntry, register_panel, register_timeline


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
