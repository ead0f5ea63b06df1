import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from cases import services as case_services
from caseworks.extensions.supervision import StatTable
from caseworks.models import Team
from supervision.statistics import as_csv, as_xlsx, export_rows, neutralise, suppress
from tests.helpers import TODAY, open_case
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


def totals_of(response, key):
    return next(t for t in response.context["tables"] if t["table"].key == key)["total"]


def test_the_figures_and_their_suppression(client, sam, team_a, data):
    """Four persons: 3 and 1 in every split. The 1 is suppressed, and so is the 3, or the
    published total (4) would give the 1 away."""
    client.force_login(sam)
    response = page(client, team=team_a.pk)
    status = rows_of(response, "persons_status")
    assert status == {
        "Permission to reside (§ 55, § 63 AsylG)": "x",
        "Toleration (§ 60a AufenthG)": "x",
    }
    assert totals_of(response, "persons_status") == "4"
    assert rows_of(response, "nationality") == {"Syria": "x", "Afghanistan": "x"}
    assert rows_of(response, "gender") == {"male": "x", "female": "x"}
    assert rows_of(response, "age") == {"6–11": "x", "27–44": "x"}
    # Two first visits, one row: the total would be the row itself, so it goes too.
    assert rows_of(response, "visits") == {"first visit": "x"}
    assert totals_of(response, "visits") == "x"
    assert rows_of(response, "households_nationality") == {"Syria": "x", "Afghanistan": "x"}
    html = response.content.decode()
    assert "<svg" in html and "Cells marked “x” are suppressed" in html
    assert "Zahra" not in html and "Karimi" not in html


def test_the_exports_suppress_the_same_way(client, sam, team_a, data):
    client.force_login(sam)
    csv_rows = list(
        csv.reader(
            io.StringIO(page(client, team=team_a.pk, format="csv").content.decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert ["Persons by nationality", "Afghanistan", "x"] in csv_rows
    assert ["Persons by nationality", "Syria", "x"] in csv_rows
    assert ["Persons by nationality", "total", "4"] in csv_rows


def test_formulas_are_neutralised_in_csv_and_xlsx():
    table = StatTable(
        "t", "=cmd|' /C calc'!A0", 1, [("+1", 5), ("-2", 5), ("@SUM(A1)", 1), ("safe", 4)]
    )
    rows = export_rows(["table", "category", "count"], [table])
    assert rows[1] == ["'=cmd|' /C calc'!A0", "'+1", 5]
    assert rows[3][1:] == ["'@SUM(A1)", "x"]
    assert rows[4][1:] == ["safe", "x"]  # secondary: the smallest other cell
    text = as_csv(rows).decode("utf-8-sig")
    assert "\n=" not in text and ";=" not in text and ";+" not in text
    sheet = load_workbook(io.BytesIO(as_xlsx(rows))).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"  # no formula anywhere
    assert neutralise("plain") == "plain" and neutralise(7) == 7


def test_suppress():
    assert [suppress(n) for n in (1, 2, 3, 10)] == ["x", "x", "3", "10"]


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


def test_a_carriers_and_the_houses_figures_count_every_team(
    client, sam, alice, charlie, team_a, team_b, data
):
    """Sam leads team A only. His carrier's figures count every team of carrier A (team A2
    too), the house's every carrier's (team B too): counts only, suppressed as everywhere."""
    team_a2 = Team.objects.create(organisation=team_a.organisation, name="Team A2")
    team_a2.members.add(alice)
    for name in ("Amal", "Bilal", "Dana"):
        open_case(alice, team_a2, first_name=name, opened_on=TODAY - 50 * DAY)
    for name in ("Eli", "Farah", "Ghazal", "Hadi", "Idris"):
        open_case(charlie, team_b, first_name=name, opened_on=TODAY - 50 * DAY)
    client.force_login(sam)
    assert totals_of(page(client, team=team_a.pk), "persons_status") == "4"
    carrier = page(client, team=team_a.pk, scope="carrier")
    assert totals_of(carrier, "persons_status") == "7"
    house = page(client, team=team_a.pk, scope="house")
    assert totals_of(house, "persons_status") == "12"
    for response in (carrier, house):
        html = response.content.decode()
        assert "Amal" not in html and "Eli" not in html and "Zahra" not in html
    # The choice of teams stays the teams one leads: another carrier's team is refused.
    refused = page(client, team=team_b.pk, scope="house")
    assert refused.context["tables"] == [] and "Select a valid choice" in refused.content.decode()
    # Without a scope the chosen teams count, and at least one must be chosen.
    nothing = client.get("/supervision/statistics/", {"start": str(START), "end": str(END)})
    assert "Choose at least one team" in nothing.content.decode()
