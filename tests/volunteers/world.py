"""The volunteer network's objects for the URL walks (tests/security/world.py): on team A's
side vera's own record, an offer to her, her tandem and her booking as a language mediator; on
team B's another volunteer's."""

import datetime

from django.utils import timezone

from tests.helpers import TODAY, make_user
from visits import services as visit_services
from volunteers import services
from volunteers.mediators import services as mediation


def _register(user, coordinator):
    sighted = TODAY - datetime.timedelta(days=100)
    return services.volunteer_create(
        actor=coordinator,
        user=user,
        data={
            "status": "active",
            "pledge_signed_on": sighted,
            "certificate_sighted_on": sighted,
            "certificate_issued_on": sighted,
            "training_attended_on": sighted,
        },
        languages=[("Arabisch", "good")],
    )


def _side(objects, actor, volunteer, coordinator, service):
    case = objects.params["_case"]
    accompaniment = visit_services.accompaniment_plan(
        actor=actor,
        case=case,
        data={
            "client": case.clients.first(),
            "destination_kind": "authority",
            "service": service,
            "appointment_at": timezone.now() + datetime.timedelta(days=5),
            "purpose": "Termin",
            "accompanied_by": actor,
        },
    )
    request = services.request_create(
        actor=actor, accompaniment=accompaniment, data={"task": "authority", "language": "Arabisch"}
    )
    (offer,) = services.request_offer(actor=coordinator, request=request, volunteers=[volunteer])
    tandem = services.tandem_create(
        actor=coordinator, volunteer=volunteer, case=case, data={"consent_on": TODAY}
    )
    # The volunteer interprets too: a booking by phone for the accompaniment, booked to them.
    mediator = mediation.mediator_create(
        actor=coordinator,
        data={
            "kind": "volunteer",
            "volunteer": volunteer,
            "languages": ["ara"],
            "modes": ["in_person", "phone"],
        },
    )
    booking = mediation.booking_request(
        actor=actor,
        case=case,
        record=accompaniment,
        data={
            "language": "ara",
            "mode": "phone",
            "starts_at": timezone.now() + datetime.timedelta(days=5),
            "duration_minutes": 60,
        },
    )
    mediation.booking_book(
        actor=coordinator, booking=booking, mediator=mediator, expected_version=booking.version
    )
    objects.params.update(
        mediator_code=mediator.code,
        booking_code=booking.code,
        volunteer_code=volunteer.code,
        request_code=request.code,
        offer_code=offer.code,
        tandem_code=tandem.code,
    )


def add_volunteer_network(a, b, *, alice, charlie, vera, cody, service):
    other = make_user("vic", "volunteer")
    _side(a, alice, _register(vera, cody), cody, service)
    _side(b, charlie, _register(other, cody), cody, service)
