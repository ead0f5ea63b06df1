"""The anonymised residue: a year's statistics are the same before and after retention
deletes its cases (cases.privacy.residue, cases.privacy.retention)."""

import csv
import datetime
import io

import pytest

from cases import services as case_services
from cases.models import Case, ContactKind, StatisticsResidue
from cases.privacy.residue import add_residue
from cases.privacy.retention import apply_retention
from caseworks.extensions.supervision import statistics_for
from tests.helpers import TODAY, open_case
from visits import services as visit_services

YEAR = TODAY.year - 5
D = datetime.date


def household(alice, team_a, name, nationality, *, opened, birth, kind="permission_to_reside"):
    case = open_case(
        alice,
        team_a,
        first_name=name,
        last_name="Haddad",
        kind=kind,
        birth_date=birth,
        opened_on=opened,
    )
    person = case.clients.get()
    case_services.client_update(
        actor=alice, client=person, expected_version=1, data={"nationality": nationality}
    )
    return case


@pytest.fixture
def year_data(alice, sam, team_a):
    """Five households open in YEAR: three are deleted by retention (closed in YEAR), two
    stay (one closed last year, one still open). Visits, contacts with topics and hours."""
    cases = []
    for i, (name, nationality, born) in enumerate(
        [
            ("Ahmad", "SY", D(1980, 3, 1)),
            ("Omar", "SY", D(1990, 6, 1)),
            ("Zahra", "AF", D(2010, 1, 1)),
            ("Yonas", "ER", D(1975, 1, 1)),
            ("Khaled", "SY", D(1985, 1, 1)),
        ]
    ):
        case = household(alice, team_a, name, nationality, opened=D(YEAR, 2, 1 + i), birth=born)
        visit_services.visit_record(
            actor=alice,
            case=case,
            kind="first",
            date=D(YEAR, 3, 1 + i),
            duration_minutes=50 + 7 * i,
            place="office",
            topics=["housing", "health"][: 1 + i % 2],
        )
        case_services.contact_record(
            actor=alice,
            case=case,
            kind=ContactKind.PHONE,
            date=D(YEAR, 4, 1 + i),
            duration_minutes=25,
            topics=["benefits"],
        )
        if i < 3:  # the child's household gets a second person
            case_services.client_create(
                actor=alice,
                case=case,
                data={
                    "first_name": "Lina",
                    "last_name": "Haddad",
                    "relationship": "child",
                    "birth_date": D(2015, 5, 5),
                    "nationality": nationality,
                },
            )
        cases.append(case)
    for case in cases[:3]:
        close(sam, case, D(YEAR, 11, 1))
    close(sam, cases[3], TODAY - datetime.timedelta(400))
    return cases


def close(sam, case, day):
    keys = [item.key for item in case_services.case_open_items(case)]
    case_services.case_close(
        actor=sam, case=case, reason="moved_away", closed_on=day, acknowledged=keys
    )


def published(client, team, year=YEAR):
    response = client.get(
        "/supervision/statistics/",
        {"start": f"{year}-01-01", "end": f"{year}-12-31", "teams": [team.pk], "format": "csv"},
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header_end = rows.index([]) + 1
    # The export's header says the day it was made: the figures are what must not change.
    return sorted(tuple(r) for r in rows[header_end:])


def test_a_years_statistics_are_identical_before_and_after_retention(
    client, sam, team_a, year_data
):
    client.force_login(sam)
    before = published(client, team_a)
    before_de = published_de(client, team_a)
    apply_retention(dry_run=False)
    assert Case.objects.count() == 2  # three deleted
    assert StatisticsResidue.objects.exists()
    assert published(client, team_a) == before
    assert published_de(client, team_a) == before_de
    # Small counts are still suppressed (the residue adds to the raw counts).
    assert any(r[2] == "x" for r in before)


def published_de(client, team):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    from django.utils import translation

    with translation.override("de"):
        try:
            return published(client, team)
        finally:
            client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_the_residue_holds_no_link_to_a_person(sam, team_a, year_data):
    apply_retention(dry_run=False)
    fields = {f.name for f in StatisticsResidue._meta.get_fields()}
    assert fields == {"id", "year", "team", "table", "label", "language", "count"}
    labels = set(StatisticsResidue.objects.values_list("label", flat=True))
    assert not {"Ahmad", "Omar", "Zahra", "Haddad"} & labels


def test_other_periods_count_the_remaining_cases_only(sam, team_a, year_data):
    apply_retention(dry_run=False)
    start, end = D(YEAR, 1, 1), D(YEAR, 6, 30)
    tables = statistics_for(cases=Case.objects.all(), start=start, end=end)
    assert add_residue(tables, teams=[team_a], start=start, end=end) is tables


def test_a_dry_run_folds_nothing(sam, team_a, year_data):
    apply_retention(dry_run=True)
    assert not StatisticsResidue.objects.exists() and Case.objects.count() == 5
