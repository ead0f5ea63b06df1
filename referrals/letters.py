"""Referral letters: the default text per service category, and rendering one letter.

Letters are written in German whatever the user's UI language: they go to German services.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

from caseworks import languages
from caseworks.models import Service
from caseworks.web.pdf import (
    BASE_URL,
    wrapped_line_count,
)
from caseworks.web.users import display_name
from referrals import pdfrender
from referrals.models import Consent, LetterText, Referral
from referrals.placeholders import fill

# The letter prints the salutation and the closing itself; these are the paragraphs between.
GENERIC = (
    "wir begleiten {name} im Rahmen der Flüchtlingsbegleitung und bitten Sie, "
    "{pronoun} in Ihrem Angebot zu unterstützen."
)
BODIES: dict[str, str] = {
    Service.Category.MIGRATION_ADULTS: (
        "wir begleiten {name} im Rahmen der Flüchtlingsbegleitung und bitten um einen "
        "Beratungstermin in der Migrationsberatung für erwachsene Zuwanderer."
    ),
    Service.Category.YOUTH_MIGRATION: (
        "wir begleiten {name} und bitten den Jugendmigrationsdienst um Beratung und "
        "Unterstützung bei Schule, Ausbildung und Beruf."
    ),
    Service.Category.ASYLUM_COUNSELLING: (
        "wir begleiten {name} und bitten um eine unabhängige Beratung zum Asylverfahren. "
        "Bitte beachten Sie gegebenenfalls laufende Fristen."
    ),
    Service.Category.PSYCHOSOCIAL: (
        "wir begleiten {name} und bitten um ein Erstgespräch in Ihrem psychosozialen Zentrum."
    ),
}
SALUTATION = "Sehr geehrte Damen und Herren,"
# Texts saved before the letter printed these itself began and ended with them.
_LEGACY_OPENING = re.compile(r"\A\s*Sehr geehrte[^\n]*,\s*\n")
_LEGACY_CLOSINGS = (
    "Für Rückfragen stehen wir gern zur Verfügung.",
    "Für Rückfragen und zur Abstimmung eines Termins stehen wir gern zur Verfügung.",
)


DEFAULT_SUBJECT = "Vermittlung: {name}"


def organisation_text(service: Service, case) -> LetterText | None:
    """The organisation's own text for the service's category, else its general one."""
    if case is None:
        return None
    texts = {
        t.category: t
        for t in LetterText.objects.filter(
            organisation_id=case.team.organisation_id, category__in=(service.category, "")
        )
    }
    return texts.get(service.category) or texts.get("")


def placeholder_values(service: Service, client, case, author) -> dict[str, str]:
    """The values of the fixed placeholders (referrals.placeholders.LETTER_PLACEHOLDERS)."""
    return {
        "vorname": client.first_name,
        "nachname": client.last_name,
        "name": f"{client.first_name} {client.last_name}",
        "geburtsdatum": _date(client.birth_date),
        "dienst": service.name,
        "bearbeiter": display_name(author) if author is not None else "",
        "az": case.reference if case is not None else "",
        "organisation": case.team.organisation.name if case is not None else "",
    }


def default_subject(service: Service, client, *, case=None, author=None) -> str:
    own = organisation_text(service, case)
    subject = own.subject if own else DEFAULT_SUBJECT
    return fill(subject, placeholder_values(service, client, case, author))


def default_body(service: Service, client, *, case=None, author=None) -> str:
    """The organisation's text for the category (placeholders filled), else the built-in one."""
    own = organisation_text(service, case)
    if own is not None:
        return fill(own.body, placeholder_values(service, client, case, author))
    template = BODIES.get(service.category, GENERIC)
    pronoun = {"female": "sie", "male": "ihn"}.get(client.gender, "die Person")
    return template.format(name=f"{client.first_name} {client.last_name}", pronoun=pronoun)


def body_paragraphs(body: str) -> str:
    """The caseworker's text without a salutation or closing of its own (the letter has them)."""
    body = _LEGACY_OPENING.sub("", body.replace("\r\n", "\n"), count=1).strip()
    for closing in _LEGACY_CLOSINGS:
        if body.endswith(closing):
            body = body[: -len(closing)].rstrip()
    return body


def _date(day: datetime.date | None) -> str:
    return date_format(day, "d.m.Y") if day else ""


def person_rows(referral: Referral, consent: Consent) -> list[tuple[str, str]]:
    """The person's data the letter names: name and date of birth always, the rest only as far
    as the consent covers passing it on (Consent.shared_data)."""
    client, case = referral.client, referral.case
    rows = [("Name", f"{client.first_name} {client.last_name}")]
    if client.birth_date:
        rows.append(("Geburtsdatum", _date(client.birth_date)))
    if consent.shares(Consent.SharedData.CONTACT):
        address = ", ".join(
            line.strip() for line in case.accommodation_address.splitlines() if line.strip()
        )
        rows += [
            (label, value)
            for label, value in (
                ("Anschrift", address),
                ("Telefon", client.phone),
                ("E-Mail", pdfrender.breakable_emails(client.email)),
            )
            if value
        ]
    if consent.shares(Consent.SharedData.LANGUAGE):
        if client.languages or client.languages_other:
            shown = languages.names(client.languages, "de")
            if client.languages_other:
                shown.append(f"nicht zugeordnet: {client.languages_other}")
            rows.append(("Sprache(n)", ", ".join(shown)))
        rows.append(
            (
                "Sprachmittlung",
                "wird benötigt" if client.interpreter_needed else "nicht erforderlich",
            )
        )
    return rows


def covering_consent(referral: Referral, day: datetime.date | None = None) -> Consent | None:
    """The newest consent of the person that covers the service today (None: no letter)."""
    return covering_consents([referral], day)[referral.pk]


def covering_consents(
    referrals: list[Referral], day: datetime.date | None = None
) -> dict[int, Consent | None]:
    """covering_consent for several referrals in two queries (a print batch)."""
    by_client: dict[int, list[Consent]] = defaultdict(list)
    consents = (
        Consent.objects.filter(client_id__in={r.client_id for r in referrals})
        .prefetch_related("services")
        .order_by("-signed_on", "-pk")
    )
    for consent in consents:
        by_client[consent.client_id].append(consent)
    return {
        r.pk: next((c for c in by_client[r.client_id] if c.covers(r.service, day)), None)
        for r in referrals
    }


# What a letter is rendered from, in the query that loads the referrals (print batches).
LETTER_RELATED = ("client", "service", "case__team__organisation", "created_by")


LETTER_CSS = ("css/letter.css",)


@dataclass(frozen=True)
class LetterSource:
    """What one letter is rendered from: its own pages (the HTML) and the stationery they are
    laid on (the organisation's letterhead, marks, sender line and footer)."""

    html: str
    stationery: str
    assets: dict[str, tuple[bytes, str]]


def _letter_source(
    referral: Referral, consent: Consent, *, draft: bool, today: datetime.date
) -> LetterSource:
    organisation = referral.case.team.organisation
    assets = {}
    logo_url = ""
    if organisation.logo:
        # One URL per organisation: a batch of several organisations' letters keeps each logo.
        logo_url = f"{BASE_URL}logo/{organisation.pk}"
        assets[logo_url] = (bytes(organisation.logo), organisation.logo_type)
    with override("de"):
        html = render_to_string(
            "referrals/letter.html",
            letter_context(referral, consent, today=today, draft=draft),
        )
        stationery = render_to_string(
            "referrals/letter_stationery.html",
            stationery_context(organisation, referral.case.team.name, logo_url=logo_url),
        )
    return LetterSource(html, stationery, assets)


def render_letter(
    referral: Referral, consent: Consent, *, draft: bool = False, today: datetime.date | None = None
) -> bytes:
    """The letter as PDF. The contact named is the referring caseworker, whoever prints."""
    source = _letter_source(referral, consent, draft=draft, today=today or timezone.localdate())
    return _render([source])[1][0]


def render_letters_batch(
    pairs: list[tuple[Referral, Consent]], *, today: datetime.date | None = None
) -> tuple[bytes, list[bytes]]:
    """Several letters at once: (the batch as one PDF, each letter's own PDF)."""
    today = today or timezone.localdate()
    if not pairs:
        return b"", []
    return _render([_letter_source(r, c, draft=False, today=today) for r, c in pairs])


def _render(sources: list[LetterSource]) -> tuple[bytes, list[bytes]]:
    """Each letter is laid out as its own document (its first page, its "Seite x von y"),
    but what every letter of an organisation shares is rendered once: the stylesheet and
    fonts (pdfrender, once per thread), the stationery (once per batch and organisation,
    laid under each page as one shared PDF form), and the writing of the PDF (once for the
    batch, one font subset). Each letter's PDF is cut from the batch by its pages: the same
    pages, as archived."""
    assets: dict[str, tuple[bytes, str]] = {}
    for source in sources:
        assets.update(source.assets)
    fetcher = pdfrender.make_fetcher(assets)
    documents = [pdfrender.render_document(s.html, fetcher, LETTER_CSS) for s in sources]
    pages = [page for document in documents for page in document.pages]
    written = documents[0].copy(pages).write_pdf()
    stationery = {
        html: pdfrender.stationery_pdf(html, fetcher, LETTER_CSS)
        for html in {s.stationery for s in sources}
    }
    return pdfrender.lay_on_stationery(
        written,
        [
            (len(document.pages), stationery[source.stationery])
            for document, source in zip(documents, sources, strict=True)
        ],
    )


# DIN 5008 Anschriftzone: 27.3 mm high; text from 5 mm inside the 85 mm field, 2 mm kept free
# on the right. Sizes tried largest first, line height 1.25; 8 pt is the smallest DIN allows.
ADDRESS_ZONE_MM = 27.3
ADDRESS_TEXT_MM = 78.0
ADDRESS_SIZES_PT = (10.0, 9.0, 8.0)


def address_size(lines: list[str]) -> float:
    """The largest font size at which the recipient's lines fit the Anschriftzone."""
    for size in ADDRESS_SIZES_PT:
        fits = int(ADDRESS_ZONE_MM // (size * 1.25 * 25.4 / 72))
        if wrapped_line_count(lines, width_mm=ADDRESS_TEXT_MM - 1, size_pt=size) <= fits:
            return size
    return ADDRESS_SIZES_PT[-1]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def letter_context(
    referral: Referral,
    consent: Consent,
    *,
    today: datetime.date,
    draft: bool = False,
) -> dict:
    """The letter's own page content (the stationery is stationery_context)."""
    contact = referral.created_by
    case, client, service = referral.case, referral.client, referral.service
    organisation = case.team.organisation
    subject = referral.letter_subject or default_subject(
        service, client, case=case, author=referral.created_by
    )
    # Urgency is its own mark above the subject, not a second prefix before the subject's
    # own ("Eilt: Vermittlung: …").
    recipient_lines = [service.name, *_lines(service.address)]
    reason = ""
    if consent.shares(Consent.SharedData.REASON):
        reason = referral.reason.strip()
    return {
        "organisation": organisation,
        "team_name": case.team.name,
        "recipient_lines": recipient_lines,
        "address_size": address_size(recipient_lines),
        "caseworker_name": display_name(contact),
        "caseworker_email": pdfrender.breakable_emails(contact.email),
        "phone": organisation.phone,
        "reference": case.reference,
        "date": _date(today),
        "subject": subject,
        "urgent": referral.urgency == Referral.Urgency.URGENT,
        "salutation": SALUTATION,
        "body": body_paragraphs(
            referral.letter_body
            or default_body(service, client, case=case, author=referral.created_by)
        ),
        "person": person_rows(referral, consent),
        "reason": reason,
        "client_name": f"{client.first_name} {client.last_name}",
        "consent_signed_on": _date(consent.signed_on),
        "consent_valid_until": _date(consent.valid_until),
        "draft": draft,
    }


def stationery_context(organisation, team_name: str, *, logo_url: str = "") -> dict:
    """The organisation's letterhead, sender line and footer (no person's data)."""
    return {
        "organisation": organisation,
        "team_name": team_name,
        "logo_url": logo_url,
        "sender_line": organisation.letter_sender or organisation.name,
        "footer_columns": [
            col
            for col in (
                [organisation.name, *_lines(organisation.address)],
                [
                    line
                    for line in (
                        f"Tel. {organisation.phone}" if organisation.phone else "",
                        pdfrender.breakable_emails(organisation.email),
                        organisation.website,
                    )
                    if line
                ],
                _lines(organisation.letter_footer),
            )
            if col
        ],
    }
