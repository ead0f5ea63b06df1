import unicodedata

from django.test import override_settings

from caseworks.fields import blind_index, normalise, normalise_identifier


def test_it_normalises_case_whitespace_and_unicode_forms():
    decomposed = unicodedata.normalize("NFD", "Müller")
    assert normalise("  MÜLLER ") == "müller"
    assert normalise(decomposed) == "müller"
    assert normalise("Ahmad   Shah\tKarimi") == "ahmad shah karimi"
    assert normalise("Straße") == "strasse"  # case folding, as typed on any keyboard


def test_it_keeps_accents_as_typed():
    assert normalise("Müller") != normalise("Muller")


def test_it_gives_equal_digests_for_equal_normalised_values():
    assert blind_index("müller", purpose="name") == blind_index("MÜLLER", purpose="name")
    assert len(blind_index("x", purpose="name")) == 64


def test_it_separates_purposes():
    assert blind_index("A123", purpose="name") != blind_index("A123", purpose="document")


def test_it_depends_on_the_key():
    digest = blind_index("Karimi", purpose="name")
    with override_settings(CASEWORKS_BLIND_INDEX_KEY="another-key-0123456789abcdef0123456789"):
        assert blind_index("Karimi", purpose="name") != digest


def test_it_normalises_identifiers_without_separators():
    assert normalise_identifier("ab 123-456/7.") == "ab1234567"
