"""Issue 32 (before it issue 36, item 7): languages are codes (caseworks.languages). A
request names a code; the matching and the register's filter find the speakers of it, and a
request for a macrolanguage ("Kurdisch") finds the speakers of its languages (Kurmanji,
Sorani). Names typed by a caller ("ar", "Arabisch") are parsed to the same code."""

import pytest
from django.core.exceptions import ValidationError

from caseworks.languages import covers, parse
from tests.volunteers.conftest import register, volunteer_login
from volunteers import services
from volunteers.matching import candidates_for
from volunteers.models import VolunteerLanguage, VolunteerRequest


@pytest.mark.parametrize(
    "typed, code",
    [
        ("Kurdisch", "kur"),
        ("Kurdisch (Kurmanji)", "kmr"),
        ("ku", "kur"),
        ("ar", "ara"),
        ("AR", "ara"),
        ("Arabisch (syrisch)", "apc"),
        ("ara", "ara"),
        ("Arabic", "ara"),
        ("العربية", "ara"),
        ("Farsi", "pes"),
        ("Persisch (Dari)", "prs"),
        ("tr", "tur"),
        ("Tigrinisch", "tir"),
        ("Paschto", "pus"),
        ("Русский", "rus"),
        ("en-GB", "eng"),
    ],
)
def test_names_codes_and_dialects_parse_to_codes(typed, code):
    assert parse(typed) == code


@pytest.mark.parametrize(
    "requested, spoken, met",
    [
        ("kur", "kmr", True),  # a request for Kurdish finds a Kurmanji speaker
        ("kur", "ckb", True),
        ("kmr", "ckb", False),  # Kurmanji and Sorani are not one language
        ("ckb", "kur", False),  # plain "Kurdisch" for Sorani: only a possible match
        ("ara", "apc", True),
        ("fas", "prs", True),
        ("prs", "pus", False),
        ("kur", "zza", False),
    ],
)
def test_covers_follows_the_macrolanguages(requested, spoken, met):
    assert covers(requested, spoken) is met


def test_an_unknown_language_is_no_code():
    assert parse("Kikongo (Kituba)") is None


def _ask(request_, language):
    code = parse(language)
    VolunteerRequest.objects.filter(pk=request_.pk).update(language=code)
    request_.refresh_from_db()
    return {c.volunteer.user.username: c.language_level for c in candidates_for(request_)}


def test_a_request_for_kurdish_finds_a_kurmanji_speaker(cody, request_):
    register(volunteer_login("kurmanji"), cody, languages=[("kmr", "native")])
    register(volunteer_login("sorani"), cody, languages=[("ckb", "good")])
    register(volunteer_login("arabic"), cody, languages=[("ara", "fluent")])
    register(volunteer_login("english"), cody, languages=[("eng", "native")])

    kurdish = _ask(request_, "Kurdisch")
    assert kurdish["kurmanji"] == "native" and kurdish["sorani"] == "good"
    assert kurdish["arabic"] == kurdish["english"] == ""
    # Speakers first: the two Kurdish speakers head the list.
    assert sorted(list(kurdish)[:2]) == ["kurmanji", "sorani"]


def test_ar_and_arabisch_requests_find_the_same_volunteers(cody, request_):
    register(volunteer_login("arabic"), cody, languages=[("Arabisch", "fluent")])
    register(volunteer_login("syrian"), cody, languages=[("Arabisch (syrisch)", "basic")])
    register(volunteer_login("kurmanji"), cody, languages=[("kmr", "native")])
    found = {}
    for typed in ("ar", "Arabisch", "ara", "Arabic"):
        levels = _ask(request_, typed)
        found[typed] = {name for name, level in levels.items() if level}
    assert found["ar"] == found["Arabisch"] == found["ara"] == found["Arabic"]
    assert found["ar"] == {"arabic", "syrian"}


def test_request_create_takes_ar_and_arabisch_as_one_code(cody, request_):
    VolunteerRequest.objects.filter(pk=request_.pk).update(status="withdrawn")
    made = services.request_create(
        actor=cody,
        accompaniment=request_.accompaniment,
        data={"language": "Arabisch", "task": "authority"},
    )
    assert made.language == "ara"


def test_a_request_for_sorani_shows_a_plain_kurdish_speaker_as_possible(cody, request_):
    register(volunteer_login("sorani"), cody, languages=[("ckb", "good")])
    register(volunteer_login("kurdish"), cody, languages=[("kur", "fluent")])
    register(volunteer_login("kurmanji"), cody, languages=[("kmr", "native")])
    VolunteerRequest.objects.filter(pk=request_.pk).update(language="ckb")
    request_.refresh_from_db()
    ranked = {c.volunteer.user.username: c for c in candidates_for(request_)}
    assert ranked["sorani"].language_level == "good" and not ranked["sorani"].language_possible
    assert ranked["kurdish"].language_possible and ranked["kurdish"].language_level == "fluent"
    assert ranked["kurmanji"].language_level == ""
    assert list(ranked)[0] == "sorani"


def test_two_varieties_count_by_the_better_level(cody, request_):
    register(volunteer_login("both"), cody, languages=[("ckb", "basic"), ("kmr", "fluent")])
    assert _ask(request_, "ku")["both"] == "fluent"


def test_a_language_outside_the_catalogue_is_refused(cody):
    with pytest.raises(ValidationError):
        register(volunteer_login("kikongo"), cody, languages=[("Kikongo", "good")])
    assert not VolunteerLanguage.objects.filter(language="Kikongo").exists()


def test_the_register_filter_uses_the_codes(client, cody):
    register(volunteer_login("kurmanji"), cody, languages=[("kmr", "native")])
    register(volunteer_login("arabic"), cody, languages=[("ara", "fluent")])
    client.force_login(cody)
    for code, expected in (("kur", ["kurmanji"]), ("ara", ["arabic"]), ("tir", [])):
        response = client.get("/volunteers/", {"language": code})
        assert response.status_code == 200
        listed = [v.user.username for v in response.context["page"]]
        assert listed == expected, code
