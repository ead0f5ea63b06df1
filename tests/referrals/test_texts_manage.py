"""The administrator's texts: letter texts with safe placeholders, printout translations with
their review state; every change in the access log."""

import pytest
from django.core.exceptions import ValidationError

from caseworks.models import AccessLog
from referrals import printouts, services
from referrals.letters import default_body, default_subject, render_letter
from referrals.models import LetterText, PrintText
from referrals.placeholders import LETTER_PLACEHOLDERS, check_placeholders, fill
from tests.referrals.conftest import consent, pdf_text, refer


def test_placeholders_unknown_rejected_safe_ones_filled():
    check_placeholders("Hallo {vorname} {nachname}, {{wörtlich}}", LETTER_PLACEHOLDERS)
    for bad in ("{passwort}", "{vorname.__class__}", "{vorname[0]}", "{vorname!r}", "{az:>99}"):
        with pytest.raises(ValidationError):
            check_placeholders(f"x {bad}", LETTER_PLACEHOLDERS)
    with pytest.raises(ValidationError, match="braces"):
        check_placeholders("{vorname", LETTER_PLACEHOLDERS)
    assert fill("{vorname} {{x}} {az}", {"vorname": "Ana", "az": "1"}) == "Ana {x} 1"
    # Template syntax from the database is only text.
    assert fill("{% debug %}{{ settings }}", {}) == "{% debug %}{ settings }"
    # A value ending a sentence with its own full stop ("e. V.") gets no second one.
    assert fill("bei {organisation}.", {"organisation": "AWO e. V."}) == "bei AWO e. V."
    assert fill("bei {organisation}.", {"organisation": "Caritas"}) == "bei Caritas."
    assert fill("{organisation}...", {"organisation": "AWO e. V."}) == "AWO e. V..."


def test_letter_text_of_the_organisation_is_used(alice, alice_case, mbe, adam):
    text = services.letter_text_save(
        actor=adam,
        text=LetterText(),
        organisation=alice_case.team.organisation,
        category="mbe",
        subject="Anmeldung {name} ({az})",
        body="wir melden {vorname} {nachname}, geb. {geburtsdatum}, bei {dienst} an. {bearbeiter}",
    )
    client = alice_case.clients.first()
    body = default_body(mbe, client, case=alice_case, author=alice)
    assert body == (f"wir melden Ahmad Karimi, geb. 17.05.1990, bei {mbe.name} an. Alice Arendt")
    assert default_subject(mbe, client, case=alice_case) == (
        f"Anmeldung Ahmad Karimi ({alice_case.reference})"
    )
    # Another organisation keeps the default text.
    assert "wir begleiten" in default_body(mbe, client)
    assert AccessLog.objects.filter(action="manage.letter_text.created").count() == 1
    assert text.history.first().history_user == adam


def test_html_in_values_is_escaped_in_the_letter(alice, alice_case, mbe, adam):
    services.letter_text_save(
        actor=adam,
        text=LetterText(),
        organisation=alice_case.team.organisation,
        category="",
        subject="Vermittlung {name}",
        body="wir begleiten {vorname}.",
    )
    client = alice_case.clients.first()
    client.first_name = "<b>Ahmad</b>"
    client.save()
    given = consent(alice, alice_case, mbe)
    referral = refer(alice, alice_case, mbe)
    text = pdf_text(render_letter(referral, given))
    assert "wir begleiten <b>Ahmad</b>." in text


def test_form_rejects_unknown_placeholder(client, adam, org_a):
    client.force_login(adam)
    response = client.post(
        "/manage/texts/letters/new/",
        {"organisation": org_a.pk, "category": "", "subject": "x", "body": "Hallo {passwort}"},
    )
    assert response.status_code == 200
    assert "Unknown placeholder(s): {passwort}" in response.content.decode()
    assert not LetterText.objects.exists()
    response = client.post(
        "/manage/texts/letters/new/",
        {"organisation": org_a.pk, "category": "", "subject": "x {az}", "body": "Hallo {vorname}"},
    )
    assert response.status_code == 302 and LetterText.objects.count() == 1


def test_a_letter_text_is_addressed_by_its_code_not_its_id(client, adam, org_a):
    text = services.letter_text_save(
        actor=adam, text=LetterText(), organisation=org_a, category="", subject="x", body="y"
    )
    other = services.letter_text_save(
        actor=adam, text=LetterText(), organisation=org_a, category="mbe", subject="a", body="b"
    )
    assert text.code != other.code
    client.force_login(adam)
    assert f"/manage/texts/letters/{text.code}/" in client.get("/manage/texts/").content.decode()
    assert client.get(f"/manage/texts/letters/{text.pk}/").status_code == 404
    url = f"/manage/texts/letters/{text.code}/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"organisation": org_a.pk, "category": "", "subject": "x2", "body": "y", "version": 1},
    )
    assert response.status_code == 302
    text.refresh_from_db()
    other.refresh_from_db()
    assert (text.subject, other.subject) == ("x2", "a")


def test_two_administrators_editing_one_letter_text_do_not_overwrite_each_other(
    client, adam, org_a
):
    """Both load version 1; the first save wins, the second is refused with the field the
    first changed, and what the second typed is still on the form."""
    text = services.letter_text_save(
        actor=adam, text=LetterText(), organisation=org_a, category="", subject="x", body="y"
    )
    client.force_login(adam)
    url = f"/manage/texts/letters/{text.code}/"
    first = {"organisation": org_a.pk, "category": "", "subject": "x", "body": "first body"}
    second = {**first, "subject": "second subject", "body": "y"}
    assert client.post(url, {**first, "version": 1}).status_code == 302
    response = client.post(url, {**second, "version": 1}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "while you were editing" in page and "(letter text)" in page
    assert "second subject" in page  # kept
    text.refresh_from_db()
    assert (text.subject, text.body, text.version) == ("x", "first body", 2)
    assert AccessLog.objects.filter(action="manage.letter_text.changed").count() == 1


def test_admin_replaces_a_translation_and_marks_it_reviewed(client, adam, alice, alice_case, mbe):
    client.force_login(adam)
    url = "/manage/texts/printouts/consent_form/fr/"
    page = client.get(url).content.decode()
    assert "not reviewed" in page
    data = {
        f"text_{row.key}": row.text
        for row in PrintText.objects.filter(printout="consent_form", language="fr")
    }
    data["text_title"] = "Levée du secret professionnel (revue)"
    # Reviewed without naming the translator: refused.
    response = client.post(url, {**data, "reviewed": "on"})
    assert "Name the translator" in response.content.decode()
    data["text_intro"] = "J'autorise {organisation} et {inconnu}."
    response = client.post(url, {**data, "reviewed": "on", "reviewed_by": "A. B."})
    assert "Unknown placeholder(s): {inconnu}" in response.content.decode()
    data["text_intro"] = "J'autorise {organisation} à transmettre."
    response = client.post(url, {**data, "reviewed": "on", "reviewed_by": "A. B., BDÜ"})
    assert response.status_code == 302
    rows = PrintText.objects.filter(printout="consent_form", language="fr")
    assert all(r.is_reviewed and r.reviewed_by == "A. B., BDÜ" for r in rows)
    assert AccessLog.objects.filter(action="manage.print_text.reviewed").exists()
    # Reviewed: the consent form no longer says it is a convenience translation.
    given = consent(alice, alice_case, mbe)
    text = " ".join(pdf_text(printouts.consent_form_pdf(given, language="fr")).split())
    assert "(revue)" in text and "Seul le texte allemand fait foi" not in text
    # Changing a text without confirming the review again makes it unreviewed.
    data["text_title"] = "Autre titre"
    client.post(url, data)
    assert not PrintText.objects.get(
        printout="consent_form", language="fr", key="title"
    ).is_reviewed
    assert AccessLog.objects.filter(action="manage.print_text.changed").exists()


def test_index_lists_languages_and_states(client, adam):
    client.force_login(adam)
    page = client.get("/manage/texts/").content.decode()
    assert "Tigrinya" in page and "not reviewed" in page and "original" in page


def test_only_the_admin(client, alice, olga):
    for user in (alice, olga):
        client.force_login(user)
        assert client.get("/manage/texts/").status_code == 404
        assert client.get("/manage/texts/printouts/consent_form/ar/").status_code == 404
