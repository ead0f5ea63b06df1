"""Issue 36, item 3: the caseload search finds spelling variants ("Haidary", "Jusuf") by the
sound the intake's duplicate check compares (Kölner Phonetik), through the search rows
(caseworks.crypto.search) — ranked after exact and prefix matches, only among the cases the
user may see, without decrypting a name."""

from unittest import mock

import pytest

from cases.selectors import SOUND, case_list_for_user, case_search
from caseworks import fields
from caseworks.crypto.search import fold, name_rows, sound_text
from tests.helpers import open_case


def results(client, query):
    """The caseload page as a browser gets it: the form posts, the page lists (best first)."""
    response = client.post("/cases/", {"q": query})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page


def found(page):
    return [case.reference for case in page.context["page"]]


@pytest.mark.parametrize(
    "typed, first_name, last_name",
    [
        ("Haidary", "Farid", "Haidari"),
        ("Aidin", "Emre", "Aydın"),
        ("Rahimy", "Mariam", "Rahimi"),
        ("Yussuf", "Yusuf", "Hosseini"),
        ("Jusuf", "Yusuf", "Hosseini"),
    ],
)
def test_each_spelling_variant_from_the_issue_finds_its_case(
    client, alice, team_a, typed, first_name, last_name
):
    case = open_case(alice, team_a, first_name=first_name, last_name=last_name)
    open_case(alice, team_a, first_name="Zahra", last_name="Noori")
    client.force_login(alice)
    page = results(client, typed)
    assert found(page) == [case.reference]
    html = page.content.decode()
    assert "similar spelling" in html  # marked as a match by sound, not by the letters typed
    assert "No case matches" not in html


def test_exact_before_all_parts_before_prefix_before_sound(client, alice, team_a):
    sound = open_case(alice, team_a, first_name="Jusuf", last_name="Haidary")
    prefix = open_case(alice, team_a, first_name="Yusufzai", last_name="Haidarian")
    parts = open_case(alice, team_a, first_name="Yusuf Ali", last_name="Haidari")
    exact = open_case(alice, team_a, first_name="Yusuf", last_name="Haidari")
    open_case(alice, team_a, first_name="Zahra", last_name="Noori")
    client.force_login(alice)
    page = results(client, "Yusuf Haidari")
    assert found(page) == [c.reference for c in (exact, parts, prefix, sound)]
    html = page.content.decode()
    # Only the last one is marked as a similar spelling.
    assert html.count("similar spelling") == 1
    assert html.index(prefix.reference) < html.index("similar spelling")


def test_a_word_may_match_by_letters_and_another_by_sound(alice, team_a):
    case = open_case(alice, team_a, first_name="Mariam", last_name="Rahimi")
    open_case(alice, team_a, first_name="Mariam", last_name="Sultani")
    ranked = case_search(case_list_for_user(user=alice), "Mari Rahimy")
    assert [(c.pk, c.search_rank) for c in ranked] == [(case.pk, SOUND)]


def test_starts_and_short_words_are_not_compared_by_sound(alice, team_a):
    """A start ("Rahi" of Rahimi) is not a name: comparing it by sound would list every
    Ray; three letters ("Ali") are too little to tell a sound."""
    rahimi = open_case(alice, team_a, first_name="Mariam", last_name="Rahimi")
    open_case(alice, team_a, first_name="Leon", last_name="Ray")
    open_case(alice, team_a, first_name="Eli", last_name="Roth")
    scope = case_list_for_user(user=alice)
    assert list(case_search(scope, "Rahi")) == [rahimi]
    assert list(case_search(scope, "Ali")) == []
    assert sound_text("rahi") == "" and sound_text("ali") == ""
    assert sound_text("jusuf") == sound_text("yusuf") != ""


def test_other_teams_and_carriers_never_appear(client, alice, bob, charlie, sam, team_a, team_b):
    mine = open_case(alice, team_a, first_name="Yusuf", last_name="Haidari")
    colleague = open_case(bob, team_a, first_name="Yusuf", last_name="Haidari")
    other_carrier = open_case(charlie, team_b, first_name="Yusuf", last_name="Haidari")
    client.force_login(alice)
    page = results(client, "Jusuf Haidary")
    assert found(page) == [mine.reference]
    html = page.content.decode()
    assert other_carrier.reference not in html
    # A colleague's case is offered for cover by its exact or prefix name, never by sound:
    # outside one's own cases the search tells no more than before.
    assert colleague.reference not in html
    assert page.context["team_matches"] == []
    exact = results(client, "Yusuf Haidari")
    assert [c.reference for c in exact.context["team_matches"]] == [colleague.reference]
    # The team's supervisor finds both team A cases by sound, never the other carrier's.
    client.force_login(sam)
    supervised = results(client, "Jusuf")
    assert sorted(found(supervised)) == sorted([mine.reference, colleague.reference])
    assert other_carrier.reference not in supervised.content.decode()


def test_sound_alike_search_decrypts_no_name(alice, team_a):
    case = open_case(alice, team_a, first_name="Yusuf", last_name="Haidari")
    for i in range(5):
        open_case(alice, team_a, first_name=f"Person{i}", last_name="Noori")
    decrypted = []
    real = fields.decrypt_str

    def counting(value, *args, **kwargs):
        decrypted.append(value)
        return real(value, *args, **kwargs)

    with mock.patch.object(fields, "decrypt_str", counting):
        ids = list(
            case_search(case_list_for_user(user=alice), "Jusuf Haidary").values_list(
                "pk", flat=True
            )
        )
    assert ids == [case.pk]
    assert decrypted == []


def test_sound_rows_are_padded_like_the_others_and_differ_per_person():
    """The sound rows are search rows like the others: keyed per person, so two persons with
    the same-sounding name share no check value, and the count stays a multiple of 8."""
    one = name_rows(1, "Yusuf", "Haidari")
    other = name_rows(2, "Jusuf", "Haidary")
    assert len(one) % 8 == 0 and len(other) % 8 == 0
    assert not {check for _t, check, _w in one} & {check for _t, check, _w in other}
    # The sound texts are not a folded name: they cannot answer for a typed word.
    assert all(not sound_text(part).isalnum() for part in fold("Yusuf Haidari").split())


def test_the_mark_and_the_empty_state_in_german(client, alice, team_a):
    open_case(alice, team_a, first_name="Yusuf", last_name="Hosseini")
    client.force_login(alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    assert "ähnliche Schreibweise" in results(client, "Jusuf").content.decode()
    empty = results(client, "Tesfamariam").content.decode()
    assert "0 Fälle" in empty
    assert "oder eine ähnliche Schreibweise gefunden" in empty
