import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from cases import services as case_services
from cases.statistics import as_csv, as_xlsx, export_rows, neutralise, suppress
from caseworks.supervision import StatTable
from tests.conftest import TODAY, open_case
from visits import services as visit_services

DAY = datetime.timedelta(days=1)
START, END = TODAY - 100 * DAY, TODAY


@pytest.fixture
def data(alice, sam, team_a):
    """Three Syrian households with a permission to reside, one Afghan person with a
    toleration; two first visits in the period."""
    for name in ("Ahmad", "Omar", "Khaled"):
        case = open_case(
            alice,
            team_a,
            first_name=name,
            opened_on=TODAY - 50 * DAY,
            birth_date=datetime.date(1990, 1, 1),
        )
        person = case.clients.get()
        case_services.client_update(
            actor=alice,
            client=person,
            expected_version=1,
            data={"nationality": "SY", "gender": "male"},
        )
    afghan = open_case(
        alice,
        team_a,
        first_name="Zahra",
        kind="toleration",
        opened_on=TODAY - 50 * DAY,
        birth_date=TODAY - 10 * 365 * DAY,
    )
    case_services.client_update(
        actor=alice,
        client=afghan.clients.get(),
        expected_version=1,
        data={"nationality": "AF", "gender": "female"},
    )
    for case in list(afghan.team.cases.all())[:2]:
        visit_services.visit_record(
            actor=alice,
            case=case,
            kind="first",
            date=TODAY - 5 * DAY,
            duration_minutes=60,
            place="office",
        )
    old = open_case(alice, team_a, opened_on=TODAY - 300 * DAY)
    case_services.case_close(
        actor=sam, case=old, reason="moved_away", closed_on=TODAY - 200 * DAY
    )  # closed before the period


def page(client, **extra):
    params = {"start": str(START), "end": str(END), "teams": [extra.pop("team")]}
    params.update(extra)
    return client.get("/supervision/statistics/", params)


def rows_of(response, key):
    item = next(t for t in response.context["tables"] if t["table"].key == key)
    return dict(item["rows"])


def test_the_figures_and_their_suppression(client, sam, team_a, data):
    client.force_login(sam)
    response = page(client, team=team_a.pk)
    status = rows_of(response, "persons_status")
    assert status["Permission to reside (§ 55, § 63 AsylG)"] == "3"
    assert status["Toleration (§ 60a AufenthG)"] == "<3"
    nationality = rows_of(response, "nationality")
    assert nationality["Syria"] == "3" and nationality["Afghanistan"] == "<3"
    assert rows_of(response, "gender") == {"male": "3", "female": "<3"}
    assert rows_of(response, "age") == {"6–11": "<3", "27–44": "3"}
    assert rows_of(response, "visits") == {"first visit": "<3"}
    assert rows_of(response, "households_nationality") == {"Syria": "3", "Afghanistan": "<3"}
    assert rows_of(response, "households_gender") == {"male": "3", "female": "<3"}
    html = response.content.decode()
    assert "&lt;3" in html and "<svg" in html
    assert "Zahra" not in html and "Karimi" not in html


def test_the_exports_suppress_the_same_way(client, sam, team_a, data):
    client.force_login(sam)
    csv_rows = list(
        csv.reader(
            io.StringIO(page(client, team=team_a.pk, format="csv").content.decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert ["Persons by nationality", "Afghanistan", "<3"] in csv_rows
    assert ["Persons by nationality", "Syria", "3"] in csv_rows
    response = page(client, team=team_a.pk, format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Persons by nationality", "Afghanistan", "<3"] in values


def test_formulas_are_neutralised_in_csv_and_xlsx():
    table = StatTable(
        "t", "=cmd|' /C calc'!A0", 1, [("+1", 5), ("-2", 5), ("@SUM(A1)", 1), ("safe", 4)]
    )
    rows = export_rows(["table", "category", "count"], [table])
    assert rows[1] == ["'=cmd|' /C calc'!A0", "'+1", "5"]
    assert rows[3][1:] == ["'@SUM(A1)", "<3"]
    text = as_csv(rows).decode("utf-8-sig")
    assert "\n=" not in text and ";=" not in text and ";+" not in text
    sheet = load_workbook(io.BytesIO(as_xlsx(rows))).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"  # no formula anywhere
    assert neutralise("plain") == "plain" and neutralise(7) == 7


def test_suppress():
    assert [suppress(n) for n in (1, 2, 3, 10)] == ["<3", "<3", "3", "10"]


def test_another_teams_statistics_are_refused(client, sue, team_a, data):
    client.force_login(sue)
    response = page(client, team=team_a.pk)
    assert response.status_code == 200
    assert response.context["tables"] == []  # the form refuses a team sue does not lead
    assert "Select a valid choice" in response.content.decode()


def test_a_period_that_ends_before_it_starts(client, sam, team_a):
    client.force_login(sam)
    response = client.get(
        "/supervision/statistics/", {"start": str(END), "end": str(START), "teams": [team_a.pk]}
    )
    assert "cannot end before it starts" in response.content.decode()
