"""Issue 36, item 8: the administrator's editor of the printed texts named its fields by their
keys (`title`, `intro`, `data_name`); each text is named in words now, in German."""

import re

import pytest

from referrals.printtexts import DEFAULTS, KEY_LABELS

pytestmark = pytest.mark.django_db


def test_every_text_has_words():
    keys = {key for texts in DEFAULTS["de"].values() for key in texts}
    assert keys - set(KEY_LABELS) == set()


def test_the_editor_names_the_texts_in_german(client, adam):
    client.force_login(adam)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    page = client.get("/manage/texts/printouts/consent_form/ar/").content.decode()
    labels = re.findall(r"<label[^>]*>\s*([^<]+?)\s*<", page)
    assert "Angabe: Name und Geburtsdatum" in labels
    assert "Einleitender Absatz" in labels and "Überschrift des Ausdrucks" in labels
    assert not {"title", "intro", "data_name", "sign_staff"} & set(labels)
