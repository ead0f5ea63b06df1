"""Issue 36, item 4 in the browser: the data protection officer, on a 360 px phone, finds a
person from the menu, starts the Art. 15 disclosure from the result row, and sees the access
log and the retention page; no page is wider than the screen (Journey.check: screenshot,
axe-core, CSP, no horizontal overflow)."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from cases import services as case_services
from cases.models import DisclosureExport
from tests.e2e.conftest import PASSWORD
from tests.helpers import TODAY, open_case

YEAR = datetime.timedelta(days=365)


@pytest.fixture
def dpo_house(house):
    team = house["team"]
    leyla, sabine = house["users"]["leyla"], house["users"]["sabine"]
    dana = get_user_model().objects.create_user(
        "dana", password=PASSWORD, first_name="Dana", last_name="Schulz"
    )
    team.organisation.data_protection_officers.add(dana)
    case = open_case(
        leyla,
        team,
        first_name="Maryam",
        last_name="Rahimi-Abdulrahmanzadeh",
        birth_date=datetime.date(1966, 5, 16),
    )
    old = open_case(leyla, team, last_name="Altfall", opened_on=TODAY - 6 * YEAR)
    case_services.case_close(
        actor=sabine, case=old, reason="moved_away", closed_on=TODAY - 5 * YEAR
    )
    return {**house, "case": case, "dana": dana}


@pytest.mark.parametrize("journey", [360], indirect=True, ids=["phone"])
def test_the_dpo_finds_a_person_and_starts_the_disclosure_on_a_phone(journey, dpo_house):
    page = journey.page
    journey.sign_in("dana")
    page.locator('nav a[href="/audit/people/"]').click()
    page.wait_for_url("**/audit/people/")
    journey.check("dpo-search")

    page.fill('[name="q"]', "16.05.1966")
    journey.submit("Suchen")
    row = page.locator("main table tbody tr")
    assert row.count() == 1
    assert "Rahimi-Abdulrahmanzadeh" in row.inner_text()
    assert dpo_house["case"].reference in row.inner_text()
    journey.check("dpo-found")

    with page.expect_navigation():
        row.get_by_role("link", name="Auskunft erstellen").click()
    journey.check("dpo-disclosure")
    journey.submit()
    export = DisclosureExport.objects.get(requested_by=dpo_house["dana"])
    assert export.person.last_name == "Rahimi-Abdulrahmanzadeh"
    journey.check("dpo-disclosure-status")

    # The access log reads in words and fits the phone too (issue 36, items 8 and 9).
    journey.go("/audit/")
    assert "Person in der Suche" in page.locator("main").inner_text()
    journey.check("dpo-access-log")

    journey.go(f"/audit/retention/{dpo_house['team'].organisation.code}/")
    assert "1 Fall, abgeschlossen vor dem" in page.locator("main").inner_text()
    journey.check("dpo-retention")
