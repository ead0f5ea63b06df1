"""The caseworker's day on a phone (360 px): from "my week" to a saved follow-up visit (taps
and seconds counted), Back and save again, cancelling a visit, a contact from the sticky
action bar, a task from my week; and the supervisor closing a case with an open deadline.
Every step gets the checks of `Journey.check` (screenshot, axe-core, CSP, no overflow)."""

import datetime
import time

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, Contact, Task
from tests.e2e.conftest import SHOTS
from tests.helpers import open_case
from visits import services as visit_services
from visits.models import Visit

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def day(house):
    leyla = house["users"]["leyla"]
    case = open_case(
        leyla, house["team"], first_name="Amal", last_name="Haddad", opened_on=TODAY - 30 * DAY
    )
    visit_services.visit_record(
        actor=leyla,
        case=case,
        kind="first",
        date=TODAY - 14 * DAY,
        duration_minutes=60,
        place="accommodation",
        topics=["housing"],
    )
    case_services.case_set_next_visit_due(actor=leyla, case=case, next_visit_due=TODAY)
    case_services.deadline_add(actor=leyla, case=case, title="Klagefrist", due_on=TODAY + 10 * DAY)
    task = case_services.task_create(
        actor=leyla, case=case, title="Jobcenter zurückrufen", due_on=TODAY
    )
    return {**house, "case": case, "task": task}


@pytest.mark.parametrize("journey", [360], indirect=True, ids=["phone"])
def test_the_caseworkers_day_on_a_phone(journey, day):
    page = journey.page
    case = day["case"]
    journey.sign_in("leyla")

    # From "my week" to a saved follow-up visit: count the taps and the seconds.
    started = time.perf_counter()
    journey.go("/visits/week/")
    taps = 0
    visit_form = f"/cases/{case.code}/visits/new/"
    link = page.locator(f'main a[href="{visit_form}"]').first
    assert link.is_visible()
    link.click()
    taps += 1
    page.wait_for_url(f"**{visit_form}")
    submit = page.locator("main button[type=submit]").first
    with page.expect_navigation():
        submit.click()
    taps += 1
    seconds = time.perf_counter() - started
    visits = Visit.objects.filter(case=case, kind="follow_up")
    assert visits.count() == 1, page.content()[:3000]
    visit = visits.get()
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "phone-day.txt").write_text(
        f"my week -> saved follow-up visit: {taps} taps, {seconds:.1f} s "
        "(headless Chromium on the test server; without typing)\n"
    )
    print(f"\nmy week -> saved follow-up visit: {taps} taps, {seconds:.1f} s")
    journey.check("besuch-gespeichert")

    # Back to the filled-in form and "save" again: nothing is saved twice.
    page.go_back()
    page.wait_for_url(f"**{visit_form}")
    journey.check("zurueck-zum-formular")
    journey.submit()
    assert Visit.objects.filter(case=case, kind="follow_up").count() == 1
    assert page.locator(f'main a[href="/cases/{case.code}/visits/{visit.code}/"]').count() >= 1
    journey.check("schon-gespeichert")

    # The visit did not take place: cancelled with a reason, not deleted.
    journey.go(f"/cases/{case.code}/visits/{visit.code}/cancel/")
    journey.check("besuch-absagen")
    page.check('[name="reason"][value="did_not_take_place"]')
    journey.submit()
    visit.refresh_from_db()
    assert visit.cancelled_at is not None and visit.cancel_reason == "did_not_take_place"

    # A phone call, logged from the sticky action bar of the case file.
    journey.go(f"/cases/{case.code}/")
    bar = page.locator("nav.action-bar")
    box = bar.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 900  # on screen without scrolling
    assert "Haddad" in page.locator("main h1").inner_text()  # the family, not only a number
    journey.check("fallakte-aktionsleiste")
    bar.locator(f'a[href="/cases/{case.code}/contacts/new/"]').click()
    page.wait_for_url(f"**/cases/{case.code}/contacts/new/")
    journey.check("kontakt-erfassen")
    page.check('[name="kind"][value="phone"]')
    page.fill('[name="duration_minutes"]', "10")
    page.check('[name="topics"][value="benefits"]')
    journey.submit()
    assert Contact.objects.filter(case=case, kind="phone", duration_minutes=10).exists()

    # The task from my week, through its confirmation, back to the week.
    journey.go("/visits/week/")
    journey.check("woche-mit-aufgabe")
    task = day["task"]
    page.locator(f'main a[href="/cases/{case.code}/tasks/{task.code}/done/?next=week"]').click()
    journey.check("aufgabe-erledigt-bestaetigen")
    journey.submit()
    assert page.url.endswith("/visits/week/")
    task.refresh_from_db()
    assert task.done_on == TODAY
    Task.objects.get(pk=task.pk)

    # The supervisor closes the case: the running Klagefrist must be acknowledged.
    journey.sign_in("sabine")
    journey.go(f"/cases/{case.code}/close/")
    journey.check("abschliessen-offene-punkte")
    page.select_option('[name="reason"]', "moved_away")
    page.fill('[name="closed_on"]', TODAY.isoformat())
    journey.submit()
    assert Case.objects.get(pk=case.pk).closed_on is None  # not without the acknowledgement
    journey.check("abschliessen-fehlt-bestaetigung")
    for box in page.locator('main input[type=checkbox][name^="ack_"]').all():
        box.check()
    journey.submit()
    # The running Klagefrist is no box to tick: it needs a reason in words (issue 36).
    assert Case.objects.get(pk=case.pk).closed_on is None
    page.fill('[name="deadline_reason"]', "Die Anwältin hat das Mandat und überwacht die Frist.")
    journey.submit()
    assert Case.objects.get(pk=case.pk).closed_on == TODAY
