"""The event mails: registered (with the ICS invitation), moved up from the waiting list,
and the reminder the day before. Plain text, no client data (there is none here)."""

from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from community.calendar import event_ics
from community.models import Registration


def _when(registration: Registration) -> str:
    return date_format(timezone.localtime(registration.event.starts_at), "DATETIME_FORMAT")


def _send(registration: Registration, subject: str, lines: list[str], *, ics: bool) -> bool:
    address = registration.user.email
    if not address:
        return False
    event = registration.event
    body = "\n".join(
        [*lines, "", f"{event.title}", _when(registration), event.place, "", event.description]
    ).strip()
    message = EmailMessage(subject=subject, body=body, to=[address])
    if ics:
        message.attach("einladung.ics", event_ics(event), "text/calendar; method=PUBLISH")
    message.send()
    return True


def send_registered(registration: Registration) -> bool:
    if registration.status == Registration.Status.WAITING:
        return _send(
            registration,
            _("Waiting list: %(title)s") % {"title": registration.event.title},
            [
                _(
                    "The event is full: you are on the waiting list. We will write when a "
                    "place comes free."
                )
            ],
            ics=False,
        )
    return _send(
        registration,
        _("Registered: %(title)s") % {"title": registration.event.title},
        [_("You are registered. The invitation for your calendar is attached.")],
        ics=True,
    )


def send_moved_up(registration: Registration) -> bool:
    return _send(
        registration,
        _("A place for you: %(title)s") % {"title": registration.event.title},
        [_("A place came free and you have moved up from the waiting list: you are registered.")],
        ics=True,
    )


def send_reminder(registration: Registration) -> bool:
    return _send(
        registration,
        _("Reminder: %(title)s") % {"title": registration.event.title},
        [_("A reminder of the event you registered for:")],
        ics=True,
    )
