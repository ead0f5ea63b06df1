"""The mails about language mediation. The mediator (an outside agency too) is told the
booking's own reference number, the time, the place and the mode — not even the language
(it can hint at a person's origin; the mediator knows their languages), never the case's number, a
client's name, the purpose, the kind of appointment, a residence status or a health hint
(visits.outbound: the place is the address typed for the booking, nothing of a directory
entry). The coordination hears of a new request by its reference number only."""

from django.utils.translation import gettext as _
from django.utils.translation import override

from visits.outbound import outside_when
from volunteers.mediators.models import MediationBooking
from volunteers.notify import coordinators, send_each


def booking_facts(booking: MediationBooking) -> dict[str, str]:
    """What a mail may say about a booking."""
    return {
        "ref": booking.reference,
        "when": outside_when(booking.starts_at),
        "minutes": str(booking.duration_minutes),
        "mode": str(booking.get_mode_display()),
        "place": booking.place or _("none (by phone or video)"),
    }


def requested(booking: MediationBooking) -> None:
    with override("de"):
        facts = booking_facts(booking)
        send_each(
            coordinators(),
            _("Caseworks: language mediation requested (%(ref)s)") % facts,
            _(
                "A language mediator is requested: %(ref)s, %(when)s, %(mode)s.\n\n"
                "The language and the candidates are in Caseworks."
            )
            % facts,
        )


def _mediator_mail(booking: MediationBooking, subject: str, body: str) -> None:
    mediator = booking.mediator
    if mediator is None or not mediator.mail_address:
        return
    send_each([mediator.mail_address], subject, body)


def booked(booking: MediationBooking) -> None:
    with override("de"):
        facts = booking_facts(booking)
        _mediator_mail(
            booking,
            _("Language mediation %(ref)s on %(when)s") % facts,
            _(
                "You are booked for language mediation.\n\n"
                "Reference number: %(ref)s\n"
                "Time: %(when)s (%(minutes)s minutes)\n"
                "Place: %(place)s\n"
                "Mode: %(mode)s\n\n"
                "Please quote the reference number in any reply."
            )
            % facts,
        )


def cancelled(booking: MediationBooking) -> None:
    with override("de"):
        facts = booking_facts(booking)
        _mediator_mail(
            booking,
            _("Language mediation %(ref)s cancelled") % facts,
            _("The language mediation %(ref)s on %(when)s is cancelled. Thank you.") % facts,
        )
