"""Issue 36, item 4: the data protection officer sees retention per carrier — what is due, what
ran, what did not finish — runs a dry run (deletes nothing) and, after a confirmation, a run
for real, both under their name; another carrier's DPO and anyone else get 404."""

import pytest
from django.test import Client as Browser

from cases.models import Case
from caseworks.models import AccessLog, RetentionRun
from tests.cases.test_retention_batches import closed_case
from tests.helpers import make_user


def as_user(user) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="de")
    browser.force_login(user)
    return browser


@pytest.fixture
def dirk(team_b):
    user = make_user("dirk")
    team_b.organisation.data_protection_officers.add(user)
    return user


def test_the_dpo_sees_what_is_due_runs_a_dry_run_then_deletes_after_confirming(
    alice, sam, charlie, sue, team_a, team_b, dora
):
    old = [closed_case(alice, sam, team_a, f"Alt{i}") for i in range(2)]
    young = closed_case(alice, sam, team_a, "Jung", years_ago=1)
    other = closed_case(charlie, sue, team_b, "Andere")
    report = f"/audit/retention/{team_a.organisation.code}/"
    browser = as_user(dora)

    page = browser.get(report).content.decode()
    assert "2 Fälle, abgeschlossen vor dem" in page
    assert old[0].reference in page and young.reference not in page
    assert other.reference not in page  # another carrier's case: not even its reference

    response = browser.post(f"{report}dry-run/", follow=True)
    assert "Probelauf abgeschlossen: 2 Fälle würden gelöscht" in response.content.decode()
    assert Case.objects.count() == 4  # nothing deleted
    dry = RetentionRun.objects.get(dry_run=True)
    assert set(dry.cutoffs) == {str(team_a.organisation_id)}  # nothing about team B's carrier
    page = browser.get(report).content.decode()
    assert "Probelauf" in page and "dora" in page  # who started it

    confirm = browser.get(f"{report}run/")
    assert confirm.status_code == 200
    assert "Endgültig löschen" in confirm.content.decode()
    # Without the confirmation nothing happens.
    refused = browser.post(f"{report}run/", {"due": 2})
    assert refused.status_code == 200 and Case.objects.count() == 4
    # Confirmed, but more became due since the page was shown: nothing happens either.
    stale = browser.post(f"{report}run/", {"due": 1, "confirm": "on"}, follow=True)
    assert "haben sich geändert" in stale.content.decode() and Case.objects.count() == 4

    done = browser.post(f"{report}run/", {"due": 2, "confirm": "on"}, follow=True)
    assert "Löschlauf abgeschlossen: 2 Fälle gelöscht" in done.content.decode()
    assert set(Case.objects.all()) == {young, other}
    entry = AccessLog.objects.get(action="retention.run")
    assert (entry.username, entry.organisation_id) == ("dora", team_a.organisation_id)
    run = RetentionRun.objects.get(dry_run=False)
    assert entry.detail == {"run": run.pk, "cases": 2}
    # A second tap finds nothing due and deletes nothing.
    again = browser.post(f"{report}run/", {"due": 2, "confirm": "on"}, follow=True)
    assert "kein Fall mehr fällig" in again.content.decode()
    assert RetentionRun.objects.filter(dry_run=False).count() == 1


def test_a_run_that_did_not_finish_is_shown_as_failed(dora, team_a):
    run = RetentionRun.objects.create(
        dry_run=False,
        status=RetentionRun.Status.INTERRUPTED,
        cutoffs={str(team_a.organisation_id): "2023-01-01"},
    )
    page = as_user(dora).get(f"/audit/retention/{team_a.organisation.code}/").content.decode()
    assert "Nicht beendete Läufe" in page
    assert run.get_status_display() in page


def test_another_carriers_dpo_and_staff_get_404(alice, sam, team_a, dirk, dora):
    closed_case(alice, sam, team_a, "Alt")
    code = team_a.organisation.code
    for user in (dirk, alice, sam):
        browser = as_user(user)
        assert browser.get(f"/audit/retention/{code}/").status_code == 404
        assert browser.get(f"/audit/retention/{code}/run/").status_code == 404
        assert browser.post(f"/audit/retention/{code}/dry-run/").status_code == 404
        assert (
            browser.post(f"/audit/retention/{code}/run/", {"due": 1, "confirm": "on"}).status_code
            == 404
        )
    assert Case.objects.count() == 1 and not RetentionRun.objects.exists()
