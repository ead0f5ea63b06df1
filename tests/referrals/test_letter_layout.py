"""The referral letter measured from the PDF: DIN 5008 form B positions (within 1 mm), long
inputs wrapping inside their fields, nothing outside the printable area, and what it says."""

import io
import os

import pdfplumber
import pytest

from referrals import services
from referrals.letters import covering_consent, render_letter
from referrals.models import Consent
from tests.referrals.conftest import consent, pdf_text, refer, subset_names

MM = 72 / 25.4  # PDF points per millimetre
A4_W, A4_H = 210, 297
# What a common office printer reaches; DIN 5008 keeps text well inside it.
PRINTABLE = 4.2

LONG_EMAIL = (
    "ansprechpartnerin.fuer.fluechtlingsbegleitung.und.migration@kreisverband-musterstadt.example"
)
LONG_STREET = "Gemeinschaftsunterkunft Bürgermeister-Friedrich-Wilhelm-Schulze-Straße 123a, Haus C"


def words(pdf: bytes, page: int = 0) -> list[dict]:
    """Words of a page with their boxes in millimetres from the sheet's top-left corner."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        found = doc.pages[page].extract_words(keep_blank_chars=False, use_text_flow=True)
    return [
        {"text": w["text"], **{k: float(w[k]) / MM for k in ("x0", "x1", "top", "bottom")}}
        for w in found
    ]


def all_pages_words(pdf: bytes) -> list[dict]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        count = len(doc.pages)
    return [w for n in range(count) for w in words(pdf, n)]


def find(ws: list[dict], text: str) -> dict:
    hits = [w for w in ws if w["text"] == text]
    assert hits, f"{text!r} not on the page"
    return hits[0]


def line_of(ws: list[dict], word: dict) -> list[dict]:
    return [w for w in ws if abs(w["top"] - word["top"]) < 1]


def _dump(pdf: bytes, name: str) -> None:
    # LETTER_DUMP=/tmp/dir keeps the PDFs to look at (pdftoppm -r 60 -png ...).
    if os.environ.get("LETTER_DUMP"):
        with open(os.path.join(os.environ["LETTER_DUMP"], name), "wb") as f:
            f.write(pdf)


@pytest.fixture
def long_letter(alice, alice_case, mbe):
    alice.email = LONG_EMAIL
    alice.first_name, alice.last_name = "Alice", "Anders"
    alice.save()
    organisation = alice_case.team.organisation
    organisation.name = "AWO Kreisverband Musterstadt e. V."
    organisation.letter_sender = "AWO Kreisverband Musterstadt · Marktstraße 1 · 12345 Musterstadt"
    organisation.address = "Haus der Kulturen\nMarktstraße 1\n12345 Musterstadt"
    organisation.phone = "01234 56789-0"
    organisation.email = "fluechtlingsbegleitung@awo.example"
    organisation.letter_footer = "Sparkasse Musterstadt\nIBAN DE00 0000 0000 0000 0000 00"
    organisation.save()
    mbe.name = "Migrationsberatung für erwachsene Zuwanderer (MBE) des Diakonischen Werks"
    mbe.address = f"{LONG_STREET}\nz. Hd. Frau Dr. Müller-Lüdenscheidt\n12345 Musterstadt"
    mbe.save()
    client = alice_case.clients.first()
    client.birth_date = __import__("datetime").date(1990, 2, 1)
    client.phone = "0170 1234567"
    client.email = "ahmad.karimi.sehr.lange.adresse.ohne.trennstellen@beispielmail.example"
    client.languages = ["prs", "pes"]
    client.interpreter_needed = True
    client.save()
    alice_case.accommodation_address = f"{LONG_STREET}\n12345 Musterstadt"
    alice_case.save()
    c = consent(alice, alice_case, mbe)
    c.shared_data = [choice.value for choice in Consent.SharedData]
    c.save()
    referral = refer(alice, alice_case, mbe)
    referral = services.referral_transition(actor=alice, referral=referral, to="ready")
    pdf = services.letter_issue(actor=alice, referral=referral).pdf
    _dump(pdf, "letter-long.pdf")
    return pdf


def in_box(w: dict, left: float, top: float, right: float, bottom: float, slack=0.5) -> bool:
    return (
        w["x0"] >= left - slack
        and w["x1"] <= right + slack
        and w["top"] >= top - slack
        and w["bottom"] <= bottom + slack
    )


def test_it_places_address_field_and_information_block_per_din_5008_form_b(long_letter):
    ws = words(long_letter)
    # Zusatz- und Vermerkzone 45–62.7 mm: the sender line at its foot, text from 25 mm.
    sender = [w for w in ws if 45 <= w["top"] < 62.7 and w["x0"] < 110]
    assert sender and all(in_box(w, 20, 45, 105, 62.7) for w in sender)
    assert abs(min(w["x0"] for w in sender) - 25) < 1
    assert " ".join(w["text"] for w in sender).startswith("AWO Kreisverband")
    # Anschriftzone 62.7–90 mm, 20–105 mm from the left; the first line at its top.
    recipient = [w for w in ws if 62.7 <= w["top"] < 90 and w["x0"] < 110]
    assert abs(min(w["top"] for w in recipient) - 62.7) < 1
    assert abs(min(w["x0"] for w in recipient) - 25) < 1
    assert all(in_box(w, 20, 62.7, 105, 90) for w in recipient)
    # The long service name and street wrap inside the field; the town still fits in it.
    town = [w for w in recipient if w["text"] == "Müller-Lüdenscheidt"]
    assert town, "a line of the recipient's address fell out of the field"
    assert [w["text"] for w in recipient][-2:] == ["12345", "Musterstadt"]
    # Information block: 125 mm from the left, 50 mm from the top, 75 mm wide.
    info = [w for w in ws if 45 <= w["top"] < 95 and w["x0"] >= 110]
    assert abs(min(w["x0"] for w in info) - 125) < 1
    assert abs(min(w["top"] for w in info) - 50) < 1
    assert all(in_box(w, 125, 50, 200, 95) for w in info)
    # The very long e-mail wraps inside the block (several lines here), nothing cut off.
    email = "".join(w["text"] for w in info if w["x0"] > 140 and w["text"] in LONG_EMAIL)
    assert LONG_EMAIL in email
    # The subject two lines below the address field (98.46 mm).
    subject = find(ws, "Vermittlung:")
    assert abs(subject["top"] - 98.46) < 1 and abs(subject["x0"] - 25) < 1


def test_it_has_fold_and_hole_marks(long_letter):
    with pdfplumber.open(io.BytesIO(long_letter)) as doc:
        edges = doc.pages[0].edges
    marks = [e["top"] / MM for e in edges if e["orientation"] == "h" and e["x1"] / MM < 20]
    for at in (105, 148.5, 210):
        assert any(abs(top - at) < 1 for top in marks), at


def test_it_keeps_every_word_inside_the_margins_and_the_printable_area(long_letter):
    with pdfplumber.open(io.BytesIO(long_letter)) as doc:
        count = len(doc.pages)
    assert count == 2  # the closing went over with the last paragraph
    for n in range(count):
        ws = words(long_letter, n)
        assert ws
        for w in ws:
            assert in_box(w, PRINTABLE, PRINTABLE, A4_W - PRINTABLE, A4_H - PRINTABLE, 0), w
            assert w["x0"] >= 25 - 0.5, w  # left margin 25 mm
            in_information_block = n == 0 and 45 <= w["top"] < 95 and w["x0"] >= 110
            assert w["x1"] <= (200 if in_information_block else 190) + 0.5, w  # right ≥ 20 mm


def test_it_prints_the_footer_lines_separately(long_letter):
    text = pdf_text(long_letter)
    assert "KulturenMarktstraße" not in text and "Marktstraße 112345" not in text
    footer = [w for w in all_pages_words(long_letter) if w["top"] > 265]
    haus, street = find(footer, "Kulturen"), find(footer, "Marktstraße")
    assert street["top"] - haus["top"] > 2  # the next line, not the same one
    assert find(footer, "Sparkasse")["x0"] > haus["x1"]  # bank details in their own column


def test_it_leaves_30_mm_for_the_signature(long_letter):
    ws = words(long_letter, 1)  # the closing went over to page 2 (see above)
    greeting = find(ws, "Grüßen")
    below = [w for w in ws if w["text"] == "Alice" and w["top"] > greeting["top"]]
    assert below and below[0]["top"] - greeting["bottom"] >= 30


def test_it_names_the_person_contact_language_reason_and_caseworker(long_letter):
    text = pdf_text(long_letter)
    flat = text.replace("\n", "")
    assert "Sehr geehrte Damen und Herren," in text
    assert "Vermittlung: Ahmad Karimi" in text
    assert "Geburtsdatum: 01.02.1990" in text
    assert "0170 1234567" in text and "Musterstadt" in text
    assert "ahmad.karimi.sehr.lange.adresse.ohne.trennstellen@beispielmail.example" in flat
    assert "Dari, Persisch" in text and "Sprachmittlung: wird benötigt" in text
    assert "Anlass: Geheimer Grund Quarzsand" in text
    assert LONG_EMAIL in flat.replace(" ", "") and "01234 56789-0" in text
    assert "Mit freundlichen Grüßen" in text and "Alice Anders" in text
    assert text.count("Sehr geehrte") == 1  # the body's own salutation is not repeated


def test_it_passes_on_only_what_the_consent_covers(alice, alice_case, mbe):
    client = alice_case.clients.first()
    client.phone, client.languages = "0170 1234567", ["prs"]
    client.save()
    c = consent(alice, alice_case, mbe)  # recorded without naming further data
    referral = refer(alice, alice_case, mbe)
    text = pdf_text(render_letter(referral, c))
    assert "Ahmad Karimi" in text
    for absent in ("0170 1234567", "Am Bahnhof", "Dari", "Sprachmittlung", "Quarzsand"):
        assert absent not in text
    c.shared_data = [Consent.SharedData.LANGUAGE]
    text = pdf_text(render_letter(referral, c))
    assert "Dari" in text and "Sprachmittlung: nicht erforderlich" in text
    assert "0170 1234567" not in text and "Quarzsand" not in text


def test_a_legacy_text_with_its_own_salutation_is_not_doubled(alice, alice_case, mbe):
    c = consent(alice, alice_case, mbe)
    referral = refer(
        alice,
        alice_case,
        mbe,
        letter_body="Sehr geehrte Damen und Herren,\n\nwir bitten um einen Termin.\n\n"
        "Für Rückfragen stehen wir gern zur Verfügung.",
    )
    text = pdf_text(render_letter(referral, c))
    assert text.count("Sehr geehrte") == 1 and "wir bitten um einen Termin." in text
    assert "stehen wir gern zur Verfügung" not in text


def test_a_plain_letter_fits_one_page(alice, ready_referral):
    pdf = services.letter_issue(actor=alice, referral=ready_referral).pdf
    _dump(pdf, "letter-plain.pdf")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) == 1
    assert "erreichen Sie mich direkt" not in pdf_text(pdf)  # no contact known: no sentence


def test_the_stationery_is_under_every_page_and_holds_no_personal_data(
    long_letter, alice, alice_case, mbe
):
    """Letterhead, marks, sender line and footer are the organisation's stationery, rendered
    once and laid under the letter's pages (referrals.letters.lay_on_stationery): the first
    page gets the letterhead and the footer, a following page the footer only."""
    first, second = words(long_letter, 0), words(long_letter, 1)
    assert find(first, "Flüchtlingsbegleitung")  # the team in the letterhead (page 1)
    assert [w for w in first if w["top"] < 42 and w["text"] == "AWO"]
    assert not [w for w in second if w["top"] < 42 and w["text"] == "AWO"]
    for page in (first, second):
        footer = [w for w in page if w["top"] > 265]
        assert find(footer, "Sparkasse") and find(footer, "Marktstraße")
    assert "Seite 2 von 2" in pdf_text(long_letter)
    # What the stationery is made from (and kept of it between letters) names nobody.
    from django.utils import timezone

    from referrals.letters import _letter_source, covering_consent

    referral = alice_case.referrals.first()
    source = _letter_source(
        referral, covering_consent(referral), draft=False, today=timezone.localdate()
    )
    client = alice_case.clients.first()
    for personal in (client.first_name, client.last_name, "0170", "Dari", alice.last_name):
        assert personal not in source.stationery
        assert personal in source.html


def test_each_font_subset_has_a_name_of_its_own(long_letter):
    """The letter's fonts and the stationery's are different subsets of the same fonts: each
    has its own name, so that nothing keeping fonts by name mixes up their glyphs."""
    names = subset_names(long_letter)
    assert len(names) >= 4 and len(set(names)) == len(names)


# --- issue 36, item 13 --------------------------------------------------------------------------


def test_an_e_mail_breaks_only_after_its_at_sign_or_before_a_dot(long_letter):
    """The information block's e-mail broke mid-word ("…exampl / e")."""
    info = [w for w in words(long_letter) if 45 <= w["top"] < 95 and w["x0"] > 140]
    lines = [w["text"] for w in info if len(w["text"]) > 3 and w["text"] in LONG_EMAIL]
    assert "".join(lines) == LONG_EMAIL and len(lines) > 1, lines
    for line, after in zip(lines, lines[1:], strict=False):
        assert line.endswith(("@", "-")) or after.startswith("."), (line, after)


def test_an_urgent_letter_has_one_prefix_in_its_subject(ready_referral):
    ready_referral.urgency = "urgent"
    pdf = render_letter(ready_referral, covering_consent(ready_referral))
    text = pdf_text(pdf)
    assert "\nVermittlung: Ahmad Karimi\n" in text
    assert "Eilt: Vermittlung" not in text and text.count("Eilt") == 1
    ws = words(pdf)
    # The mark on the line above the subject, which keeps its place (DIN 5008: two lines
    # below the address field).
    subject, mark = find(ws, "Vermittlung:"), find(ws, "Eilt!")
    assert abs(subject["top"] - 98.46) < 1
    assert abs(mark["x0"] - subject["x0"]) < 0.5 and 0 < subject["top"] - mark["bottom"] < 3
