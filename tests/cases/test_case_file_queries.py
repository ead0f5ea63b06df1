"""The case file at scale (issue 37): its timeline decrypts only what it shows, reverses each
kind of URL once however many entries, and links each entry to its own page."""

import datetime

import pytest
from django.utils import timezone

from cases import page
from cases.page import url_maker
from tests.helpers import open_case
from tests.visits.conftest import TODAY, plan, record
from tests.visits.test_my_week_queries import decrypted_during
from visits.models import Accompaniment, Visit

DAY = datetime.timedelta(days=1)


@pytest.fixture
def busy_case(alice, team_a):
    case = open_case(alice, team_a, opened_on=TODAY - 60 * DAY)
    record(alice, case, kind=Visit.Kind.FIRST, date=TODAY - 50 * DAY, notes="Geheim")
    for i in range(3):
        record(alice, case, date=TODAY - i * DAY, notes="Geheim", interpreter_name="Frau D.")
    plan(alice, case, when=timezone.now() - 2 * DAY, interpreter_name="Herr D.")
    Accompaniment.objects.update(volunteer_note="Bitte klingeln", outcome="Erledigt")
    return case


def test_the_timeline_decrypts_only_what_it_shows(busy_case, alice, client, monkeypatch):
    client.force_login(alice)
    url = f"/cases/{busy_case.code}/"
    labels = decrypted_during(monkeypatch, lambda: client.get(url))
    assert "visits.Accompaniment.purpose" in labels  # shown on the timeline
    unshown = {
        "visits.Visit.notes",
        "visits.Visit.interpreter_name",
        "visits.Accompaniment.outcome",
        "visits.Accompaniment.volunteer_note",
        "visits.Accompaniment.interpreter_name",
    }
    assert not labels & unshown


def test_each_entry_links_its_own_page(busy_case, alice, client, monkeypatch):
    calls = []
    original = page.reverse

    def counting(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(page, "reverse", counting)
    client.force_login(alice)
    html = client.get(f"/cases/{busy_case.code}/").content.decode()
    assert calls.count("case_visits:visit_detail") == 1  # four visits, one reverse()
    for visit in busy_case.visits.all():
        assert f'href="/cases/{busy_case.code}/visits/{visit.code}/"' in html
    accompaniment = busy_case.accompaniments.get()
    assert f'href="/cases/{busy_case.code}/accompaniments/{accompaniment.code}/"' in html


def test_a_url_maker_formats_what_reverse_would_give(busy_case):
    accompaniment = busy_case.accompaniments.get()
    make = url_maker("case_visits:accompaniment_outcome", varying=2)
    assert make(busy_case.code, accompaniment.code) == (
        f"/cases/{busy_case.code}/accompaniments/{accompaniment.code}/outcome/"
    )
