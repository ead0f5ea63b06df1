"""Cover access is an insider's way into a colleague's file: the team's supervisors see each
one at once (dashboard, next digest), and past CASEWORKS_COVER_ACCESSES_PER_DAY a day a
supervisor approves before the file opens."""

import datetime

from django.core import mail

from cases.models import CoverAccess
from caseworks.models import AccessLog
from tests.helpers import TODAY, open_case
from visits.reminders import digest_lines

REASON = {"reason": "Frau Arendt ist krank, Termin morgen"}


def _cases(alice, team_a, n):
    return [open_case(alice, team_a, first_name=f"Person{i}") for i in range(n)]


def test_past_the_daily_limit_a_supervisor_approves_first(
    client, settings, alice, bob, sam, team_a
):
    settings.CASEWORKS_COVER_ACCESSES_PER_DAY = 2
    cases = _cases(alice, team_a, 3)
    client.force_login(bob)
    for case in cases[:2]:
        response = client.post(f"/cases/{case.code}/cover/", REASON)
        assert response["Location"] == f"/cases/{case.code}/"
        assert client.get(f"/cases/{case.code}/").status_code == 200
    third = cases[2]
    response = client.post(f"/cases/{third.code}/cover/", REASON, follow=True)
    assert "once a supervisor of the team approves" in response.content.decode()
    assert client.get(f"/cases/{third.code}/").status_code == 302  # back to the cover page
    waiting = CoverAccess.objects.get(case=third)
    assert waiting.awaiting_approval
    assert AccessLog.objects.filter(action="case.cover_requested").count() == 1

    client.force_login(sam)
    dashboard = client.get("/supervision/").content.decode()
    assert f"/supervision/cover/{waiting.code}/approve/" in dashboard
    # Addressed by its code: the sequential id is no address at all.
    assert client.post(f"/supervision/cover/{waiting.pk}/approve/").status_code == 404
    waiting.refresh_from_db()
    assert waiting.awaiting_approval
    assert client.post(f"/supervision/cover/{waiting.code}/approve/").status_code == 302
    waiting.refresh_from_db()
    assert not waiting.awaiting_approval and waiting.approved_by == sam
    client.force_login(bob)
    assert client.get(f"/cases/{third.code}/").status_code == 200


def test_only_a_supervisor_of_the_team_approves(client, settings, alice, bob, sue, team_a):
    settings.CASEWORKS_COVER_ACCESSES_PER_DAY = 0
    case = open_case(alice, team_a)
    client.force_login(bob)
    client.post(f"/cases/{case.code}/cover/", REASON)
    waiting = CoverAccess.objects.get()
    client.force_login(sue)  # supervises team B
    assert client.post(f"/supervision/cover/{waiting.code}/approve/").status_code == 404
    client.force_login(bob)
    assert client.post(f"/supervision/cover/{waiting.code}/approve/").status_code == 404
    waiting.refresh_from_db()
    assert waiting.awaiting_approval


def test_the_supervisors_digest_names_each_cover_access(client, settings, alice, bob, sam, team_a):
    settings.CASEWORKS_COVER_ACCESSES_PER_DAY = 1
    first, second = _cases(alice, team_a, 2)
    client.force_login(bob)
    client.post(f"/cases/{first.code}/cover/", REASON)
    client.post(f"/cases/{second.code}/cover/", REASON)
    lines = digest_lines(sam, TODAY)
    assert f"Cover access: {first.reference} opened by bob" in lines
    assert f"Cover access waiting for your approval: {second.reference} by bob" in lines
    assert not any("krank" in line for line in lines)  # the reason stays in the app
    assert not any("Cover" in line for line in digest_lines(sam, TODAY + datetime.timedelta(3)))
    assert not mail.outbox
