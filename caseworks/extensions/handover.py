"""The consents behind a hand-over packet (cases.moving.summary) and behind a hand-over to
another carrier of the house (cases.services.transfers): the packet for a service outside the
house holds only what a person's valid consent lets through, a case moves to another carrier
only as far as its persons' consents for that carrier reach, and the consents live in
referrals, which may import cases, never the other way round. Without a provider, or without
a valid consent, there is no packet and no hand-over to another carrier."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from caseworks.extensions.registry import Registry


@dataclass
class PacketConsent:
    """A valid consent of one person of the case, as its app describes it."""

    code: str  # the consent's public code (the access log records it)
    client: Any  # a cases.models.Client of the case
    recipient: str  # whom the consent names
    parts: frozenset[str]  # keys of cases.moving.summary.PARTS it lets through
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class PacketConsentProvider(Protocol):
    def __call__(self, case: Any, /, *, today: datetime.date) -> Iterable[PacketConsent]: ...


# provider(case, *, today) -> [PacketConsent] valid on `today` for persons of the case
handover_consents: Registry[PacketConsentProvider] = Registry("handover.handover_consents")
register_packet_consents = handover_consents.register


@dataclass(frozen=True)
class TransferConsent:
    """A person's consent, valid on the day asked, to a hand-over of their case to a carrier."""

    code: str  # the consent's public code (the transfer record keeps it)
    client_id: int  # a cases.models.Client of the case
    scope: frozenset[str]  # cases.models.TransferScope values it lets move
    signed_on: datetime.date
    valid_until: datetime.date | None


class TransferConsentProvider(Protocol):
    def __call__(
        self, case: Any, /, *, organisation_id: int, today: datetime.date
    ) -> Iterable[TransferConsent]: ...


# provider(case, *, organisation_id, today) -> [TransferConsent] for persons of the case
transfer_consents: Registry[TransferConsentProvider] = Registry("handover.transfer_consents")
register_transfer_consents = transfer_consents.register
