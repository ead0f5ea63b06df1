"""The case file's own timeline entries: residence status changes (see caseworks.casefile)."""

from cases.models import ResidenceStatus
from caseworks.casefile import TimelineEntry, register_timeline


@register_timeline
def status_entries(case, *, limit):
    statuses = (ResidenceStatus.objects.filter(client__case=case).select_related("client")
                .defer("document_number").order_by("-valid_from", "-id")[:limit])
    return [TimelineEntry(s.valid_from, "status", "cases/timeline_status.html", {"status": s})
            for s in statuses]
