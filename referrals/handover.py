"""The consents behind a hand-over packet (cases.moving.summary): a packet for a service outside the
house carries the person's name and date of birth and only what their valid consent lets
through (Consent.shared_data); the packet page lists the consents this provider names.
And the consents behind a hand-over to another carrier of the house
(cases.services.transfers): a consent naming that carrier, with what it lets move."""

import datetime

from django.utils.translation import gettext as _

from cases.models import Case
from caseworks.extensions.handover import (
    PacketConsent,
    TransferConsent,
    register_packet_consents,
    register_transfer_consents,
)
from referrals.models import Consent

# Consent.SharedData values that mean the same part of a packet (cases.moving.summary.PARTS).
_PARTS = {Consent.SharedData.CONTACT: "contact", Consent.SharedData.LANGUAGE: "language"}


def _recipient(consent: Consent) -> str:
    names = [service.name for service in consent.services.all()]
    if consent.category:
        names.append(
            _("every service of the category %(category)s")
            % {"category": consent.get_category_display()}
        )
    return ", ".join(names)


@register_packet_consents
def consents_for_packet(case: Case, *, today: datetime.date) -> list[PacketConsent]:
    # A consent to a carrier of the house is no release towards a service outside it.
    consents = (
        Consent.objects.filter(
            client__case=case, signed_on__isnull=False, organisation__isnull=True
        )
        .select_related("client")
        .prefetch_related("services")
        .defer("note")
        .order_by("-signed_on", "-id")
    )
    return [
        PacketConsent(
            code=str(consent.code),
            client=consent.client,
            recipient=_recipient(consent),
            parts=frozenset(part for item, part in _PARTS.items() if consent.shares(item)),
            description=_("signed on %(day)s") % {"day": f"{consent.signed_on:%d.%m.%Y}"},
        )
        for consent in consents
        if consent.is_valid_on(today)
    ]


@register_transfer_consents
def consents_for_transfer(
    case: Case, *, organisation_id: int, today: datetime.date
) -> list[TransferConsent]:
    consents = (
        Consent.objects.filter(
            client__case=case, organisation_id=organisation_id, signed_on__isnull=False
        )
        .defer("note", "purpose")
        .order_by("-signed_on", "-id")
    )
    return [
        TransferConsent(
            code=str(consent.code),
            client_id=consent.client_id,
            scope=scope,
            signed_on=consent.signed_on,
            valid_until=consent.valid_until,
        )
        for consent in consents
        if consent.signed_on is not None
        and (scope := consent.transfer_scope_for(organisation_id, today))
    ]
