"""The volunteer box on the case file: requests for the planned accompaniments, tandems."""

from django.utils import timezone

from caseworks.access.permissions import CASE_ROLES, may
from caseworks.extensions.casefile import Panel, register_panel
from visits.models import Accompaniment
from volunteers.models import Tandem, VolunteerRequest


@register_panel
def volunteers_panel(case, *, user):
    if not may(user, *CASE_ROLES):
        return None
    planned = list(
        case.accompaniments.filter(
            status=Accompaniment.Status.PLANNED, appointment_at__gt=timezone.now()
        )
        .select_related("service", "volunteer")
        .only(
            "code",
            "appointment_at",
            "destination_kind",
            "service__name",
            "volunteer__first_name",
            "volunteer__last_name",
            "volunteer__username",
        )
    )
    requests = {
        r.accompaniment_id: r
        for r in VolunteerRequest.objects.filter(accompaniment__case=case)
        .exclude(status=VolunteerRequest.RequestStatus.WITHDRAWN)
        .only("code", "status", "accompaniment_id")
    }
    tandems = list(
        Tandem.objects.filter(case=case).select_related("volunteer__user").order_by("-starts_on")
    )
    if not planned and not tandems:
        return None
    rows = [(a, requests.get(a.pk)) for a in planned]
    return Panel(
        35,
        "volunteers/panel.html",
        {"case": case, "rows": rows, "tandems": tandems, "today": timezone.localdate()},
    )
