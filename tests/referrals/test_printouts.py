"""The client printouts read from the PDF: German and the client's language side by side,
Arabic right to left, Ethiopic glyphs present, the convenience-translation notice until a
translator reviewed the texts, nothing fetched from outside, nothing outside the page."""

import datetime
import io
import os
from unittest.mock import patch

import pdfplumber
import pikepdf
import pytest
from django.utils import timezone
from django.utils.safestring import SafeString

from cases.models import Appointment
from caseworks.web.pdf import AssetsOnlyFetcher, font_assets, render_pdf
from referrals import pdfrender, printouts, services
from referrals.models import Consent, InfoSheetHandout, PrintText
from referrals.printtexts import CLIENT_LANGUAGES, DEFAULTS
from tests.referrals.conftest import pdf_text, subset_names
from visits.models import Accompaniment

MM = 72 / 25.4
A4_W, A4_H = 210, 297
PRINTABLE = 4.2
TODAY = timezone.localdate()


def dump(name: str, pdf: bytes) -> bytes:
    """PRINTOUT_DUMP=/dir keeps the PDFs for looking at them (pdftoppm -png -r 60)."""
    folder = os.environ.get("PRINTOUT_DUMP")
    if folder:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name), "wb") as f:
            f.write(pdf)
    return pdf


def chars(pdf: bytes) -> list[dict]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [
            {
                **c,
                "page": n,
                "x0mm": c["x0"] / MM,
                "x1mm": c["x1"] / MM,
                "topmm": c["top"] / MM,
                "bottommm": c["bottom"] / MM,
            }
            for n, page in enumerate(doc.pages)
            for c in page.chars
        ]


def text_of(pdf: bytes) -> str:
    """All text, Arabic words in logical order (pdfplumber reads visual lines). A no-break
    space reads as a space: where a font's one space glyph stands for both, the PDF's
    character map names whichever it met first."""
    return pdf_text(pdf).replace("\u00a0", " ")


def inside_page(pdf: bytes) -> None:
    for c in chars(pdf):
        assert c["x0mm"] >= PRINTABLE and c["x1mm"] <= A4_W - PRINTABLE, c["text"]
        assert c["topmm"] >= PRINTABLE and c["bottommm"] <= A4_H - PRINTABLE, c["text"]


@pytest.fixture
def the_consent(alice, alice_case, mbe):
    c = services.consent_record(
        actor=alice,
        client=alice_case.clients.first(),
        services=[mbe],
        purpose="Vermittlung in die Migrationsberatung",
        signed_on=None,
        valid_until=TODAY + datetime.timedelta(days=365),
        shared_data=[Consent.SharedData.CONTACT],
    )
    return c


def test_consent_form_german_and_arabic_right_to_left(the_consent):
    pdf = dump("consent-ar.pdf", printouts.consent_form_pdf(the_consent, language="ar"))
    text = text_of(pdf)
    assert "Schweigepflichtentbindung" in text
    assert "Migrationsberatung MBE" in text and "Ahmad Karimi" in text
    arabic = [c for c in chars(pdf) if "\u0600" <= c["text"] <= "\u06ff"]
    assert len(arabic) > 200
    # The Arabic column lies right of the German one (below the facts, above the signatures)
    column = [c for c in arabic if 120 < c["topmm"] < 225]
    assert column and min(c["x0mm"] for c in column) > 100
    # ... and the title "الإعفاء من واجب السرية" is set right to left: its first word
    # (logical order) stands rightmost on the line.
    title = DEFAULTS["ar"]["consent_form"]["title"].split()
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        words = doc.pages[0].extract_words(use_text_flow=False)
    line = [w for w in words if "\u0600" <= w["text"][:1] <= "\u06ff"]
    first = min(line, key=lambda w: w["top"])
    same_line = sorted(
        (w for w in line if abs(w["top"] - first["top"]) < 2), key=lambda w: -w["x1"]
    )
    assert len(same_line) == len(title)
    # pdfplumber gives each word's glyphs in visual order; reversed they spell the word.
    assert [w["text"][::-1] for w in same_line][0] in (title[0], title[0][::-1])
    assert [w["x0"] for w in same_line] == sorted((w["x0"] for w in same_line), reverse=True)
    inside_page(pdf)


def test_consent_form_lists_what_is_shared_and_the_revocation(the_consent):
    text = " ".join(text_of(printouts.consent_form_pdf(the_consent, language="en")).split())
    assert "☒ Anschrift, Telefon und E-Mail" in text or "☒Anschrift, Telefon und E-Mail" in text
    assert "☐Anlass der Vermittlung" in text or "☐ Anlass der Vermittlung" in text
    assert "widerrufen" in text and "revoke it at any time" in text
    assert "Datum, Unterschrift der Person" in text and "signature of the person" in text
    assert "Gültig bis" in text and "Valid until" in text


def test_tigrinya_glyphs_present(the_consent):
    pdf = dump("consent-ti.pdf", printouts.consent_form_pdf(the_consent, language="ti"))
    ethiopic = [c for c in chars(pdf) if "\u1200" <= c["text"] <= "\u137f"]
    assert len(ethiopic) > 100
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        fonts = {c["fontname"] for c in doc.pages[0].chars}
    assert any("Ethiopic" in f for f in fonts)
    assert "ሓበሬታ" in text_of(pdf) or "ስምን" in text_of(pdf)


def test_convenience_notice_until_reviewed_then_gone(the_consent, adam):
    notice_de = DEFAULTS["de"]["common"]["notice"][:40]
    text = text_of(printouts.consent_form_pdf(the_consent, language="fr"))
    assert notice_de in text.replace("\n", " ")
    assert "Seul le texte allemand fait foi" in text.replace("\n", " ")
    for row in PrintText.objects.filter(printout__in=("consent_form", "common"), language="fr"):
        row.review, row.reviewed_at, row.reviewed_by = "reviewed", timezone.now(), "Ü. Setzer"
        row.save()
    text = text_of(printouts.consent_form_pdf(the_consent, language="fr"))
    assert notice_de not in text.replace("\n", " ")
    assert "Levée du secret professionnel" in text


def test_a_language_without_texts_prints_german_only(the_consent):
    PrintText.objects.filter(language="ps", printout="consent_form").delete()
    text = text_of(printouts.consent_form_pdf(the_consent, language="ps"))
    assert "Schweigepflichtentbindung" in text
    assert not any("\u0600" <= ch <= "\u06ff" for ch in text)


def test_no_external_resource_is_fetched(the_consent, alice_case, alice, monkeypatch):
    """The fetcher answers for the handed-over assets only: a file or web URL in user text
    is refused, and the printouts load nothing else."""
    fetcher = AssetsOnlyFetcher(font_assets())
    html = (
        '<html><body><img src="file:///etc/passwd"><img src="https://example.org/x.png">'
        '<link rel="stylesheet" href="http://example.org/a.css">Text</body></html>'
    )
    render_pdf(html, fetcher=fetcher)
    assert sorted(fetcher.refused) == sorted(
        ["file:///etc/passwd", "https://example.org/x.png", "http://example.org/a.css"]
    )
    # A printout with user text holding URLs: nothing refused, only the app's assets fetched
    # (the stylesheets' fonts included: they are parsed through the same kind of fetcher).
    client = alice_case.clients.first()
    client.first_name = '<img src="file:///etc/passwd">'
    client.save()
    c = Consent.objects.get(pk=the_consent.pk)
    seen, refused = [], []
    real = AssetsOnlyFetcher.fetch

    def fetch(self, url, headers=None):
        seen.append(url)
        try:
            return real(self, url, headers)
        except ValueError:
            refused.append(url)
            raise

    monkeypatch.setattr(AssetsOnlyFetcher, "fetch", fetch)
    # Stylesheets and fonts are loaded once per thread: start with none loaded.
    monkeypatch.setattr(pdfrender._local, "font_config", None, raising=False)
    for language in ("", "ar", "ti"):
        pdf = printouts.consent_form_pdf(c, language=language)
        assert '<img src="file:///etc/passwd">' in text_of(pdf)
    assert refused == []
    assert any("NotoNaskhArabic" in url for url in seen)
    assert any("NotoSansEthiopic" in url for url in seen)
    assert all(url.startswith("caseworks-asset:/fonts/") for url in seen), seen


def test_long_inputs_stay_on_the_page(alice, alice_case, mbe):
    mbe.name = "Migrationsberatung für erwachsene Zuwanderinnen und Zuwanderer " * 3
    mbe.address = "Bürgermeister-Friedrich-Wilhelm-Schulze-Straße 123a " * 3 + "\n12345 Musterstadt"
    mbe.save()
    org = alice_case.team.organisation
    org.address = "Haus der Kulturen\nMarktstraße 1\n12345 Musterstadt"
    org.email = "ansprechpartnerin.fuer.fluechtlingsbegleitung@kreisverband-musterstadt.example"
    org.dpo_contact = "Datenschutzbeauftragte " * 8 + "\n" + "x" * 150
    org.save()
    c = services.consent_record(
        actor=alice,
        client=alice_case.clients.first(),
        services=[mbe],
        purpose="Vermittlung " * 80 + "Donaudampfschifffahrtsgesellschaftskapitän" * 4,
        signed_on=TODAY,
        shared_data=list(Consent.SharedData.values),
    )
    for language in ("ar", "ru", "ti"):
        inside_page(
            dump(f"consent-long-{language}.pdf", printouts.consent_form_pdf(c, language=language))
        )
        pdf, _texts = printouts.info_sheet_pdf(org, language=language)
        inside_page(dump(f"info-long-{language}.pdf", pdf))


def test_info_sheet_names_the_organisations_law(org_a, org_b):
    org_a.dpo_contact = "Datenschutz AWO, Postfach 1, 12345 Musterstadt"
    org_a.retention_years = 5
    org_a.save()
    pdf, texts = printouts.info_sheet_pdf(org_a, language="ar")
    dump("info-ar.pdf", pdf)
    text = text_of(pdf)
    assert "Art. 13 DSGVO" in text and "5 Jahre" in text and "Datenschutz AWO" in text
    assert not texts.reviewed
    org_b.protection_law = "kdg"
    org_b.save()
    text = text_of(dump("info-kdg-uk.pdf", printouts.info_sheet_pdf(org_b, language="uk")[0]))
    assert "§ 15 KDG" in text and "Інформація про захист даних" in text
    org_b.protection_law = "dsg_ekd"
    org_b.save()
    assert "§ 17 DSG-EKD" in text_of(printouts.info_sheet_pdf(org_b, language="")[0])


@pytest.fixture
def accompaniment(alice, alice_case, mbe, vera):
    client = alice_case.clients.first()
    client.languages = "Farsi, Englisch"
    client.save()
    return Accompaniment.objects.create(
        case=alice_case,
        client=client,
        destination_kind="counselling",
        service=mbe,
        appointment_at=timezone.make_aware(datetime.datetime(2030, 3, 5, 9, 30)),
        purpose="Erstgespräch",
        accompanied_by=alice,
        volunteer=vera,
        interpreter_language="Farsi",
        interpreter_name="Parisa Ahmadi-Nouri",
    )


def test_accompaniment_slip(accompaniment):
    pdf = dump("slip-fa.pdf", printouts.accompaniment_slip_pdf(accompaniment, language="fa"))
    text = text_of(pdf)
    assert "Dienstag, 05.03.2030" in text and "09:30 Uhr" in text
    assert "Migrationsberatung MBE" in text and "Marktstraße 1" in text
    assert "Alice" in text and "Parisa" in text
    # First names only: no surname of the companions.
    assert "Ahmadi" not in text and "Adler" not in text
    # The (fixed) date again under the name of its day in Farsi.
    assert text.count("05.03.2030") == 2
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)
    inside_page(pdf)


def test_appointment_slip(alice, alice_case):
    appointment = Appointment.objects.create(
        case=alice_case,
        kind="immigration_office",
        starts_at=timezone.make_aware(datetime.datetime(2030, 3, 4, 8, 0)),
        place="Ausländerbehörde, Zimmer 12\nRathausplatz 1\n12345 Musterstadt",
        recorded_by=alice,
    )
    appointment.persons.add(alice_case.clients.first())
    pdf = dump(
        "slip-ti.pdf",
        printouts.appointment_slip_pdf(
            appointment, client=alice_case.clients.first(), language="ti"
        ),
    )
    text = text_of(pdf)
    assert "Montag, 04.03.2030" in text and "08:00 Uhr" in text
    assert "Rathausplatz 1" in text and "Niemand von uns kommt mit" in text
    assert "ሰኑይ" in text


# --- through the pages ------------------------------------------------------------------------


def test_info_sheet_handout_recorded_and_missing_marker(client, alice, alice_case):
    client.force_login(alice)
    page = client.get(f"/cases/{alice_case.code}/").content.decode()
    assert "Information on data processing not handed out to:" in page
    person = alice_case.clients.first()
    response = client.post(
        f"/cases/{alice_case.code}/printouts/info-sheet/",
        {"client": person.pk, "language": "ar"},
    )
    assert response["Content-Type"] == "application/pdf"
    handout = InfoSheetHandout.objects.get()
    assert (handout.client, handout.language, handout.handed_out_on) == (person, "ar", TODAY)
    assert handout.history.count() == 1 and handout.history.first().history_user == alice
    page = client.get(f"/cases/{alice_case.code}/").content.decode()
    assert "Information on data processing not handed out to:" not in page
    page = client.get(f"/cases/{alice_case.code}/printouts/").content.decode()
    assert "handed out on" in page


def test_consent_printed_then_signed(client, alice, alice_case, the_consent):
    client.force_login(alice)
    assert not the_consent.is_valid_on(TODAY)
    response = client.get(
        f"/cases/{alice_case.code}/consents/{the_consent.code}/form.pdf?language=ar"
    )
    assert response["Content-Type"] == "application/pdf"
    assert Consent.objects.get(pk=the_consent.pk).printed_at is not None
    page = client.get(f"/cases/{alice_case.code}/printouts/").content.decode()
    assert "not signed yet" in page
    client.post(
        f"/cases/{alice_case.code}/consents/{the_consent.code}/signed/",
        {"signed_on": TODAY.isoformat()},
    )
    signed = Consent.objects.get(pk=the_consent.pk)
    assert signed.signed_on == TODAY and signed.is_valid_on(TODAY)
    page = client.get(f"/cases/{alice_case.code}/printouts/").content.decode()
    assert f"/cases/{alice_case.code}/documents/new/?client=" in page


def test_language_without_texts_is_said_on_screen(client, alice, alice_case):
    PrintText.objects.filter(language="ti", printout="info_sheet").delete()
    client.force_login(alice)
    page = client.get(f"/cases/{alice_case.code}/printouts/").content.decode()
    assert "Tigrinya – no translation yet: German only" in page


def test_slips_through_the_pages(client, alice, alice_case, accompaniment):
    client.force_login(alice)
    response = client.get(f"/cases/{alice_case.code}/accompaniments/{accompaniment.code}/slip.pdf")
    # No language asked for: the client's first language with texts (Farsi).
    assert any("\u0600" <= ch <= "\u06ff" for ch in text_of(response.content))


def test_other_caseworkers_get_404(client, charlie, alice_case, the_consent, accompaniment):
    client.force_login(charlie)
    base = f"/cases/{alice_case.code}"
    for url in (
        f"{base}/printouts/",
        f"{base}/consents/{the_consent.code}/form.pdf",
        f"{base}/accompaniments/{accompaniment.code}/slip.pdf",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"{base}/printouts/info-sheet/", {}).status_code == 404


def test_the_lighter_user_agent_stylesheet_changes_nothing_on_the_page(
    the_consent, alice, alice_case, monkeypatch
):
    """referrals.pdfrender leaves WeasyPrint's rules for form fields, notes and list markers
    out of its user-agent stylesheet (for speed). Every printout and the letter place each
    character exactly where the full stylesheet puts it."""
    from weasyprint import HTML

    from referrals.letters import render_letter
    from tests.referrals.conftest import refer

    referral = refer(alice, alice_case, the_consent.services.first())
    org = alice_case.team.organisation

    def documents():
        return [
            printouts.consent_form_pdf(the_consent, language="ar"),
            printouts.consent_form_pdf(the_consent, language="ti"),
            printouts.info_sheet_pdf(org, language="fa")[0],
            render_letter(referral, the_consent),
        ]

    def placed(pdf):
        return [(c["page"], c["text"], round(c["x0"], 2), round(c["top"], 2)) for c in chars(pdf)]

    # Every document laid out whole (the text blocks kept from one run would hide the other's).
    monkeypatch.setattr(pdfrender, "KEEP_BLOCKS", False)
    light = [placed(pdf) for pdf in documents()]
    monkeypatch.setattr(pdfrender._HTML, "_ua_stylesheets", HTML._ua_stylesheets, raising=True)
    full = [placed(pdf) for pdf in documents()]
    assert all(light) and light == full


def test_the_head_keeps_room_for_a_long_organisation_address(the_consent, alice_case):
    """Name, address and contact come from the organisation's stationery; the printout keeps
    their room free (printouts.head_height_mm), however many lines they wrap into."""
    org = alice_case.team.organisation
    org.name = "Arbeiterwohlfahrt Kreisverband Musterstadt-Nord und Umgebung e. V. " * 2
    org.address = (
        "Haus der Kulturen\nInterkulturelles Zentrum\nEingang B\nMarktstraße 1\n12345 Musterstadt"
    )
    org.email = "fluechtlingsbegleitung.und.migrationsberatung@kreisverband-musterstadt.example"
    org.save()
    consent = Consent.objects.get(pk=the_consent.pk)
    pdf = printouts.consent_form_pdf(consent, language="ar")
    first_page = [c for c in chars(pdf) if c["page"] == 0]
    title = min(c["topmm"] for c in first_page if c["text"] == "S" and c["size"] > 12)
    org_block = [c for c in first_page if c["topmm"] < title and c["x0mm"] < 125]
    assert any(c["text"] == "@" for c in org_block)  # the contact line is in the head
    assert max(c["bottommm"] for c in org_block) < title - 3  # above the rule and the title
    assert "Umgebung" in text_of(pdf) and "Eingang B" in text_of(pdf)


def _consent_for(alice, alice_case, mbe, *, recipients=3, purpose="Vermittlung"):
    from caseworks.models import Service

    others = [
        Service.objects.create(name=name, kind="counselling", category=category, address=address)
        for name, category, address in [
            ("Jugendmigrationsdienst (JMD)", "jmd", "Lindenallee 3\n12345 Musterstadt"),
            ("Asylverfahrensberatung", "asylum_counselling", "Kirchplatz 2\n12345 Musterstadt"),
        ][: recipients - 1]
    ]
    org = alice_case.team.organisation
    org.name = "AWO Kreisverband Musterstadt e. V."
    org.address = "Haus der Kulturen\nMarktstraße 1\n12345 Musterstadt"
    org.phone, org.email = "01234 56789-0", "fluechtlingsbegleitung@awo.example"
    org.save()
    return services.consent_record(
        actor=alice,
        client=alice_case.clients.first(),
        services=[mbe, *others],
        purpose=purpose,
        signed_on=None,
        valid_until=TODAY + datetime.timedelta(days=700),
        shared_data=[],
    )


def test_a_usual_consent_form_fits_one_page_in_every_script(alice, alice_case, mbe):
    """Three recipients, the organisation's head, the not-yet-reviewed notice: one sheet to
    read and sign, in Arabic (the tallest lines) as in German."""
    c = _consent_for(alice, alice_case, mbe)
    for language in ("", "ar", "fa", "ti", "uk"):
        pdf = printouts.consent_form_pdf(c, language=language)
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            assert len(doc.pages) == 1, language


def test_a_usual_information_sheet_fits_one_page_in_every_language(alice_case):
    """The organisation's name, address, phone, e-mail and its data protection officer, the
    not-yet-reviewed notice: one sheet to hand out, in every language it is printed in."""
    org = alice_case.team.organisation
    org.name = "AWO Kreisverband Musterstadt e. V."
    org.address = "Haus der Kulturen\nMarktstraße 1\n12345 Musterstadt"
    org.phone, org.email = "01234 56789-0", "fluechtlingsbegleitung@awo.example"
    org.dpo_contact = "Datenschutz AWO, Haus der Kulturen, datenschutz@awo.example"
    org.save()
    for language in ("", *sorted(CLIENT_LANGUAGES)):
        pdf, texts = printouts.info_sheet_pdf(org, language=language)
        assert texts.language == language
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            assert len(doc.pages) == 1, language
        assert "datenschutz@awo.example" in text_of(pdf)


def test_the_signature_lines_never_stand_alone(alice, alice_case, mbe):
    """A long purpose pushes the form onto a second page: the revocation paragraph goes over
    with the signature lines, so the person signs below text they can read there."""
    c = _consent_for(alice, alice_case, mbe, purpose="Vermittlung und Begleitung. " * 40)
    pdf = printouts.consent_form_pdf(c, language="ar")
    second = [c for c in chars(pdf) if c["page"] == 1]
    text = "".join(c["text"] for c in second)
    assert "Unterschrift" in text and "freiwillig" in text


# --- text blocks (referrals.pdfrender.Blocks) ------------------------------------------------


def unmatched(pdf: bytes, other: bytes, tolerance: float = 0.05) -> list[dict]:
    """The characters of `pdf` that `other` has not at the same place (within `tolerance`
    points), and those of `other` left over. A no-break space is a space (see text_of)."""
    left: dict[tuple, list[dict]] = {}
    for c in chars(other):
        left.setdefault((c["page"], c["text"].replace("\u00a0", " "), round(c["x0"])), []).append(c)
    missing = []
    for c in chars(pdf):
        text = c["text"].replace("\u00a0", " ")
        near = (
            o
            for x in (round(c["x0"]) - 1, round(c["x0"]), round(c["x0"]) + 1)
            for o in left.get((c["page"], text, x), ())
            if abs(o["x0"] - c["x0"]) < tolerance
            and abs(o["top"] - c["top"]) < tolerance
            and abs(o["size"] - c["size"]) < tolerance
        )
        match = next(near, None)
        if match is None:
            missing.append(c)
        else:
            left[(match["page"], text, round(match["x0"]))].remove(match)
    return missing + [o for rest in left.values() for o in rest]


def test_text_blocks_put_every_character_where_the_whole_layout_does(
    the_consent, alice, alice_case, accompaniment, monkeypatch
):
    """What reads the same for everyone is laid out once and laid into the room the printout
    keeps for it: page for page, character for character, the same as the printout laid out
    whole, in every script and on a second page."""
    org = alice_case.team.organisation
    long_purpose = _consent_for(
        alice, alice_case, the_consent.services.first(), purpose="Begleitung. " * 120
    )

    def documents():
        return [
            printouts.consent_form_pdf(the_consent, language="ar"),
            printouts.consent_form_pdf(the_consent, language="ti"),
            printouts.consent_form_pdf(the_consent, language=""),
            printouts.consent_form_pdf(long_purpose, language="fa"),
            printouts.info_sheet_pdf(org, language="ar")[0],
            printouts.info_sheet_pdf(org, language="uk")[0],
            printouts.accompaniment_slip_pdf(accompaniment, language="ps"),
        ]

    pdfrender.forget_blocks()
    laid = documents()
    assert pdfrender._BLOCKS and all(pdfrender._BLOCKS.values())
    kept = documents()  # now from the kept blocks
    monkeypatch.setattr(pdfrender, "KEEP_BLOCKS", False)
    whole = documents()
    for one, two, three in zip(laid, kept, whole, strict=True):
        assert len(chars(one)) > 300
        assert unmatched(one, three) == [] and unmatched(two, three) == []
    assert {c["page"] for c in chars(laid[3])} == {0, 1}  # the long one: two pages
    # ... and the blocks were laid in: the pages' own contents hold less than the whole's.
    with pikepdf.open(io.BytesIO(kept[0])) as pdf:
        assert len(pdf.pages[0].Resources.XObject.keys()) >= 4  # stationery and 3 blocks
    assert len(_contents(kept[0])) < len(_contents(whole[0])) / 2
    # Each block's subsets of the fonts have names of their own (see test_letter_layout).
    for pdf in kept:
        names = subset_names(pdf)
        assert len(set(names)) == len(names), names


def _contents(pdf: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return b"".join(page.Contents.read_bytes() for page in doc.pages)


def test_every_glyph_of_a_block_lies_in_the_part_laid_in(the_consent, alice_case, accompaniment):
    """The part of a block's sheet laid onto the page holds all of its text, Arabic-script
    marks above and below the lines too."""
    printouts.consent_form_pdf(the_consent, language="ar")
    printouts.info_sheet_pdf(alice_case.team.organisation, language="ps")
    printouts.accompaniment_slip_pdf(accompaniment, language="fa")
    blocks = [block for block in pdfrender._BLOCKS.values() if block is not None]
    assert len(blocks) >= 12
    for block in blocks:
        top = block.y * pdfrender.PX - pdfrender._ABOVE_PT
        bottom = (block.y + block.height) * pdfrender.PX + pdfrender._BELOW_PT
        glyphs = chars(block.pdf)
        assert glyphs and all(top <= c["top"] and c["bottom"] <= bottom for c in glyphs)


def test_a_block_sees_the_texts_and_the_organisation_only():
    """Whatever a template puts into a printblock, the person's data is not there to show."""
    from django.template import Context, Template

    page = Template(
        "{% load printblocks %}{{ client_name }}:"
        "{% printblock %}[{{ de.title }}|{{ organisation }}|{{ client_name }}|{{ purpose }}]"
        "{% endprintblock %}"
    ).render(
        Context(
            {"de": {"title": "Titel"}, "organisation": "AWO", "client_name": "Amir Karimi"}
            | {"purpose": "Wohnung"}
        )
    )
    assert page == 'Amir Karimi:<div class="block">[Titel|AWO||]</div>'


def test_a_printblock_cannot_hold_another():
    from django.template import Template, TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        Template(
            "{% load printblocks %}{% printblock %}a{% printblock %}b{% endprintblock %}"
            "{% endprintblock %}"
        )


def test_a_block_without_its_room_lays_the_printout_out_whole(the_consent, caplog):
    """A block whose room is missing, or narrower than the block (a template putting one in a
    column): the printout is laid out whole, with every word."""
    fetcher = pdfrender.make_fetcher({})
    sheets = printouts.print_stylesheets("")
    blocks = pdfrender.Blocks(fetcher, sheets)
    room = blocks.place(SafeString("<p>Die Entbindung ist freiwillig.</p>"))
    wide = pdfrender.render_document(f"<body>{room}</body>", fetcher, sheets)
    narrow = pdfrender.render_document(
        f'<body><div style="width: 80mm">{room}</div></body>', fetcher, sheets
    )
    gone = pdfrender.render_document("<body><p>nichts</p></body>", fetcher, sheets)
    assert blocks.placed_in(wide) and blocks.placed_in(narrow) is None
    assert blocks.placed_in(gone) is None
    with patch.object(pdfrender.Blocks, "placed_in", return_value=None):
        pdf = printouts.consent_form_pdf(the_consent, language="ar")
    assert "laid out whole" in caplog.text
    text = text_of(pdf)
    assert "Schweigepflichtentbindung" in text and "Unterschrift der Person" in text
    assert "Migrationsberatung MBE" in text


def test_a_kept_block_names_no_person(alice, alice_case, mbe, accompaniment):
    """The blocks are kept between printouts, so they hold only the organisation's texts:
    none of the person's name, birth date, reference, purpose or dates."""
    person = alice_case.clients.first()
    person.first_name, person.last_name = "Zuleikha", "Quandt-Ebrahimi"
    person.birth_date = datetime.date(1987, 6, 23)
    person.save()
    c = _consent_for(alice, alice_case, mbe, purpose="Wohnungssuche Familie Quandt")
    pdfrender.forget_blocks()
    pdf = printouts.consent_form_pdf(c, language="ar")
    assert "Quandt-Ebrahimi" in text_of(pdf) and "23.06.1987" in text_of(pdf)
    info, _texts = printouts.info_sheet_pdf(
        alice_case.team.organisation, language="fa", client=person
    )
    assert "Zuleikha" in text_of(info)
    slip = printouts.accompaniment_slip_pdf(
        Accompaniment.objects.get(pk=accompaniment.pk), language="fa"
    )
    assert "Zuleikha" in text_of(slip)
    blocks = [block for block in pdfrender._BLOCKS.values() if block is not None]
    assert len(blocks) >= 4
    secret = ("Zuleikha", "Quandt", "1987", alice_case.reference, "Wohnungssuche", "Parisa")
    for block in blocks:
        text = text_of(block.pdf)
        assert text.strip()
        assert not any(word in text for word in secret), text


def test_the_next_persons_form_reuses_the_blocks(alice, alice_case, mbe, monkeypatch):
    """The second form of the organisation in a language lays out only what is the person's."""
    from tests.helpers import open_case

    first = _consent_for(alice, alice_case, mbe)
    pdfrender.forget_blocks()
    printouts.consent_form_pdf(first, language="ar")
    next_case = open_case(alice, alice_case.team, first_name="Lina", last_name="Haddad")
    other = _consent_for(alice, next_case, mbe, recipients=1, purpose="Anderer Zweck")
    laid_out = []
    render = pdfrender.render_document
    monkeypatch.setattr(
        pdfrender,
        "render_document",
        lambda html, *args: laid_out.append(html) or render(html, *args),
    )
    pdf = printouts.consent_form_pdf(other, language="ar")
    assert len(laid_out) == 1 and "Anderer Zweck" in laid_out[0]
    text = text_of(pdf)
    assert "Lina Haddad" in text and "Anderer Zweck" in text and "freiwillig" in text


def test_a_block_too_tall_for_a_page_is_laid_out_in_the_document(the_consent, alice):
    """An admin's long text: the block would not fit a page, so it is laid out with the rest,
    where it may split across pages; nothing is lost and nothing leaves the page."""
    PrintText.objects.update_or_create(
        printout="consent_form",
        key="revocation",
        language="de",
        defaults={"text": "Die Entbindung ist freiwillig. " + "Sie können sie widerrufen. " * 120},
    )
    pdfrender.forget_blocks()
    pdf = printouts.consent_form_pdf(the_consent, language="")
    assert None in pdfrender._BLOCKS.values()
    text = " ".join(text_of(pdf).split())
    assert text.count("Sie können sie widerrufen.") == 120
    assert "Unterschrift der Person" in text
    inside_page(pdf)
