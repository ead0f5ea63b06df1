"""Opt-ins and opt-outs for the reminders: recorded by the caseworker with the text shown, or
ended by the person's reply (referrals.reminders.webhook)."""

import datetime
from typing import Any, cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Client
from cases.services import require_open
from caseworks.audit.log import save_audited
from caseworks.fields import blind_index
from caseworks.sms import normalise_number
from caseworks.web.concurrency import versioned_update
from referrals import printtexts
from referrals.models import ReminderChannel, ReminderOptIn, normalise_reminder_address
from referrals.reminders import texts

STOP_WORDS = frozenset({"STOP", "STOPP", "ABMELDEN", "UNSUBSCRIBE"})


def _clean_address(channel: str, address: str) -> str:
    address = address.strip()
    if channel == ReminderChannel.SMS:
        number = normalise_number(address)
        if not 8 <= len(number) <= 16:
            raise ValidationError(
                {"address": _("Enter a mobile number, e.g. 0170 1234567 or +49 170 1234567.")}
            )
        return number
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"address": _("Enter a valid e-mail address.")}) from None
    return address


@transaction.atomic
def reminder_opt_in(
    *,
    actor: User,
    client: Client,
    channel: str,
    language: str,
    address: str,
    text_version: str,
    opted_in_on: datetime.date | None = None,
) -> ReminderOptIn:
    """Record that the person agreed to reminders on `channel` in `language`, having been
    shown the text of version `text_version` (refused if the text changed meanwhile: the
    person must see the text recorded)."""
    require_open(client.case)
    if language not in printtexts.LANGUAGE_CODES:
        raise ValidationError({"language": _("Choose a language from the list.")})
    organisation = client.case.team.organisation
    shown, version, _reviewed = texts.opt_in_text(language=language, organisation=organisation.name)
    if version != text_version:
        raise ValidationError(
            _("The text was changed meanwhile. Show the person the text below and save again.")
        )
    address = _clean_address(channel, address)
    # Two tabs saving at once: the partial unique constraint lets only one through; lock the
    # person's row so the second one finds the first and says so.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    if ReminderOptIn.objects.active().filter(client=client, channel=channel).exists():
        raise ValidationError(
            _("This person already receives reminders this way. End that first to change it.")
        )
    opt_in = ReminderOptIn(
        client=client,
        channel=channel,
        language=language,
        address=address,
        text_shown=shown,
        text_version=version,
        opted_in_on=opted_in_on or timezone.localdate(),
        recorded_by=actor,
    )
    save_audited(opt_in, actor)
    return opt_in


def reminder_opt_out(*, actor: User, opt_in: ReminderOptIn, expected_version: int) -> ReminderOptIn:
    """The caseworker ends the reminders (the person said so): versioned, in the history."""

    def clean(current: ReminderOptIn) -> None:
        # (the row as stored: `current` already carries the new values)
        if ReminderOptIn.objects.filter(pk=current.pk, opted_out_at__isnull=False).exists():
            raise ValidationError(_("These reminders were already ended."))

    return versioned_update(
        opt_in,
        actor=actor,
        expected_version=expected_version,
        data={"opted_out_at": timezone.now(), "opt_out": ReminderOptIn.OptOut.CASEWORKER},
        fields=["opted_out_at", "opt_out"],
        clean=clean,
    )


def is_stop(text: str) -> bool:
    words = text.strip().upper().split()
    return bool(words) and words[0].strip(".!") in STOP_WORDS


@transaction.atomic
def reminder_opt_out_by_reply(*, sender: str) -> int:
    """A "STOP" from a number ends every SMS opt-in with that number. Returns how many. The
    history names no user: the person ended it themselves (opt_out says so)."""
    index = blind_index(sender, purpose="reminder_address", normaliser=normalise_reminder_address)
    ended = 0
    for opt_in in (
        ReminderOptIn.objects.active()
        .select_for_update()
        .filter(channel=ReminderChannel.SMS, address_bidx=index)
    ):
        opt_in.opted_out_at = timezone.now()
        opt_in.opt_out = ReminderOptIn.OptOut.REPLY
        opt_in.version += 1
        save_audited(opt_in, cast(Any, None))
        ended += 1
    return ended
