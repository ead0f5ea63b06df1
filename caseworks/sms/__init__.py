"""SMS through the gateway the house chooses: one small interface, configured from the
environment like the mail settings (caseworks.settings, CASEWORKS_SMS_*).

    send(to, text) -> the provider's message id      (raises Refused or outbox.Unknown)
    webhook_events(body) -> [DeliveryReport | Reply]  (the provider's callbacks)

Backends (caseworks.sms.backends): "console" for the demo (the log, or a file), "seven" for
seven.io's HTTP API. Nothing here knows a client: the callers (referrals.reminders) decide
what is sent to whom; an error never carries the number or the text.
"""

import re
from dataclasses import dataclass

from django.conf import settings

from caseworks.ops.outbox import Unknown

__all__ = [
    "DeliveryReport",
    "Refused",
    "Reply",
    "Unknown",
    "get_backend",
    "normalise_number",
    "send",
    "webhook_events",
]


class Refused(Exception):
    """The gateway did not take the message (no connection, an error answer): nothing was
    sent, it may be tried again."""


@dataclass(frozen=True)
class DeliveryReport:
    """The provider's word on a sent message: `state` is "delivered", "failed" or "pending"."""

    message_id: str
    state: str


@dataclass(frozen=True)
class Reply:
    """A message a person sent back (e.g. "STOP"), from their number (normalised)."""

    sender: str
    text: str


def normalise_number(number: str) -> str:
    """A phone number as +<country><number>, digits only: "0170 123 45-67", "0049170…",
    "+49 (0)170…" and "49170…" (a gateway's sender) are one number. German numbers without
    a country code are taken as German."""
    number = (number or "").strip().replace("(0)", "")
    digits = re.sub(r"\D", "", number)
    if not digits:
        return ""
    if number.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return "+49" + digits[1:]
    return "+" + digits


def get_backend():
    """The configured gateway, with the settings as they are now (cheap to build)."""
    from caseworks.sms import backends

    return backends.BACKENDS[settings.CASEWORKS_SMS_BACKEND]()


def send(to: str, text: str) -> str:
    """Hand one SMS to the gateway; the provider's message id."""
    return str(get_backend().send(normalise_number(to), text))


def webhook_events(body: bytes) -> list[DeliveryReport | Reply]:
    return list(get_backend().webhook_events(body))
