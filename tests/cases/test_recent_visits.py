"""Issue 36, item 12: the last visits stand near the top of the case file (above the
household), with a link to the whole timeline; before, they were only in the timeline at the
bottom, some 4,500 px down at a desk."""

import datetime

from tests.helpers import TODAY, open_case
from visits import services as visit_services
from visits.models import Visit

DAY = datetime.timedelta(days=1)


def _visit(actor, case, days_ago, kind="follow_up"):
    return visit_services.visit_record(
        actor=actor,
        case=case,
        kind=kind,
        date=TODAY - days_ago * DAY,
        duration_minutes=45,
        place="office",
    )


def test_the_last_three_visits_stand_above_the_household(client, alice, team_a):
    alice_case = open_case(alice, team_a, opened_on=TODAY - 60 * DAY)
    _visit(alice, alice_case, 40, kind="first")
    for days_ago in (30, 20, 10):
        _visit(alice, alice_case, days_ago)
    client.force_login(alice)
    page = client.get(f"/cases/{alice_case.code}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    top = page[page.index('id="recent-visits-heading"') : page.index('id="household-heading"')]
    assert ">Besuche</h2>" in top
    assert 'href="#timeline-heading"' in top and "Alle Einträge in der Chronik" in top
    visits = sorted(Visit.objects.filter(case=alice_case), key=lambda v: v.date)
    shown = [v for v in visits if f"/visits/{v.code}/" in top]
    assert shown == visits[-3:]  # the three newest, not the first visit 40 days ago
    newest = visits[-3:]
    for visit in newest:
        assert f"/cases/{alice_case.code}/visits/{visit.code}/" in top


def test_a_case_without_visits_says_so(client, alice, alice_case):
    client.force_login(alice)
    page = client.get(f"/cases/{alice_case.code}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    top = page[page.index('id="recent-visits-heading"') : page.index('id="household-heading"')]
    assert "Noch kein Besuch erfasst." in top
