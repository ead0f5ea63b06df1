"""The certificate of attendance (Teilnahmebescheinigung) of one event, as a PDF."""

from django.template.loader import render_to_string
from django.utils import timezone

from caseworks.web.pdf import render_pdf
from caseworks.web.users import display_name
from community.models import Registration


def certificate_pdf(registration: Registration) -> bytes:
    event = registration.event
    html = render_to_string(
        "community/certificate.html",
        {
            "name": display_name(registration.user),
            "event": event,
            "starts_at": timezone.localtime(event.starts_at),
            "hours": round(event.duration_minutes / 60, 1),
            "issued_on": timezone.localdate(),
        },
    )
    return render_pdf(html)
