"""caseworks.languages beyond parse(): splitting a typed field into its languages, every name
the UI shows reading back as its code, and the frozen copy the migrations use agreeing with
the live module on the day it was frozen."""

import pytest

from caseworks import frozen_languages, languages


@pytest.mark.parametrize(
    "typed, parts",
    [
        ("", []),
        ("Arabisch, Kurdisch (Kurmanji)", ["Arabisch", "Kurdisch (Kurmanji)"]),
        ("Dari/Farsi; Deutsch", ["Dari", "Farsi", "Deutsch"]),
        ("Deutsch und Englisch", ["Deutsch", "Englisch"]),
        ("Arabisch (syrisch, irakisch)", ["Arabisch (syrisch, irakisch)"]),
        ("  Tigrinya  &  Amharisch ", ["Tigrinya", "Amharisch"]),
    ],
)
def test_split_cuts_a_field_into_its_languages(typed, parts):
    assert languages.split(typed) == parts == frozen_languages.split(typed)


def test_parse_all_keeps_what_it_cannot_read():
    assert languages.parse_all("ar, Arabisch, Kikongo, Kurmanji") == (["ara", "kmr"], ["Kikongo"])


def test_every_name_shown_reads_back_as_its_code():
    for lang in languages.CATALOGUE:
        for shown in (lang.code, lang.de, lang.en):
            assert languages.parse(shown) == lang.code, shown
            assert frozen_languages.parse(shown) == lang.code, shown


def test_the_frozen_copy_reads_typed_names_as_the_module_does():
    typed = [name for names in languages.LANGUAGES.values() for name in names]
    typed += ["Kurdisch (Sorani)", "Persisch (Dari)", "Arabisch (syrisch)", "Kikongo", "en-GB"]
    for text in typed:
        assert frozen_languages.parse(text) == languages.parse(text), text
