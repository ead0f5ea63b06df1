import hashlib
import socket

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from caseworks.models import AccessLog
from caseworks.web import pdf as pdf_module
from referrals import pdfrender, services
from referrals.models import Letter
from tests.helpers import TODAY
from tests.referrals.conftest import DAY, consent, pdf_text, refer


def test_the_letter_names_recipient_client_subject_and_date(alice, ready_referral):
    letter = services.letter_issue(actor=alice, referral=ready_referral)
    text = pdf_text(letter.pdf)
    assert "Migrationsberatung MBE" in text and "12345 Musterstadt" in text
    assert "Ahmad Karimi" in text
    assert "Vermittlung: Ahmad Karimi" in text
    assert f"Datum {TODAY:%d.%m.%Y}" in text  # DIN 5008: numeric date in the information block
    assert "Schweigepflichtentbindung" in text
    assert ready_referral.case.reference in text
    assert "Quarzsand" not in text  # the consent does not cover passing on the reason


def test_the_archived_letter_is_encrypted_and_its_hash_verifies(alice, ready_referral):
    letter = services.letter_issue(actor=alice, referral=ready_referral)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pdf, sha256 FROM referrals_letter WHERE id = %s", [letter.pk])
        stored, digest = cursor.fetchone()
    stored = bytes(stored) if not isinstance(stored, str) else stored.encode()
    assert b"%PDF" not in stored and stored.startswith(b"gAAAAA")
    fresh = Letter.objects.get(pk=letter.pk)
    assert fresh.pdf.startswith(b"%PDF")
    assert hashlib.sha256(fresh.pdf).hexdigest() == digest
    assert services.letter_verify(fresh)


def test_printing_again_hands_out_the_archived_letter(alice, bob, ready_referral, monkeypatch):
    first = services.letter_issue(actor=alice, referral=ready_referral)
    monkeypatch.setattr(services, "render_letter", lambda *a, **k: pytest.fail("re-rendered"))
    again = services.letter_issue(actor=bob, referral=ready_referral)
    assert again.pk == first.pk and again.pdf == first.pdf
    assert Letter.objects.count() == 1


def test_no_letter_without_consent(alice, alice_case, mbe):
    referral = refer(alice, alice_case, mbe)
    with pytest.raises(ValidationError, match="No valid consent"):
        services.referral_transition(actor=alice, referral=referral, to="ready")


def test_no_letter_after_revocation(alice, alice_case, mbe, ready_referral):
    services.consent_revoke(actor=alice, consent=alice_case.clients.first().consents.get())
    with pytest.raises(ValidationError, match="No valid consent"):
        services.letter_issue(actor=alice, referral=ready_referral)
    assert not Letter.objects.exists()


def test_no_letter_after_expiry(alice, alice_case, mbe):
    consent(alice, alice_case, mbe, signed_on=TODAY - 30 * DAY, valid_until=TODAY - DAY)
    referral = refer(alice, alice_case, mbe)
    with pytest.raises(ValidationError, match="No valid consent"):
        services.referral_transition(actor=alice, referral=referral, to="ready")


def test_a_consent_for_a_category_covers_its_services(alice, alice_case, mbe):
    consent(alice, alice_case, category="mbe")
    referral = refer(alice, alice_case, mbe)
    assert (
        services.referral_transition(actor=alice, referral=referral, to="ready").status == "ready"
    )


def test_a_consent_for_another_service_does_not_cover(alice, alice_case, mbe):
    from caseworks.models import Service

    other = Service.objects.create(name="Schuldnerberatung", kind="counselling", category="debt")
    consent(alice, alice_case, other)
    with pytest.raises(ValidationError, match="No valid consent"):
        services.referral_transition(
            actor=alice, referral=refer(alice, alice_case, mbe), to="ready"
        )


HOSTILE = (
    '<img src="file:///etc/passwd"> <img src="http://127.0.0.1:9/track.png"> '
    '<link rel="stylesheet" href="https://example.org/x.css">'
)


def test_user_text_cannot_fetch_files_or_urls(alice, alice_case, mbe, monkeypatch):
    fetched = []
    original = pdf_module.AssetsOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    def no_network(*args, **kwargs):
        raise AssertionError("network access during PDF rendering")

    monkeypatch.setattr(pdf_module.AssetsOnlyFetcher, "fetch", spy)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    # Fonts are loaded once per thread (referrals.pdfrender): start with none loaded.
    monkeypatch.setattr(pdfrender._local, "font_config", None, raising=False)
    consent(alice, alice_case, mbe)
    from cases.services import client_update

    person = alice_case.clients.first()
    client_update(
        actor=alice,
        client=person,
        expected_version=person.version,
        data={"last_name": 'Karimi<img src="file:///etc/passwd">'},
    )
    referral = refer(alice, alice_case, mbe, letter_body=HOSTILE, letter_subject=HOSTILE)
    referral = services.referral_transition(actor=alice, referral=referral, to="ready")
    text = pdf_text(services.letter_issue(actor=alice, referral=referral).pdf)
    assert "root:" not in text  # no line of /etc/passwd
    assert "file:///etc/passwd" in text  # shown as the text it is
    assert fetched, "the letter's fonts come from the app"
    assert all(url.startswith("caseworks-asset:/fonts/") for url in fetched), fetched


def test_the_fetcher_refuses_everything_but_the_given_assets(settings):
    fetcher = pdf_module.AssetsOnlyFetcher(pdf_module.font_assets())
    html = (
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
        '<img src="data:image/png;base64,iVBORw0KGgo="><img src="relative.png">'
        "<p>raw HTML, as if a template forgot to escape</p>"
    )
    data = pdf_module.render_pdf(html, fetcher=fetcher)
    assert data.startswith(b"%PDF")
    assert set(fetcher.refused) == {
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "relative.png",
    }


def test_printing_is_in_the_access_log(client, alice, ready_referral):
    client.force_login(alice)
    response = client.post(
        f"/cases/{ready_referral.case.code}/referrals/{ready_referral.code}/print/"
    )
    assert response["Content-Type"] == "application/pdf"
    download = client.get(f"/referrals/{ready_referral.code}/letter.pdf")
    assert download.content == response.content
    actions = list(AccessLog.objects.order_by("at").values_list("action", flat=True))
    assert "letter.printed" in actions and "letter.downloaded" in actions


def test_a_preview_is_marked_and_not_archived(client, alice, ready_referral):
    client.force_login(alice)
    response = client.get(
        f"/cases/{ready_referral.case.code}/referrals/{ready_referral.code}/preview.pdf"
    )
    assert response.status_code == 200
    assert "ENTWURF" in pdf_text(response.content)
    assert not Letter.objects.exists()
    assert timezone.now()  # (the preview rendered without a consent error)


# A 1×1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63"
    "f8ffff3f0005fe02fea7d6a4800000000049454e44ae426082"
)


def test_the_organisation_logo_comes_from_the_database(alice, ready_referral, monkeypatch):
    organisation = ready_referral.case.team.organisation
    organisation.logo, organisation.logo_type = PNG, "image/png"
    organisation.save()
    fetched = []
    original = pdf_module.AssetsOnlyFetcher.fetch
    monkeypatch.setattr(
        pdf_module.AssetsOnlyFetcher,
        "fetch",
        lambda self, url, headers=None: fetched.append(url) or original(self, url, headers),
    )
    letter = services.letter_issue(actor=alice, referral=ready_referral)
    assert f"caseworks-asset:/logo/{organisation.pk}" in fetched
    assert letter.pdf.startswith(b"%PDF")


def test_the_admin_accepts_png_or_svg_logos_only(db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from caseworks.admin import OrganisationForm

    data = {"name": "AWO", "protection_law": "dsgvo", "retention_years": 3}
    good = OrganisationForm(data, {"logo_file": SimpleUploadedFile("l.png", PNG)})
    assert good.is_valid(), good.errors
    assert bytes(good.save().logo) == PNG
    bad = OrganisationForm(
        data | {"name": "X"}, {"logo_file": SimpleUploadedFile("l.gif", b"GIF89a....")}
    )
    assert not bad.is_valid() and "PNG or SVG" in str(bad.errors)
