"""What the mediators' pool tells visits: a volunteer mediator's coming bookings on their
start page (caseworks.extensions.volunteering.start_panels)."""

from typing import Any

from caseworks.extensions import volunteering
from caseworks.extensions.casefile import Panel
from volunteers.mediators.models import BookingStatus
from volunteers.mediators.selectors import bookings_for_volunteer


def interpreting_panel(user: Any) -> Panel | None:
    bookings = list(bookings_for_volunteer(user=user).filter(status=BookingStatus.BOOKED)[:10])
    if not bookings:
        return None
    return Panel(
        order=1, template="volunteers/mediators/start_panel.html", context={"bookings": bookings}
    )


volunteering.start_panels.register(interpreting_panel)
