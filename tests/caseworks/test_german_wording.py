"""Issue 36, item 14: German as people write it. A team's name is never preceded by the word
"Team" ("Im Team Team A"); counts agree with their noun ("1 neue Fälle"); country names are
German ("Kirivati", "Mozambique" came from django_countries' catalogue: caseworks.web.countries
names those it gets wrong)."""

import re
from pathlib import Path
from types import SimpleNamespace

import polib
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from django_countries import countries

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES" / "django.po"


def test_a_teams_name_is_not_preceded_by_the_word_team():
    doubled = [
        entry.msgid
        for entry in polib.pofile(str(CATALOGUE))
        if not entry.obsolete
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        if re.search(r"\bTeams? %\(teams?\)s", text)
    ]
    assert doubled == []


def test_the_import_result_counts_in_singular_and_plural():
    request = RequestFactory().get("/manage/import/")
    request.user = AnonymousUser()
    for cases, persons, expected in [
        (1, 1, "1 neuer Fall, 1 neue Person."),
        (2, 5, "2 neue Fälle, 5 neue Personen."),
    ]:
        run = SimpleNamespace(
            state="done", filename="liste.csv", cases_opened=cases, persons_done=persons
        )
        with translation.override("de"):
            page = render_to_string("cases/import/run.html", {"run": run}, request=request)
        lead = re.search(r'<p class="lead">(.*?)</p>', page, re.S).group(1)
        assert lead == f"Aus „liste.csv“: {expected}"


def test_country_names_are_german():
    with translation.override("de"):
        names = dict(countries)
    assert names["KI"] == "Kiribati"
    assert names["MZ"] == "Mosambik"
    assert names["GD"] == "Grenada"
    assert names["CD"] == "Demokratische Republik Kongo"
    assert names["SA"] == "Saudi-Arabien"
    assert names["XS"] == "staatenlos"
    # German keeps some French names (Saint-Barthélemy) and has "Island" (Iceland).
    english = re.compile(r"\b(the|of|and|Islands|Republic|Kingdom|United)\b")
    assert [name for name in names.values() if english.search(name)] == []
