"""Persons who opted in, and what they are reminded of (shared by the reminder tests and the
subprocess runner)."""

import datetime

from referrals.reminders import services, texts
from visits.models import Accompaniment

FAR = datetime.date(2031, 1, 1)  # residence documents far from any reminder window
PURPOSE = "Anhörung wegen Asylantrag, Befund Psychiatrie"


def opt_in(actor, client, *, channel="sms", language="ti", address="0170 1234567"):
    _text, version, _reviewed = texts.opt_in_text(
        language=language, organisation=client.case.team.organisation.name
    )
    return services.reminder_opt_in(
        actor=actor,
        client=client,
        channel=channel,
        language=language,
        address=address,
        text_version=version,
    )


def accompaniment(case, client, at, *, service=None):
    return Accompaniment.objects.create(
        case=case,
        client=client,
        destination_kind=Accompaniment.DestinationKind.AUTHORITY,
        service=service,
        appointment_at=at,
        purpose=PURPOSE,
    )
