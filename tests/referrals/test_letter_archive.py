"""The office's letter archive: printed and sent letters of its teams, filterable, paginated;
reprint hands out the archived bytes; "select all" on the print queue."""

import datetime

from caseworks.models import AccessLog
from referrals import services
from referrals.models import Letter
from referrals.views import ARCHIVE_PAGE_SIZE
from tests.helpers import TODAY, open_case
from tests.referrals.conftest import DAY, consent, refer


def _printed(alice, case, mbe):
    consent(alice, case, mbe)
    referral = services.referral_transition(
        actor=alice, referral=refer(alice, case, mbe), to="ready"
    )
    return services.letter_issue(actor=alice, referral=referral)


def test_it_lists_printed_letters_of_the_office_teams(client, alice, office_user, ready_referral):
    letter = services.letter_issue(actor=alice, referral=ready_referral)
    client.force_login(office_user)
    response = client.get("/referrals/print-queue/archive/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ahmad" in html and "Migrationsberatung MBE" in html
    assert f"/referrals/{ready_referral.code}/letter.pdf" in html
    assert "Quarzsand" not in html and "Sehr geehrte" not in html  # letter fields only
    assert letter.sha256 not in html


def test_it_reprints_the_archived_bytes_and_logs_it(client, alice, office_user, ready_referral):
    letter = services.letter_issue(actor=alice, referral=ready_referral)
    client.force_login(office_user)
    response = client.get(f"/referrals/{ready_referral.code}/letter.pdf")
    assert response.content == Letter.objects.get(pk=letter.pk).pdf
    assert AccessLog.objects.filter(action="letter.downloaded", user=office_user).exists()


def test_it_filters_by_state_and_date(client, alice, office_user, team_a, mbe, ready_referral):
    services.letter_issue(actor=alice, referral=ready_referral)
    other = _printed(alice, open_case(alice, team_a, first_name="Nour", last_name="Haddad"), mbe)
    services.referral_transition(actor=alice, referral=other.referral, to="sent")
    client.force_login(office_user)
    sent = client.get("/referrals/print-queue/archive/?status=sent").content.decode()
    assert "Nour" in sent and "Ahmad" not in sent
    ready = client.get("/referrals/print-queue/archive/?status=ready").content.decode()
    assert "Ahmad" in ready and "Nour" not in ready
    Letter.objects.filter(pk=other.pk).update(
        printed_at=other.printed_at - datetime.timedelta(days=10)
    )
    since = (TODAY - 2 * DAY).isoformat()
    recent = client.get(f"/referrals/print-queue/archive/?printed_from={since}").content.decode()
    assert "Ahmad" in recent and "Nour" not in recent
    until = client.get(f"/referrals/print-queue/archive/?printed_until={since}").content.decode()
    assert "Nour" in until and "Ahmad" not in until
    bad = client.get("/referrals/print-queue/archive/?printed_from=gestern&status=x")
    assert bad.status_code == 200


def test_it_paginates(client, alice, office_user, ready_referral, monkeypatch):
    monkeypatch.setattr("referrals.views.ARCHIVE_PAGE_SIZE", 1)
    services.letter_issue(actor=alice, referral=ready_referral)
    client.force_login(office_user)
    html = client.get("/referrals/print-queue/archive/?page=1").content.decode()
    assert "Ahmad" in html and ARCHIVE_PAGE_SIZE == 50


def test_it_checks_ownership(client, alice, charlie, charlie_case, olga, office_user, mbe):
    """The office of team A sees nothing of team B; other roles get 404."""
    letter = _printed(charlie, charlie_case, mbe)
    client.force_login(office_user)
    html = client.get("/referrals/print-queue/archive/").content.decode()
    assert "Yonas" not in html
    assert client.get(f"/referrals/{letter.referral.code}/letter.pdf").status_code == 404
    client.force_login(alice)
    assert client.get("/referrals/print-queue/archive/").status_code == 404
    assert client.post("/referrals/print-queue/archive/").status_code in (404, 405)


def test_select_all_ticks_every_letter_of_the_queue(client, office_user, ready_referral):
    client.force_login(office_user)
    plain = client.get("/referrals/print-queue/").content.decode()
    assert "checked" not in plain and "?select=all" in plain
    ticked = client.get("/referrals/print-queue/?select=all").content.decode()
    assert ticked.count(" checked") == 1
