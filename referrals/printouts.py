"""The client printouts: the consent form (Schweigepflichtentbindung), the information on data
processing (Art. 13 DSGVO / § 15 KDG / § 17 DSG-EKD) and the appointment slip — German and the
client's language side by side, rendered through the asset-only fetcher (caseworks.web.pdf).
"""

import datetime
import logging
import re
from collections.abc import Iterable

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

from cases.models import Appointment, Case, Client
from caseworks.audit import arrangement
from caseworks.models import Organisation
from caseworks.web.pdf import wrapped_line_count
from caseworks.web.users import display_name
from referrals import pdfrender, printtexts
from referrals.models import Consent, PrintText
from referrals.placeholders import fill
from referrals.printtexts import COMMON, CONSENT, INFO_SHEET, SLIP, Texts
from visits.models import Accompaniment

logger = logging.getLogger(__name__)

CSS = "css/printouts.css"
SCRIPT_CSS = {"ar": "css/printouts-naskh.css", "ti": "css/printouts-ethiopic.css"}
NBSP = "\u00a0"
_NUMBER_SPACE = re.compile(r" (?=[\d§])")
SHORT_VALUE = 40  # characters: fits half a page's column at the printouts' size
SCRIPT_OF = {"ar": "ar", "fa": "ar", "ps": "ar", "ti": "ti"}

# Per organisation: the law the sheet is given under and the legal basis. The supervisory
# authority comes from the one place that names it by the carrier's law, which the joint
# arrangement prints too (caseworks.audit.arrangement.SUPERVISORY_AUTHORITY).
LAW = {
    Organisation.ProtectionLaw.DSGVO: (
        "Art. 13 DSGVO",
        "Art. 6 Abs. 1 Buchst. a, b und e, Art. 9 Abs. 2 Buchst. a DSGVO",
    ),
    Organisation.ProtectionLaw.KDG: (
        "§ 15 KDG (Gesetz über den Kirchlichen Datenschutz)",
        "§ 6 Abs. 1 Buchst. b und c, § 11 Abs. 2 Buchst. a KDG",
    ),
    Organisation.ProtectionLaw.DSG_EKD: (
        "§ 17 DSG-EKD (Datenschutzgesetz der Evangelischen Kirche in Deutschland)",
        "§ 6 Nr. 2 und 3, § 13 Abs. 2 Nr. 1 DSG-EKD",
    ),
}


def supervisory_authority(organisation: Organisation) -> str:
    """The authority a person may complain to, in German (the sheet's binding text)."""
    with override("de"):
        return str(arrangement.supervisory_authority(organisation))


def _keep_together(value: str) -> str:
    if len(value) <= SHORT_VALUE:
        return value.replace(" ", NBSP)
    return _NUMBER_SPACE.sub(NBSP, value)


def print_stylesheets(language: str) -> tuple[str, ...]:
    """The stylesheets, with the script fonts this language needs (and no others: an
    Ethiopic font loaded for a French form only costs time)."""
    script = SCRIPT_CSS.get(SCRIPT_OF.get(language, ""))
    return (CSS, script) if script else (CSS,)


def texts_for(printout: str, language: str, values: dict[str, str]) -> Texts:
    """A printout's texts, placeholders filled. `language` "" or "de", or a language without
    (complete) texts, gives German only."""
    wanted = {"de"} | ({language} if language in printtexts.CLIENT_LANGUAGES else set())
    rows = PrintText.objects.filter(printout__in=(printout, COMMON), language__in=wanted)
    by_lang: dict[str, dict[tuple[str, str], PrintText]] = {"de": {}, language: {}}
    for row in rows:
        by_lang[row.language][(row.printout, row.key)] = row
    keys = [(printout, k) for k in printtexts.DEFAULTS["de"][printout]] + [(COMMON, "notice")]

    def text(lang: str, key: tuple[str, str]) -> str:
        row = by_lang[lang].get(key)
        return row.text if row else printtexts.DEFAULTS["de"][key[0]][key[1]]

    german = {k[1]: fill(text("de", k), values) for k in keys if k[0] == printout}
    client: dict[str, str] = {}
    reviewed = True
    notice_client = ""
    client_rows = by_lang.get(language, {}) if language != "de" else {}
    if language and language != "de" and all(k in client_rows for k in keys):
        # German names, law citations and dates inside right-to-left text: each value set
        # apart (LRI … PDI), and no line may begin with the number of a citation ("Art. 9"),
        # else the bidi algorithm moves that number to the other end of the line. A short
        # value (a name) is kept on one line: WeasyPrint lays out the rest of a broken line
        # anew, without the isolate, and "e. V." would lose its full stop to the far end.
        client_values = (
            {k: f"\u2066{_keep_together(v)}\u2069" for k, v in values.items()}
            if language in printtexts.RTL
            else values
        )
        client = {k[1]: fill(client_rows[k].text, client_values) for k in keys if k[0] == printout}
        reviewed = all(client_rows[k].is_reviewed for k in keys if k[0] == printout)
        notice_client = client_rows[(COMMON, "notice")].text
    else:
        language = ""
    return Texts(
        language=language,
        german=german,
        client=client,
        reviewed=reviewed,
        notice_de=text("de", (COMMON, "notice")),
        notice_client=notice_client,
    )


def has_texts(printout: str, language: str) -> bool:
    """Whether a client language has every text of the printout (else it prints German only)."""
    if language not in printtexts.CLIENT_LANGUAGES:
        return False
    needed = len(printtexts.DEFAULTS["de"][printout]) + 1
    return (
        PrintText.objects.filter(
            printout__in=(printout, COMMON), language=language, key__in=_keys(printout)
        ).count()
        == needed
    )


def _keys(printout: str) -> list[str]:
    return [*printtexts.DEFAULTS["de"][printout], "notice"]


def _date(day: datetime.date | None) -> str:
    return date_format(day, "d.m.Y") if day else ""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _render(
    template: str, context: dict, texts: Texts, kind: str = "", *, keep_blocks: bool = True
) -> bytes:
    """The printout from `template`; `kind` is its body's class (its own rules in
    printouts.css), on the page and on the sheets its text blocks are laid out on."""
    fetcher = pdfrender.make_fetcher({})
    stylesheets = print_stylesheets(texts.language)
    # What reads the same for everyone ({% printblock %}) is laid out once and kept.
    blocks = pdfrender.Blocks(fetcher, stylesheets, kind, keep=keep_blocks)
    with override("de"):
        html = render_to_string(
            template,
            {
                **context,
                "printblocks": blocks,
                "kind": kind,
                "t": texts,
                "de": texts.german,
                "xx": texts.client,
                "bilingual": bool(texts.language),
                "lang": texts.language,
                "dir": texts.direction,
                "script": SCRIPT_OF.get(texts.language, "latin"),
                "language_name": printtexts.OWN_NAMES.get(texts.language, ""),
            },
        )
        # Only the organisation's part: the stationery is kept between printouts.
        stationery = render_to_string(
            "referrals/print/stationery.html",
            {k: context[k] for k in ("organisation", "organisation_lines", "contact_line")},
        )
    document = pdfrender.render_document(html, fetcher, stylesheets)
    placed = blocks.placed_in(document) if blocks.kept else []
    if placed is None:
        # A block's room is missing or of another width (a template putting one where it
        # cannot be laid in): the printout laid out whole, as it would be without blocks.
        logger.warning("printout %s: text blocks not laid in, laid out whole", template)
        return _render(template, context, texts, kind, keep_blocks=False)
    paper = pdfrender.stationery_pdf(stationery, fetcher, (CSS,))
    return pdfrender.lay_on_stationery(
        document.write_pdf(), [(len(document.pages), paper)], placed
    )[0]


# The stationery's head (static/css/printouts.css): the name in 10 pt bold, the address and
# contact lines in 8 pt, line height 1.3, 105 mm wide.
HEAD_WIDTH_MM = 105.0


def head_height_mm(name: str, lines: list[str]) -> float:
    """The height of the organisation's head on the stationery, which the printout keeps
    free: lines as they wrap (counted generously), so that nothing runs into it."""
    name_lines = wrapped_line_count(
        [name], width_mm=HEAD_WIDTH_MM - 1, size_pt=10.0, font="fonts/DejaVuSans-Bold.ttf"
    )
    other_lines = wrapped_line_count(lines, width_mm=HEAD_WIDTH_MM - 1, size_pt=8.0)
    return (name_lines * 10.0 + other_lines * 8.0) * 1.3 * 25.4 / 72


def _organisation_context(organisation: Organisation) -> dict:
    lines = _lines(organisation.address)
    contact_lines = [
        x
        for x in (f"Tel. {organisation.phone}" if organisation.phone else "", organisation.email)
        if x
    ]
    contact_line = " · ".join(contact_lines)
    return {
        "organisation": organisation,
        "organisation_lines": lines,
        "contact_lines": contact_lines,
        "contact_line": contact_line,
        "head_mm": head_height_mm(
            organisation.name, [*lines, contact_line] if contact_line else lines
        ),
    }


# --- consent form -----------------------------------------------------------------------------


def consent_form_pdf(consent: Consent, *, language: str) -> bytes:
    client = consent.client
    organisation = client.case.team.organisation
    texts = texts_for(
        CONSENT,
        language,
        {
            "organisation": organisation.name,
            "date": _date(consent.valid_until),
        },
    )
    services = list(consent.services.all())
    recipients = [(service.name, ", ".join(_lines(service.address))) for service in services]
    if consent.category:
        recipients.append((f"alle Stellen der Kategorie „{consent.get_category_display()}“", ""))
    if consent.organisation is not None:
        # A consent to a hand-over to another carrier: the carrier and what may move there
        # (the German labels; the person's language has no text for them yet).
        with override("de"):
            scope = "; ".join(consent.transfer_scope_labels())
        recipients.append((f"{consent.organisation.name} (Übernahme des Falls)", scope))
    items = [
        (ticked, *texts.pair(key))
        for key, ticked in [("data_name", True)]
        + [(f"data_{item}", consent.shares(item)) for item in Consent.SharedData.values]
    ]
    return _render(
        "referrals/print/consent_form.html",
        {
            **_organisation_context(organisation),
            "client_name": f"{client.first_name} {client.last_name}",
            "birth_date": _date(client.birth_date),
            "recipients": recipients,
            "purpose": consent.purpose,
            "items": items,
            "valid_key": "valid_until" if consent.valid_until else "valid_open",
            "reference": client.case.reference,
            "printed_on": _date(timezone.localdate()),
        },
        texts,
    )


# --- information on data processing -----------------------------------------------------------

# The sheet's paragraphs after the controller and the contacts, in their order.
INFO_SECTIONS = (
    "purpose",
    "legal",
    "recipients",
    "retention",
    "rights",
    "complaint",
    "voluntary",
    "reminders",
)


def info_sheet_pdf(organisation: Organisation, *, language: str, client: Client | None = None):
    law, legal = LAW[Organisation.ProtectionLaw(organisation.protection_law)]
    authority = supervisory_authority(organisation)
    texts = texts_for(
        INFO_SHEET,
        language,
        {
            "organisation": organisation.name,
            "law": law,
            "legal": legal,
            "authority": authority,
            "years": str(organisation.retention_years),
        },
    )
    pdf = _render(
        "referrals/print/info_sheet.html",
        {
            **_organisation_context(organisation),
            "dpo_lines": _lines(organisation.dpo_contact),
            "sections": [texts.pair(key) for key in INFO_SECTIONS],
            "client_name": f"{client.first_name} {client.last_name}" if client else "",
            "printed_on": _date(timezone.localdate()),
        },
        texts,
        kind="info",
    )
    return pdf, texts


# --- appointment slip -------------------------------------------------------------------------


def _weekday(texts_de: str, texts_xx: str, day: datetime.date) -> tuple[str, str]:
    def pick(names: str) -> str:
        parts = [p.strip() for p in names.replace("፡", ",").replace("،", ",").split(",")]
        return parts[day.weekday()] if len(parts) == 7 else ""

    return pick(texts_de), pick(texts_xx) if texts_xx else ""


def _slip(
    *,
    case: Case,
    client: Client,
    at: datetime.datetime,
    place: str,
    address: list[str],
    companions: Iterable[tuple[str, str]],
    language: str,
    contact: list[str],
    family: Iterable[Client] = (),
) -> bytes:
    """The slip of one person (`client`: named on it, whoever else of the household goes):
    `companions` are who of the house comes along (first name, role key), `family` the
    other persons of the household the appointment is for as well."""
    organisation = case.team.organisation
    local = timezone.localtime(at)
    texts = texts_for(SLIP, language, {"time": f"{local:%H:%M}"})
    weekday_de, weekday_xx = _weekday(
        texts.german["weekdays"], texts.client.get("weekdays", ""), local.date()
    )
    house = [(name, *texts.pair(role)) for name, role in companions]
    relatives = [(_first(person.first_name), *texts.pair("role_family")) for person in family]
    return _render(
        "referrals/print/appointment_slip.html",
        {
            **_organisation_context(organisation),
            "client_name": f"{client.first_name} {client.last_name}",
            "date": _date(local.date()),
            "weekday_de": weekday_de,
            "weekday_xx": weekday_xx,
            "place": place,
            "address": address,
            "companions": house + relatives,
            "nobody_from_us": not house,
            "contact": contact,
        },
        texts,
        kind="slip",
    )


def _contact(user, organisation: Organisation) -> list[str]:
    """Whom to call: the caseworker's name, the phone, the e-mail (breakable after its "@"
    and before its dots, never inside a word), each on a line of its own."""
    parts = [display_name(user)] if user else []
    if organisation.phone:
        parts.append(f"Tel. {organisation.phone}")
    email = (user.email if user is not None else "") or organisation.email
    if email:
        parts.append(pdfrender.breakable_emails(email))
    return parts


def _first(name: str) -> str:
    return name.split()[0] if name.strip() else ""


def _first_name(user) -> str:
    return _first(user.first_name or user.get_username()) if user else ""


def accompaniment_slip_pdf(accompaniment: Accompaniment, *, language: str) -> bytes:
    case = accompaniment.case
    companions: list[tuple[str, str]] = []
    if accompaniment.accompanied_by_id:
        companions.append((_first_name(accompaniment.accompanied_by), "role_staff"))
    if accompaniment.volunteer_id:
        companions.append((_first_name(accompaniment.volunteer), "role_volunteer"))
    if accompaniment.interpreter_name or accompaniment.interpreter_language:
        first = (accompaniment.interpreter_name or "").split()
        companions.append((first[0] if first else "", "role_interpreter"))
    service = accompaniment.service
    if service is not None:
        place, address = service.name, _lines(service.address)
        if accompaniment.destination_text:
            address = [*address, *_lines(accompaniment.destination_text)]
    else:
        lines = _lines(accompaniment.destination_text)
        place, address = (lines[0] if lines else ""), lines[1:]
    return _slip(
        case=case,
        client=accompaniment.client,
        at=accompaniment.appointment_at,
        place=place,
        address=address,
        companions=companions,
        family=accompaniment.others.all(),
        language=language,
        contact=_contact(accompaniment.accompanied_by or case.assigned_to, case.team.organisation),
    )


def appointment_slip_pdf(appointment: Appointment, *, client: Client, language: str) -> bytes:
    """The slip of `client`, one of the persons the appointment is for (the caller checks):
    named on it, the others of the appointment listed as family who goes too."""
    case = appointment.case
    service = appointment.service
    if service is not None:
        place, address = service.name, _lines(service.address)
        if appointment.place:
            address = [*address, *_lines(appointment.place)]
    else:
        lines = _lines(appointment.place)
        place, address = (lines[0] if lines else appointment.get_kind_display()), lines[1:]
    return _slip(
        case=case,
        client=client,
        at=appointment.starts_at,
        place=place,
        address=address,
        companions=[],
        family=[person for person in appointment.persons.all() if person.pk != client.pk],
        language=language,
        contact=_contact(case.assigned_to, case.team.organisation),
    )
