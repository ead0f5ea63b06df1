"""Every list and dashboard page needs as many queries for a bigger data set as for a small
one (no query per row). Timings at city scale: `make bench`."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.helpers import TODAY, consent, refer
from tests.security.world import build_team
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


def test_list_and_dashboard_pages_need_the_same_queries_at_two_sizes(
    client, world, alice, sam, team_a, vera, mbe
):
    users, a, _b = world
    small = {url: count(client, users[who], url) for who, url in pages(a)}

    # Three times the households, and the first case with many more entries.
    for name in ("Rahimi", "Haddad", "Okafor"):
        build_team(alice, sam, team_a, volunteer=vera, service=mbe, last_name=name)
    case = a.params["_case"]
    person = case.clients.get()
    for days in range(5, 15):
        visit_record(
            actor=alice,
            case=case,
            kind=Visit.Kind.FOLLOW_UP,
            date=TODAY - datetime.timedelta(days=days),
            present=[person],
            duration_minutes=30,
            place="office",
            topics=["housing"],
            notes="n",
        )
    consent(alice, case, mbe)
    refer(alice, case, mbe)

    big = {url: count(client, users[who], url) for who, url in pages(a)}
    grown = {url: (small[url], big[url]) for url in small if small[url] != big[url]}
    assert not grown, f"queries grow with the data (small, big): {grown}"
