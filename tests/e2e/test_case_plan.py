"""The case plan on a phone (360 px): record a need from a visit ("Bedarf erfassen"), mark it
reached, see a residence perspective prompt on a case that meets a rule (§ 25a AufenthG) and
follow its referral shortcut. Every step gets the checks of `Journey.check`."""

import datetime

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.plan import services as plan_services
from cases.plan.models import Need, NeedStatus
from tests.helpers import open_case
from visits import services as visit_services

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
YEAR = datetime.timedelta(days=366)


@pytest.fixture
def plan_day(house):
    leyla = house["users"]["leyla"]
    case = open_case(
        leyla, house["team"], first_name="Amal", last_name="Haddad", opened_on=TODAY - 30 * DAY
    )
    visit = visit_services.visit_record(
        actor=leyla,
        case=case,
        kind="first",
        date=TODAY - 2 * DAY,
        duration_minutes=60,
        place="accommodation",
        topics=["housing"],
    )
    # A young man, tolerated after four years here and three and a half years of school.
    young = open_case(
        leyla,
        house["team"],
        first_name="Samir",
        last_name="Haidari",
        birth_date=TODAY - 19 * YEAR,
        kind="permission_to_reside",
        opened_on=TODAY - 3 * YEAR,
    )
    samir = young.clients.get()
    first = samir.statuses.get()
    first.valid_from = TODAY - 4 * YEAR
    first.valid_until = TODAY - YEAR
    first._history_user = leyla
    first.save()
    case_services.residence_status_add(
        actor=leyla,
        client=samir,
        data={"kind": "toleration", "valid_from": TODAY - YEAR, "valid_until": TODAY + 60 * DAY},
    )
    plan_services.activity_create(
        actor=leyla, client=samir, kind="school", since=TODAY - 4 * YEAR, until=TODAY - 30 * DAY
    )
    return {**house, "case": case, "visit": visit, "young": young, "samir": samir}


@pytest.mark.parametrize("journey", [360], indirect=True, ids=["phone"])
def test_the_case_plan_on_a_phone(journey, plan_day):
    page = journey.page
    case, visit = plan_day["case"], plan_day["visit"]
    journey.sign_in("leyla")

    # From the visit: "record a need", the case and the visit preselected.
    journey.go(f"/cases/{case.code}/visits/{visit.code}/")
    journey.check("plan-besuch")
    link = page.locator(f'main a[href="/cases/{case.code}/plan/needs/new/?visit={visit.code}"]')
    link.click()
    page.wait_for_url("**/plan/needs/new/**")
    page.select_option('[name="category"]', label="Wohnen")
    page.fill('[name="goal"]', "Wohnung mit drei Zimmern")
    journey.check("plan-bedarf-formular")
    journey.submit()
    page.wait_for_url(f"**/visits/{visit.code}/")
    need = Need.objects.get(case=case)
    assert list(need.visits.all()) == [visit]
    assert "Wohnen" in page.locator("main").inner_text()
    journey.check("plan-besuch-mit-bedarf")

    # On the case file: the plan panel, one line; mark the need reached.
    journey.go(f"/cases/{case.code}/")
    panel = page.locator("section.panel-plan")
    assert "Wohnung mit drei Zimmern" in panel.inner_text()
    journey.check("plan-fallakte")
    panel.locator(f'a[href="/cases/{case.code}/plan/needs/{need.code}/finish/"]').click()
    page.wait_for_url("**/finish/")
    journey.check("plan-erreicht-formular")
    journey.submit()
    page.wait_for_url(f"**/cases/{case.code}/plan/")
    need.refresh_from_db()
    assert need.status == NeedStatus.REACHED and need.finished_on == TODAY
    assert page.locator("main .chip-reached").count() == 1
    journey.check("plan-erreicht")

    # A case that meets § 25a: the prompt, and its referral shortcut.
    young, samir = plan_day["young"], plan_day["samir"]
    journey.go(f"/cases/{young.code}/")
    prompt = page.locator(f"#perspective-25a-{samir.code}")
    assert "§ 25a AufenthG" in prompt.inner_text()
    journey.check("plan-perspektive")
    prompt.locator("a.button").first.click()
    page.wait_for_url(f"**/cases/{young.code}/referrals/new/**")
    assert "client=" in page.url and "service=" in page.url
    journey.check("plan-verweisung")
