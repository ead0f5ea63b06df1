"""The dashboard's figures read the led teams' cases through the team, several figures a query
(issue 37): not a subquery over the visibility of every case of the city, not one query per
figure; and what the conditional counts give is what the lists behind them show."""

import datetime
import re

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from caseworks.extensions.supervision import Column, counted
from tests.helpers import TODAY, open_case
from visits import services as visit_services

DAY = datetime.timedelta(days=1)
GROUPED = re.compile(r"GROUP BY", re.IGNORECASE)


@pytest.fixture
def world(alice, bob, sue, team_a, team_b):
    for worker in (alice, bob):
        for _ in range(2):
            case = open_case(worker, team_a, opened_on=TODAY - 90 * DAY)
            visit_services.visit_record(
                actor=worker,
                case=case,
                kind="first",
                date=TODAY - 3 * DAY,
                duration_minutes=45,
                place="office",
            )
    open_case(sue, team_b, opened_on=TODAY - 90 * DAY)


def figure_queries(client) -> list[str]:
    client.get("/supervision/")  # the session's "last seen", written once a minute
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/supervision/").status_code == 200
    return [q["sql"] for q in captured.captured_queries if GROUPED.search(q["sql"])]


def test_the_figures_are_read_through_the_teams_not_the_citys_visibility(
    client, sam, team_a, world
):
    client.force_login(sam)
    queries = figure_queries(client)
    assert queries
    for sql in queries:
        # The case permissions of the whole city are not consulted for a supervisor's teams …
        assert "userobjectpermission" not in sql
        # … and no figure wraps its own records in a subquery of their keys.
        assert 'W0."id" AS "pk"' not in sql
        assert f'"team_id" IN ({team_a.pk})' in sql or f'"team_id" = {team_a.pk}' in sql


def test_several_figures_share_a_query(client, sam, world):
    """Eleven figures, fewer grouped queries: the cases' two, the persons' two, the visits'
    and contacts' counts with their minutes are one query each."""
    client.force_login(sam)
    columns = [c for c in figure_queries(client) if "COUNT" in c or "SUM" in c]
    assert len(columns) <= 11


def test_a_conditional_count_is_its_lists_length(client, sam, alice, team_a, world):
    client.force_login(sam)
    response = client.get("/supervision/")
    section = response.context["sections"][0]
    row = next(r for r in section["rows"] if r.name == "Alice Arendt")
    assert row.figure("open_cases") == 2
    assert row.figure("persons") == 2
    assert row.figure("hours_30") == 1.5  # two visits of 45 minutes
    drill = client.get(
        "/supervision/cases/",
        {"team": team_a.pk, "caseworker": alice.pk, "figure": "contacts_30"},
    )
    assert drill.context["figure"] == len(drill.context["rows"]) == 2


def test_counted_gives_each_figure_per_row(alice, bob, team_a, world):
    found = counted(
        Case.objects.filter(team=team_a),
        "team_id",
        "assigned_to_id",
        cases=Count("pk"),
        alices=Count("pk", filter=Q(assigned_to=alice)),
    )
    assert found["cases"] == {(team_a.pk, alice.pk): 2, (team_a.pk, bob.pk): 2}
    assert found["alices"] == {(team_a.pk, alice.pk): 2}  # no row for a zero


def test_given_counts_are_shown_as_the_sources_would_be():
    column = Column("hours", "hours", 1, counts={(1, 2): 90}, unit="hours")
    assert column.count(1, 2) == 1.5 and column.count(1, None) == 0
