"""Statistics of closed periods are kept once computed (supervision.kept): read back on later
views, dropped when a record of the period changes, and keyed by scope and teams, so that no
one reads another scope's figures."""

import datetime

import pytest

from cases import services as case_services
from cases.models import KeptFigures
from tests.helpers import TODAY, open_case
from visits import services as visit_services

DAY = datetime.timedelta(days=1)
# A closed period (over yesterday at the latest) and the open one up to today.
START, END = TODAY - 60 * DAY, TODAY - 10 * DAY


def page(client, team, start=START, end=END, **extra):
    params = {"start": str(start), "end": str(end), "teams": [team.pk], **extra}
    response = client.get("/supervision/statistics/", params)
    assert response.status_code == 200
    return response


def rows_of(response, key):
    """A table's counts as computed (or kept), before suppression."""
    item = next(t for t in response.context["tables"] if t["table"].key == key)
    return dict(item["table"].rows)


def visit(actor, case, day, kind="follow_up"):
    return visit_services.visit_record(
        actor=actor,
        case=case,
        kind=kind,
        date=day,
        duration_minutes=30,
        place="office",
    )


@pytest.fixture
def busy(alice, team_a):
    """Three households of team A, each visited for the first time in the period."""
    cases = [open_case(alice, team_a, opened_on=TODAY - 90 * DAY) for _ in range(3)]
    for case in cases:
        visit(alice, case, START + 5 * DAY, kind="first")
    return cases


def kept_of(team):
    return KeptFigures.objects.filter(teams__contains=f",{team.pk},")


def test_it_keeps_a_closed_period_and_reads_it_back(client, sam, team_a, busy):
    client.force_login(sam)
    first = page(client, team_a)
    assert rows_of(first, "visits") == {"first visit": 3}
    kept = kept_of(team_a).get(table="visits")
    assert kept.scope == f"teams:{team_a.pk}" and (kept.start, kept.end) == (START, END)
    # What the next view shows comes from the kept row, not from the visits.
    kept.rows = [["first visit", 7]]
    kept.save()
    assert rows_of(page(client, team_a), "visits") == {"first visit": 7}


def test_it_computes_an_open_period_every_time(client, sam, team_a, busy):
    client.force_login(sam)
    assert rows_of(page(client, team_a, end=TODAY), "visits") == {"first visit": 3}
    assert not KeptFigures.objects.exists()


def test_a_visit_dated_in_the_period_drops_it(client, sam, alice, team_a, busy):
    client.force_login(sam)
    page(client, team_a)
    visit(alice, busy[0], END)
    assert not kept_of(team_a).exists()
    assert rows_of(page(client, team_a), "visits") == {"first visit": 3, "follow-up visit": 1}


def test_a_visit_dated_outside_the_period_keeps_it(client, sam, alice, team_a, busy):
    client.force_login(sam)
    page(client, team_a)
    visit(alice, busy[0], TODAY)
    assert kept_of(team_a).filter(table="visits").exists()


def test_a_late_edit_of_a_visits_date_drops_the_period_it_left(client, sam, alice, team_a, busy):
    """The date before the change counts too: a visit moved out of the period."""
    client.force_login(sam)
    moved = busy[0].visits.get()
    page(client, team_a)
    moved.date = TODAY
    moved.save()
    assert not kept_of(team_a).exists()
    assert rows_of(page(client, team_a), "visits") == {"first visit": 2}


def test_a_persons_change_drops_every_period_of_the_case(client, sam, alice, team_a, busy):
    client.force_login(sam)
    page(client, team_a)
    person = busy[0].clients.get()
    case_services.client_update(
        actor=alice, client=person, expected_version=person.version, data={"nationality": "SY"}
    )
    assert not kept_of(team_a).exists()


def test_deleting_a_case_drops_its_periods(client, sam, team_a, busy):
    """As retention does: the case and its records go."""
    client.force_login(sam)
    page(client, team_a)
    busy[0].delete()
    assert not kept_of(team_a).exists()
    assert rows_of(page(client, team_a), "visits") == {"first visit": 2}


def test_another_teams_change_keeps_them(client, sam, sue, team_a, team_b, busy):
    client.force_login(sam)
    page(client, team_a)
    other = open_case(sue, team_b, opened_on=TODAY - 90 * DAY)
    visit(sue, other, START + DAY, kind="first")
    assert kept_of(team_a).filter(table="visits").exists()


def test_no_one_reads_another_scopes_figures(client, sam, sue, team_a, team_b, busy):
    """Sam's kept figures (team A) are not Sue's (team B), for the same period; and the
    carrier's figures are kept apart from the team's, though both count team A."""
    client.force_login(sam)
    page(client, team_a)
    KeptFigures.objects.filter(table="visits").update(rows=[["marked by team A", 9]])
    client.force_login(sue)
    assert "marked by team A" not in page(client, team_b).content.decode()
    assert set(KeptFigures.objects.values_list("scope", flat=True)) == {
        f"teams:{team_a.pk}",
        f"teams:{team_b.pk}",
    }
    client.force_login(sam)
    carrier = page(client, team_a, scope="carrier")
    assert "marked by team A" not in carrier.content.decode()
    assert KeptFigures.objects.filter(scope__startswith="carrier:").exists()


def test_a_teams_figures_need_that_team(client, sue, team_a, busy):
    """Asking for a team one does not lead is refused before anything kept is read."""
    client.force_login(sue)
    response = client.get(
        "/supervision/statistics/", {"start": str(START), "end": str(END), "teams": [team_a.pk]}
    )
    assert "first visit" not in response.content.decode()
    assert not KeptFigures.objects.exists()
