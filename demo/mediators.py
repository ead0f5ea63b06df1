"""Demo language mediators: volunteer1 interprets Arabic, a municipal pool (agency) covers the
clients' languages by phone and video, a paid mediator comes in person; and one open request
for the coordinator's list."""

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from visits.models import Accompaniment
from volunteers.mediators import services
from volunteers.models import Mediator, Volunteer


def create_mediators() -> int:
    """The pool (once): returns how many mediators were created."""
    if Mediator.objects.exists():
        return 0
    User = get_user_model()
    coordinator = User.objects.get(username="koordination")
    pool: list[dict[str, Any]] = [
        {
            "kind": "agency",
            "name": "Sprachmittlerpool des Kommunalen Integrationszentrums",
            "email": "sprachmittlung@ki.example",
            "phone": "0221 555 0100",
            "languages": ["ara", "fas", "prs", "pus", "kmr", "ckb", "tir", "som", "ukr", "rus"],
            "modes": ["phone", "video"],
            "availability": "Mo–Fr 8–18 Uhr",
            "hourly_rate": "45.00",
            "funder": "Kommunales Integrationszentrum",
        },
        {
            "kind": "freelance",
            "name": "Hawre Karim",
            "email": "h.karim@sprachmittlung.example",
            "languages": ["ckb", "kmr", "ara"],
            "modes": ["in_person", "phone"],
            "availability": "vormittags",
            "hourly_rate": "35.00",
            "funder": "Landesprogramm Integration",
        },
    ]
    first = Volunteer.objects.filter(user__username="volunteer1").first()
    if first is not None:
        pool.append(
            {
                "kind": "volunteer",
                "volunteer": first,
                "languages": ["ara", "apc"],
                "modes": ["in_person", "phone"],
                "availability": "dienstags und donnerstags",
            }
        )
    for data in pool:
        services.mediator_create(actor=coordinator, data=data)
    # One open request: the next planned accompaniment, by phone, in Arabic.
    planned = (
        Accompaniment.objects.filter(status="planned", appointment_at__gt=timezone.now())
        .select_related("case", "accompanied_by")
        .order_by("appointment_at")
        .first()
    )
    if planned is not None and planned.case.closed_on is None:
        services.booking_request(
            actor=planned.accompanied_by or coordinator,
            case=planned.case,
            record=planned,
            data={
                "language": "ara",
                "mode": "phone",
                "starts_at": max(
                    planned.appointment_at, timezone.now() + datetime.timedelta(hours=2)
                ),
                "duration_minutes": 60,
            },
        )
    return len(pool)
