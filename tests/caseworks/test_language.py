"""German is the default; English is one switch away; no UI string is left untranslated."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def german(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    return client


def test_the_login_page_is_german_by_default(client, db):
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE", None)
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="de">' in html
    assert "Anmelden" in html and "Log in" not in html


def test_the_case_pages_are_german(german, alice, alice_case):
    german.force_login(alice)
    html = german.get("/cases/").content.decode()
    assert "Meine Fälle" in html and "Aufenthaltsgestattung (§ 55, § 63 AsylG)" in html
    html = german.get(f"/cases/{alice_case.code}/").content.decode()
    assert "Haushalt" in html and "Hauptansprechperson" in html
    assert "Household" not in html and "main contact" not in html


def test_the_language_switch_changes_to_english(german, alice, alice_case):
    german.force_login(alice)
    german.post("/i18n/setlang/", {"language": "en", "next": "/cases/"})
    html = german.get("/cases/").content.decode()
    assert "My caseload" in html


def untranslated(po: str) -> list[str]:
    missing = []
    for entry in po.split("\n\n")[1:]:
        msgstrs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', entry, re.M)
        texts = ["".join(re.findall(r'"(.*)"', block)) for block in msgstrs]
        if not texts or not all(texts):
            missing.append(entry)
    return missing


def test_every_german_message_is_translated():
    po = (ROOT / "locale/de/LC_MESSAGES/django.po").read_text()
    assert untranslated(po) == []
    assert "#, fuzzy" not in po
    assert untranslated('header\n\nmsgid "Save"\nmsgstr ""\n') != []  # the check bites
