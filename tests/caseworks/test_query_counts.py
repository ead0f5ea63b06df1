"""Every list and dashboard page needs as many queries for a bigger data set as for a small
one (no query per row). Timings at city scale: `make bench`."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import TODAY, consent, refer
from tests.security.world import build_team, build_world
from visits.models import Visit
from visits.services import visit_record


def pages(a):
    end = TODAY
    start = end - datetime.timedelta(days=364)
    case = a.params["code"]
    return [
        ("alice", "/cases/"),
        ("alice", "/cases/?q=Karimi"),
        ("alice", "/referrals/"),
        ("alice", "/visits/week/"),
        ("alice", f"/cases/{case}/"),
        ("alice", f"/cases/{case}/history/"),
        ("sam", "/cases/"),
        ("sam", "/supervision/"),
        ("sam", f"/supervision/cases/?team={a.params['team']}&caseworker={a.params['caseworker']}"),
        ("sam", f"/supervision/statistics/?start={start}&end={end}&teams={a.params['team']}"),
        ("olga", "/referrals/print-queue/"),
        ("vera", "/volunteer/"),
        ("dora", "/audit/"),
    ]


def count(client, user, url) -> int:
    client.force_login(user)
    client.get(url)  # warm caches (content types, permissions of the session)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.fixture
def world(request, db):
    names = ["alice", "bob", "charlie", "sam", "sue", "olga", "vera", "adam", "team_a",
             "team_b", "mbe"]
    f = {n: request.getfixturevalue(n) for n in names}
    users, a, _b = build_world(
        alice=f["alice"], bob=f["bob"], charlie=f["charlie"], sam=f["sam"], sue=f["sue"],
        olga=f["olga"], vera=f["vera"], adam=f["adam"], team_a=f["team_a"],
        team_b=f["team_b"], service=f["mbe"])
    from django.contrib.auth import get_user_model
    users["dora"] = get_user_model().objects.get(username="dora")
    return users, a, f


def test_list_and_dashboard_pages_need_the_same_queries_at_two_sizes(client, world):
    users, a, f = world
    small = {url: count(client, users[who], url) for who, url in pages(a)}

    # Three times the households, and the first case with many more entries.
    for name in ("Rahimi", "Haddad", "Okafor"):
        build_team(f["alice"], f["sam"], f["team_a"], volunteer=f["vera"], service=f["mbe"],
                   last_name=name)
    case = a.params["_case"]
    person = case.clients.get()
    for days in range(5, 15):
        visit_record(actor=f["alice"], case=case, kind=Visit.Kind.FOLLOW_UP,
                     date=TODAY - datetime.timedelta(days=days), present=[person],
                     duration_minutes=30, place="office", topics=["housing"], notes="n")
    consent(f["alice"], case, f["mbe"])
    refer(f["alice"], case, f["mbe"])

    big = {url: count(client, users[who], url) for who, url in pages(a)}
    grown = {url: (small[url], big[url]) for url in small if small[url] != big[url]}
    assert not grown, f"queries grow with the data (small, big): {grown}"
