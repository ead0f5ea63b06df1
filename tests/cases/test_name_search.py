"""Finding a person the way caseworkers type (issue: any part of the name, any spelling of
it), through short keyed tokens and decrypting only the candidates (caseworks.crypto.search)."""

import datetime
import unicodedata

import pytest
from django.db import connection

from cases.models import Client, NameToken
from cases.selectors import case_list_for_user, case_search
from caseworks.crypto.search import PAD_ROWS, TOKEN_BITS, fold, query_tokens, token
from caseworks.fields import blind_index
from tests.helpers import open_case
from tests.security.test_plaintext_at_rest import all_rows_as_text


def search(user, query):
    found = case_search(case_list_for_user(user=user), query)
    return list(found.order_by("search_rank", "pk"))


@pytest.mark.parametrize(
    "stored, typed",
    [
        (("Emre", "Aydın"), "Aydin"),  # a German keyboard has no ı
        (("Emre", "Aydın"), "EMRE AYDIN"),
        (("Emre", "Aydın"), "Émre"),
        (("Emre", "Aydın"), "Ayd"),  # a prefix of three letters
        (("Ahmad Shah", "Karimi"), "Ahmad"),
        (("Ahmad Shah", "Karimi"), "Shah"),
        (("Ahmad Shah", "Karimi"), "karimi shah"),
        (("Ahmad Shah", "Karimi"), "Karimi Ahmad Shah"),
        (("Jürgen", "Groß"), "Gross"),  # ß/ss
        (("Jürgen", "Groß"), "Jurgen"),
        (("Ali\u200b", "Haddad"), "Ali Haddad"),  # a zero-width space stored by copy & paste
        (("Ali", "Haddad"), "Ali\u00a0Haddad"),  # a no-break space typed on a phone
        (("Elena", "Petrova"), "Pеtrova"),  # a Cyrillic е looks like the Latin e
        (("Anna", "Papadopoulos"), "ΑΝΝΑ"),  # Greek capitals that look Latin
        # Greek letter by letter: ου becomes "oy", so the whole word differs, its start fits.
        (("Nikos", "Papadopoulos"), "Παπαδόπ"),
        (("Zoë", "Müller"), unicodedata.normalize("NFD", "zoë müller")),  # combining marks
    ],
)
def test_each_spelling_finds_the_person(alice, team_a, stored, typed):
    case = open_case(alice, team_a, first_name=stored[0], last_name=stored[1])
    open_case(alice, team_a, first_name="Someone", last_name="Else")
    assert search(alice, typed) == [case]


def test_arabic_script_finds_only_what_the_transliteration_allows(alice, team_a):
    """Arabic script is written without short vowels: محمد transliterates to "mhmd", which is
    not a prefix of "Mohammed". A name stored in Arabic script is found when typed in Arabic
    script, and by its consonant skeleton."""
    arabic = open_case(alice, team_a, first_name="محمد", last_name="الحسن")
    latin = open_case(alice, team_a, first_name="Mohammed", last_name="Hassan")
    assert search(alice, "محمد") == [arabic]
    assert search(alice, "mhmd") == [arabic]
    assert search(alice, "Mohammed") == [latin]


def test_results_are_ranked_exact_then_all_parts_then_prefixes(alice, team_a):
    prefix = open_case(alice, team_a, first_name="Emrecan", last_name="Aydınlı")
    parts = open_case(alice, team_a, first_name="Emre Can", last_name="Aydın")
    exact = open_case(alice, team_a, first_name="Emre", last_name="Aydın")
    assert search(alice, "Emre Aydın") == [exact, parts, prefix]


@pytest.mark.parametrize("typed", ["1.2.1990", "01.02.1990", "01.02.90", "1990-02-01"])
def test_birth_dates_in_the_usual_german_forms(alice, team_a, typed):
    case = open_case(alice, team_a, birth_date=datetime.date(1990, 2, 1))
    open_case(alice, team_a, birth_date=datetime.date(1990, 1, 2))
    assert search(alice, typed) == [case]


def test_reference_numbers_and_their_fragments(alice, team_a):
    cases = [open_case(alice, team_a, first_name=f"P{i}") for i in range(6)]
    fifth = cases[4]
    number = fifth.reference.split("-")[1]  # e.g. 0005
    assert search(alice, number) == [fifth]
    assert search(alice, fifth.reference) == [fifth]


def test_document_numbers_ignore_spaces_dashes_and_case(alice, team_a):
    case = open_case(alice, team_a, document_number="AB-123 456")
    assert search(alice, "ab123456") == [case]
    assert search(alice, "AB 123-456") == [case]


def test_a_case_the_user_may_not_see_is_never_found(alice, charlie, team_b, team_a):
    open_case(charlie, team_b, first_name="Yonas", last_name="Haile")
    assert search(alice, "Yonas") == []
    assert search(alice, "Hai") == []


def test_the_duplicate_check_folds_names_as_the_search_does(alice, team_a):
    from cases.selectors import possible_duplicates

    case = open_case(alice, team_a, first_name="Emre", last_name="Aydın")
    found = possible_duplicates(user=alice, first_name="EMRE", last_name="Aydin", birth_date=None)
    assert [c.pk for c in found["cases"]] == [case.pk]
    stored = Client.objects.get(case=case)
    assert stored.full_name_bidx == blind_index("EMRE AYDIN", purpose="name", normaliser=fold)


def test_search_rows_are_short_tokens_and_per_person_verifiers(alice, team_a):
    """Two persons of the same name: the same short tokens (shared by many names), but no
    verifier in common, so equal names leave no equal values; rows padded, no plaintext."""
    first = open_case(alice, team_a, first_name="Quirinus", last_name="Zwetschgenbaum")
    second = open_case(alice, team_a, first_name="Quirinus", last_name="Zwetschgenbaum")
    rows = {
        case.pk: list(NameToken.objects.filter(case=case).values_list("token", "verifier"))
        for case in (first, second)
    }
    for found in rows.values():
        assert len(found) % PAD_ROWS == 0 and len(found) >= 18  # 2 parts, 16 shorter prefixes
        assert all(0 <= token < 2**TOKEN_BITS for token, _v in found)
    verifiers = [{v for _t, v in found} for found in rows.values()]
    assert not verifiers[0] & verifiers[1]
    tokens = [{t for t, _v in found} for found in rows.values()]
    assert len(tokens[0] & tokens[1]) >= 18
    dump = all_rows_as_text()
    for part in ("quirinus", "zwetschgenbaum", "Quirinus", "Zwetschgen", "zwetsch"):
        assert part not in dump, part


def test_a_false_candidate_of_the_short_token_is_not_found(alice, team_a):
    """A typed word whose token collides with a stored prefix (12 bits: many texts share a
    value) makes the person a candidate; the verifier sorts it out."""
    case = open_case(alice, team_a, first_name="Quirinus", last_name="Zwetschgenbaum")
    target = token("zwe")
    letters = "abcdefghijklmnopqrstuvwxyz"
    other = next(
        a + b + c
        for a in letters
        for b in letters
        for c in letters
        if a + b + c != "zwe" and token(a + b + c) == target
    )
    assert NameToken.objects.filter(case=case, token__in=query_tokens([other])).exists()
    assert search(alice, other) == []
    assert search(alice, "zwe") == [case]


def test_a_name_change_replaces_the_tokens(alice, team_a):
    from cases import services

    case = open_case(alice, team_a, first_name="Emre", last_name="Aydın")
    person = case.clients.get()
    services.client_update(
        actor=alice, client=person, expected_version=person.version, data={"last_name": "Yılmaz"}
    )
    assert search(alice, "Aydin") == []
    assert search(alice, "Yilmaz") == [case]


def test_the_reindex_command_rebuilds_tokens_and_folded_indexes(alice, team_a):
    from django.core.management import call_command

    case = open_case(alice, team_a, first_name="Emre", last_name="Aydın")
    NameToken.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_client SET full_name_bidx = ''")
    assert search(alice, "Aydin") == []
    call_command("reindex_search", stdout=__import__("io").StringIO())
    assert search(alice, "Aydin") == [case]
    assert Client.objects.get(case=case).full_name_bidx != ""


def test_fold_removes_what_cannot_be_typed():
    assert fold("Ali\u200bHaddad") == "alihaddad"
    assert fold("  Jürgen\u00a0GROSS-Groß ") == "jurgen gross gross"
    assert fold("Aydın") == fold("AYDIN") == "aydin"
