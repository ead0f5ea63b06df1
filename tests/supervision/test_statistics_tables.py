"""The funders' tables the issue names beside the persons: topics, contacts and hours, places,
allocation to first visit; on the page with whole labels (a chart label is never cut), and in
the XLSX with columns as wide as their longest label."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from cases import services as case_services
from tests.helpers import TODAY, open_case
from visits import services as visit_services

DAY = datetime.timedelta(days=1)
LONG = "Women's counselling / protection from violence"


@pytest.fixture
def period(alice, team_a):
    for i in range(4):
        case = open_case(
            alice, team_a, opened_on=TODAY - 60 * DAY, allocated_on=TODAY - (20 + 10 * i) * DAY
        )
        visit_services.visit_record(
            actor=alice,
            case=case,
            kind="first",
            date=TODAY - 10 * DAY,
            duration_minutes=60,
            place="accommodation",
            topics=["housing", "health"],
        )
        for _n in range(3):
            case_services.contact_record(
                actor=alice,
                case=case,
                kind="phone",
                date=TODAY - 5 * DAY,
                duration_minutes=40,
                topics=["benefits"],
            )
    return {"start": str(TODAY - 90 * DAY), "end": str(TODAY), "teams": [team_a.pk]}


def tables_of(response) -> dict:
    return {item["table"].key: dict(item["rows"]) for item in response.context["tables"]}


def test_topics_contacts_hours_places_and_first_visits(client, sam, period):
    client.force_login(sam)
    tables = tables_of(client.get("/supervision/statistics/", period))
    assert tables["topics"] == {"housing": "4", "health": "4", "benefits": "12"}
    assert tables["contacts"] == {"phone call": "12"}
    assert tables["contact_hours"] == {"phone call": "8"}  # 12 × 40 min
    assert tables["visit_hours"] == {"first visit": "4"}
    assert tables["places"] == {"accommodation": "4"}
    assert tables["nationality"] == {"not recorded": "4"}  # not a row of dashes
    # Allocated 20, 30, 40 and 50 days ago, visited 10 days ago: 10, 20, 30 and 40 days;
    # 1, 1 and 2 are small: all suppressed, the total (4) shown.
    assert tables["first_visit_days"] == {"8–14": "x", "15–28": "x", "29+": "x"}


def test_chart_labels_are_whole(client, sam, alice, team_a, olga):
    """The longest category label, on the page as it is (the chart's label is HTML text that
    wraps, not SVG text cut at a width)."""
    from caseworks.models import Service
    from tests.supervision.test_figures_and_lists import sent_referral

    service = Service.objects.create(name="Frauenberatung", kind="counselling", category="women")
    for _n in range(3):
        sent_referral(alice, olga, open_case(alice, team_a), service, TODAY)
    client.force_login(sam)
    response = client.get(
        "/supervision/statistics/",
        {"start": str(TODAY - DAY), "end": str(TODAY), "teams": [team_a.pk]},
    )
    html = response.content.decode()
    label = LONG.replace("'", "&#x27;")
    assert f'<span class="bar-label">{label}</span>' in html
    sheet = load_workbook(
        io.BytesIO(
            client.get(
                "/supervision/statistics/",
                {
                    "start": str(TODAY - DAY),
                    "end": str(TODAY),
                    "teams": [team_a.pk],
                    "format": "xlsx",
                },
            ).content
        )
    ).active
    labels = [row[1] for row in sheet.iter_rows(values_only=True) if len(row) > 2]
    assert LONG in labels
    assert sheet.column_dimensions["B"].width >= len(LONG)
