"""Issue 36, item 7: a language matches however it was typed — a code ("ar"), a German or
English name, a dialect in brackets ("Kurdisch (Kurmanji)") — in the matching and in the
register's filter alike (caseworks.languages.language_key, volunteers.selectors.speaking)."""

import pytest

from caseworks.languages import language_key
from tests.volunteers.conftest import register, volunteer_login
from volunteers.matching import candidates_for
from volunteers.models import VolunteerRequest


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("Kurdisch", "Kurdisch (Kurmanji)"),
        ("Kurdisch (Sorani)", "Kurdisch (Kurmanji)"),
        ("ku", "kurdisch"),
        ("ar", "Arabisch"),
        ("AR", "Arabisch (syrisch)"),
        ("ara", "arabic"),
        ("Arabic", "Arabisch"),
        ("العربية", "Arabisch"),
        ("Farsi", "Persisch"),
        ("Persisch (Dari)", "Farsi"),
        ("tr", "Türkisch"),
        ("Tigrinisch", "Tigrinya"),
        ("Paschto", "Paschtu"),
        ("Русский", "Russisch"),
        ("en-GB", "Englisch"),
    ],
)
def test_names_codes_and_dialects_share_one_key(typed, stored):
    assert language_key(typed) == language_key(stored)


@pytest.mark.parametrize(
    "one, other",
    [
        ("Dari", "Paschtu"),
        ("Dari", "Persisch"),  # ISO 639-3 keeps Dari apart (prs); "Persisch (Dari)" is Persian
        ("Arabisch", "Aramäisch"),
        ("Kurdisch", "Zazaki"),
        ("Dari, Paschtu", "Dari"),  # two languages are not one of them
    ],
)
def test_different_languages_stay_apart(one, other):
    assert language_key(one) != language_key(other)


def test_an_unknown_language_still_matches_itself():
    assert language_key("Kikongo (Kituba)") == language_key("kikongo ") == "kikongo"


def _ask(request_, language):
    VolunteerRequest.objects.filter(pk=request_.pk).update(language=language)
    request_.refresh_from_db()
    return {c.volunteer.user.username: c.language_level for c in candidates_for(request_)}


def test_kurdish_and_arabic_as_the_issue_typed_them(cody, request_):
    register(volunteer_login("kurmanji"), cody, languages=[("Kurdisch (Kurmanji)", "native")])
    register(volunteer_login("sorani"), cody, languages=[("Kurdisch (Sorani)", "good")])
    register(volunteer_login("arabic"), cody, languages=[("Arabisch", "fluent")])
    register(volunteer_login("syrian"), cody, languages=[("arabisch (syrisch)", "basic")])
    register(volunteer_login("english"), cody, languages=[("Englisch", "native")])

    kurdish = _ask(request_, "Kurdisch")
    assert kurdish["kurmanji"] == "native" and kurdish["sorani"] == "good"
    assert kurdish["arabic"] == kurdish["english"] == ""
    # Speakers first: the two Kurdish speakers head the list.
    assert sorted(list(kurdish)[:2]) == ["kurmanji", "sorani"]

    for typed in ("ar", "Arabisch", "Arabic"):
        arabic = _ask(request_, typed)
        assert (arabic["arabic"], arabic["syrian"]) == ("fluent", "basic"), typed
        assert arabic["kurmanji"] == arabic["english"] == "", typed


def test_two_varieties_count_by_the_better_level(cody, request_):
    register(
        volunteer_login("both"),
        cody,
        languages=[("Kurdisch (Sorani)", "basic"), ("Kurdisch (Kurmanji)", "fluent")],
    )
    assert _ask(request_, "ku")["both"] == "fluent"


def test_the_register_filter_uses_the_same_key(client, cody):
    register(volunteer_login("kurmanji"), cody, languages=[("Kurdisch (Kurmanji)", "native")])
    register(volunteer_login("arabic"), cody, languages=[("Arabisch", "fluent")])
    client.force_login(cody)
    for typed, expected in (
        ("Kurdisch", ["kurmanji"]),
        ("ar", ["arabic"]),
        ("Arabic", ["arabic"]),
        ("Tigrinya", []),
    ):
        response = client.get("/volunteers/", {"language": typed})
        assert response.status_code == 200
        listed = [v.user.username for v in response.context["page"]]
        assert listed == expected, typed
