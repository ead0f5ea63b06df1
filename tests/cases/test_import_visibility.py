"""A running import's cases are nobody's (cases.selectors, issue 35): not the team's
supervisors', not in the statistics, until the run is committed; then they are."""

import datetime

import pytest

from cases.intake import importing
from cases.models import Case
from cases.models.imports import ImportRun
from cases.selectors import case_list_for_user, cases_supervised_by
from tests.cases.test_import_runs import BATCH, Killed, caseload, kill_after
from tests.helpers import open_case


@pytest.fixture
def interrupted(monkeypatch, alice, adam, team_a):
    """An earlier case of team A, and an import killed after two batches of it."""
    earlier = open_case(alice, team_a, last_name="Vorher", assigned_to=alice)
    kill_after(monkeypatch, 2)
    with pytest.raises(Killed):
        importing.run(caseload(), filename="x.xlsx", user=adam, batch_rows=BATCH)
    monkeypatch.undo()
    return earlier


def test_a_running_imports_cases_are_hidden_from_the_supervisor(sam, adam, team_a, interrupted):
    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.RUNNING
    assert Case.objects.filter(team=team_a).count() == 1 + BATCH  # written, two a household
    assert list(cases_supervised_by(user=sam)) == [interrupted]
    assert list(case_list_for_user(user=sam, include_closed=True)) == [interrupted]

    assert importing.advance(run, user=adam, batch_rows=BATCH) is True
    assert cases_supervised_by(user=sam).count() == 1 + 10
    assert case_list_for_user(user=sam).count() == 1 + 10


def persons_counted(client, team) -> int:
    """The persons the statistics page counts this year (its table by gender, raw)."""
    year = datetime.date.today().year
    params = {"start": f"{year}-01-01", "end": f"{year}-12-31", "teams": [team.pk]}
    page = client.get("/supervision/statistics/", params, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    (gender,) = [
        shown["table"] for shown in page.context["tables"] if shown["table"].key == "gender"
    ]
    return sum(n for _label, n in gender.rows)


def test_the_statistics_count_no_case_of_a_running_import(client, sam, adam, team_a, interrupted):
    client.force_login(sam)
    assert persons_counted(client, team_a) == 1  # the earlier case's person only
    importing.advance(ImportRun.objects.get(), user=adam, batch_rows=BATCH)
    assert persons_counted(client, team_a) == 1 + 20
