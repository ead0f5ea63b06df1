"""My week at scale (issue 37): it decrypts only what it shows, reverses each kind of URL once
however many entries, and its links lead to each entry's own case."""

import datetime

import pytest
from django import urls
from django.utils import timezone

from caseworks import fields
from tests.helpers import open_case
from tests.visits.conftest import TODAY, plan
from visits import selectors
from visits.models import Accompaniment

DAY = datetime.timedelta(days=1)


@pytest.fixture
def busy_week(alice, team_a):
    """Three cases of alice, each with an accompaniment this week (with a purpose, an
    interpreter and a volunteer's note, which the week does not show)."""
    cases = [open_case(alice, team_a, first_name=f"Person{i}") for i in range(3)]
    monday = TODAY - TODAY.weekday() * DAY
    when = timezone.make_aware(datetime.datetime.combine(monday + 3 * DAY, datetime.time(10)))
    for case in cases:
        plan(alice, case, when=when, interpreter_name="Herr Dolmetscher")
    Accompaniment.objects.update(volunteer_note="Bitte klingeln")
    return cases


def decrypted_during(monkeypatch, fn) -> set[str]:
    labels: set[str] = set()
    original = fields.decrypt_str

    def recording(token: str, *, label: str = "value") -> str:
        labels.add(label)
        return original(token, label=label)

    monkeypatch.setattr(fields, "decrypt_str", recording)
    fn()
    return labels


def test_it_decrypts_only_what_it_shows(busy_week, alice, monkeypatch):
    labels = decrypted_during(monkeypatch, lambda: selectors.my_week(user=alice))
    assert "visits.Accompaniment.destination_text" in labels  # shown: where to go
    unshown = {
        "visits.Accompaniment.purpose",
        "visits.Accompaniment.interpreter_name",
        "visits.Accompaniment.volunteer_note",
        "cases.Case.accommodation_address",
        "cases.Client.phone",
        "cases.Client.email",
        "cases.Client.birth_date",
    }
    assert not labels & unshown


def test_it_reverses_a_url_once_a_kind(busy_week, alice, monkeypatch):
    calls = []
    original = urls.reverse

    def counting(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr("cases.page.reverse", counting)
    week = selectors.my_week(user=alice)
    entries = [e for d in week["days"] for e in d.entries if e.kind == "accompaniment"]
    assert len(entries) == 3
    assert calls.count("case_visits:accompaniment_detail") == 1
    assert calls.count("cases:detail") == 1


def test_each_entry_links_its_own_case(busy_week, alice, client):
    client.force_login(alice)
    html = client.get("/visits/week/").content.decode()
    for case in busy_week:
        accompaniment = case.accompaniments.get()
        assert f'href="/cases/{case.code}/"' in html
        assert f"/cases/{case.code}/accompaniments/{accompaniment.code}/" in html
