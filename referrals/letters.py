"""Referral letters: the default text per service category, and rendering one letter.

Letters are written in German whatever the user's UI language: they go to German services.
"""

import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

from caseworks.models import Service
from caseworks.pdf import BASE_URL, render_pdf
from caseworks.users import display_name
from referrals.models import Consent, Referral

GENERIC = (
    "Sehr geehrte Damen und Herren,\n\n"
    "wir begleiten {name} im Rahmen der Flüchtlingsbegleitung und bitten Sie, "
    "{pronoun} in Ihrem Angebot zu unterstützen.\n\n"
    "Für Rückfragen und zur Abstimmung eines Termins stehen wir gern zur Verfügung."
)
BODIES: dict[str, str] = {
    Service.Category.MIGRATION_ADULTS: (
        "Sehr geehrte Damen und Herren,\n\n"
        "wir begleiten {name} im Rahmen der Flüchtlingsbegleitung und bitten um einen "
        "Beratungstermin in der Migrationsberatung für erwachsene Zuwanderer.\n\n"
        "Für Rückfragen stehen wir gern zur Verfügung."
    ),
    Service.Category.YOUTH_MIGRATION: (
        "Sehr geehrte Damen und Herren,\n\n"
        "wir begleiten {name} und bitten den Jugendmigrationsdienst um Beratung und "
        "Unterstützung bei Schule, Ausbildung und Beruf.\n\n"
        "Für Rückfragen stehen wir gern zur Verfügung."
    ),
    Service.Category.ASYLUM_COUNSELLING: (
        "Sehr geehrte Damen und Herren,\n\n"
        "wir begleiten {name} und bitten um eine unabhängige Beratung zum Asylverfahren. "
        "Bitte beachten Sie gegebenenfalls laufende Fristen.\n\n"
        "Für Rückfragen stehen wir gern zur Verfügung."
    ),
    Service.Category.PSYCHOSOCIAL: (
        "Sehr geehrte Damen und Herren,\n\n"
        "wir begleiten {name} und bitten um ein Erstgespräch in Ihrem psychosozialen "
        "Zentrum. Eine Sprachmittlung wird voraussichtlich benötigt.\n\n"
        "Für Rückfragen stehen wir gern zur Verfügung."
    ),
}


def default_subject(referral_or_service, client) -> str:
    return f"Vermittlung: {client.first_name} {client.last_name}"


def default_body(service: Service, client) -> str:
    template = BODIES.get(service.category, GENERIC)
    pronoun = {"female": "sie", "male": "ihn"}.get(client.gender, "die Person")
    return template.format(name=f"{client.first_name} {client.last_name}", pronoun=pronoun)


def covering_consent(referral: Referral, day: datetime.date | None = None) -> Consent | None:
    """The newest consent of the person that covers the service today (None: no letter)."""
    consents = referral.client.consents.prefetch_related("services").order_by("-signed_on")
    return next((c for c in consents if c.covers(referral.service, day)), None)


def render_letter(
    referral: Referral, consent: Consent, *, draft: bool = False, today: datetime.date | None = None
) -> bytes:
    """The letter as PDF. The contact named is the referring caseworker, whoever prints."""
    today = today or timezone.localdate()
    contact = referral.created_by
    case, client, service = referral.case, referral.client, referral.service
    organisation = case.team.organisation
    assets = {}
    logo_url = ""
    if organisation.logo:
        logo_url = BASE_URL + "logo"
        assets[logo_url] = (bytes(organisation.logo), organisation.logo_type)
    with override("de"):
        html = render_to_string(
            "referrals/letter.html",
            {
                "asset_base": BASE_URL,
                "organisation": organisation,
                "team_name": case.team.name,
                "logo_url": logo_url,
                "sender_line": organisation.letter_sender or organisation.name,
                "recipient_name": service.name,
                "recipient_address": service.address,
                "caseworker_name": display_name(contact),
                "caseworker_email": contact.email,
                "reference": case.reference,
                "date": date_format(today, "DATE_FORMAT"),
                "subject": referral.letter_subject or default_subject(referral, client),
                "body": referral.letter_body or default_body(service, client),
                "client_name": f"{client.first_name} {client.last_name}",
                "consent_signed_on": date_format(consent.signed_on, "SHORT_DATE_FORMAT"),
                "consent_valid_until": date_format(consent.valid_until, "SHORT_DATE_FORMAT")
                if consent.valid_until
                else "",
                "draft": draft,
            },
        )
    return render_pdf(html, assets=assets)
