"""What leaves the house: the calendar feed (a calendar provider syncs it), the daily digest and
the request and offer mails (a mail provider stores them). They name a record by a neutral word
and its case by the reference number, with the time — nothing else. Never the kind of a
destination or an appointment, a directory name or address, a client's name, the purpose or the
note for the volunteer: "Arztpraxis / Klinik" or "Ausländerbehörde" next to a reference tells a
provider about a person's health or residence status (Art. 9 DSGVO). Every outbound channel
takes its words from here; the place and the details are in Caseworks."""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext_lazy as _

from visits.models import Accompaniment


class Outside(models.TextChoices):
    """The only words an outbound text uses for a record, whatever its kind."""

    ACCOMPANIMENT = "accompaniment", _("Accompaniment")
    APPOINTMENT = "appointment", _("Appointment")
    TASK = "task", _("Task")
    VISIT = "visit", _("Visit due")
    CHECK = "check", _("Check papers")


def outside_label(kind: str) -> str:
    """The neutral word for a record of `kind` (an Outside value; a week item's kind)."""
    return str(Outside(kind).label)


def outside_summary(kind: str, reference: str) -> str:
    """ "Begleitung: 2025-0042" — a calendar entry's title, a digest line's start."""
    return f"{outside_label(kind)}: {reference}"


def outside_time(at: datetime.datetime) -> str:
    return time_format(timezone.localtime(at), "TIME_FORMAT")


def outside_when(at: datetime.datetime) -> str:
    """The date and time as a mail gives them ("08.12.2026 10:00")."""
    return date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")


def outside_facts(accompaniment: Accompaniment) -> dict[str, str]:
    """What a mail may say about an accompaniment: the neutral word, the case's reference
    number, the date and time."""
    at = accompaniment.appointment_at
    return {
        "what": outside_label(Outside.ACCOMPANIMENT),
        "ref": accompaniment.case.reference,
        "when": outside_when(at),
        "time": outside_time(at),
    }
