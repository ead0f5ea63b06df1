import pytest

from caseworks.models import AccessLog
from referrals import services
from referrals.letters import covering_consent, render_letter
from referrals.models import Letter, Referral
from tests.referrals.conftest import pages, pdf_text


def test_the_print_queue_shows_only_letter_fields(client, office_user, ready_referral, alice_case):
    client.force_login(office_user)
    response = client.get("/referrals/print-queue/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ahmad" in html and "Karimi" in html and "Am Bahnhof 3" in html
    assert "Migrationsberatung MBE" in html
    assert "Quarzsand" not in html  # the reason
    assert "Sehr geehrte" not in html  # nor the letter text


def test_office_gets_404_on_case_files_and_referral_pages(
    client, office_user, ready_referral, alice_case
):
    client.force_login(office_user)
    for url in [
        f"/cases/{alice_case.code}/",
        f"/cases/{alice_case.code}/history/",
        f"/cases/{alice_case.code}/referrals/{ready_referral.code}/",
        f"/cases/{alice_case.code}/referrals/{ready_referral.code}/preview.pdf",
        "/cases/",
        "/referrals/",
    ]:
        assert client.get(url).status_code == 404, url


def test_office_prints_a_batch_as_one_pdf_and_marks_sent(
    client, alice, office_user, team_a, mbe, ready_referral
):
    from tests.helpers import open_case
    from tests.referrals.conftest import consent, refer

    second_case = open_case(alice, team_a, first_name="Nour", last_name="Haddad")
    consent(alice, second_case, mbe)
    second = services.referral_transition(
        actor=alice, referral=refer(alice, second_case, mbe), to="ready"
    )
    client.force_login(office_user)
    codes = [str(ready_referral.code), str(second.code)]
    response = client.post("/referrals/print-queue/", {"referral": codes, "action": "print"})
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Ahmad Karimi" in text and "Nour Haddad" in text
    assert pages(response.content) == 2
    assert AccessLog.objects.filter(action="letter.printed").count() == 2
    response = client.post("/referrals/print-queue/", {"referral": codes, "action": "sent"})
    assert response.status_code == 302
    assert set(Referral.objects.values_list("status", flat=True)) == {"sent"}
    assert Referral.objects.get(pk=second.pk).history.first().history_user == office_user


def test_office_can_fetch_the_archived_letter_but_not_other_teams(
    client, office_user, ready_referral, charlie, charlie_case, mbe
):
    services.letter_issue(actor=office_user, referral=ready_referral)
    client.force_login(office_user)
    assert client.get(f"/referrals/{ready_referral.code}/letter.pdf").status_code == 200
    from tests.referrals.conftest import consent, refer

    consent(charlie, charlie_case, mbe)
    other = services.referral_transition(
        actor=charlie, referral=refer(charlie, charlie_case, mbe), to="ready"
    )
    services.letter_issue(actor=charlie, referral=other)
    assert client.get(f"/referrals/{other.code}/letter.pdf").status_code == 404
    html = client.get("/referrals/print-queue/").content.decode()
    assert "Yonas" not in html


def test_a_colleague_of_another_team_gets_404_on_letters(client, charlie, alice, ready_referral):
    services.letter_issue(actor=alice, referral=ready_referral)
    client.force_login(charlie)
    assert client.get(f"/referrals/{ready_referral.code}/letter.pdf").status_code == 404


def test_a_volunteer_has_no_print_queue(client, vera):
    client.force_login(vera)
    assert client.get("/referrals/print-queue/").status_code == 404


@pytest.mark.parametrize("fails_at", ["render", "merge"])
def test_a_batch_that_breaks_half_way_leaves_nothing_printed(
    client, monkeypatch, alice, office_user, team_a, mbe, ready_referral, fails_at
):
    """All or nothing: a failure while rendering the batch or while archiving its second letter
    leaves no letter archived, nothing logged as printed or downloaded, and the queue as it
    was (a kill -9 is the same rolled-back transaction)."""
    import referrals.services
    from tests.helpers import open_case
    from tests.referrals.conftest import consent, refer

    second_case = open_case(alice, team_a, first_name="Nour", last_name="Haddad")
    consent(alice, second_case, mbe)
    second = services.referral_transition(
        actor=alice, referral=refer(alice, second_case, mbe), to="ready"
    )
    real_batch = referrals.services.render_letters_batch
    real_issue = referrals.services.letter_issue
    rendered, issued = [], []

    def render_then_break(pairs):
        rendered.extend(referral.pk for referral, _consent in pairs)
        if fails_at == "render":
            raise RuntimeError("printer driver crashed")
        return real_batch(pairs)

    def issue_breaks(**kwargs):
        # The first letter is archived inside the transaction, then the second one fails.
        issued.append(kwargs["referral"].pk)
        if len(issued) == 2:
            raise RuntimeError("out of memory")
        return real_issue(**kwargs)

    monkeypatch.setattr(referrals.services, "render_letters_batch", render_then_break)
    if fails_at == "merge":
        monkeypatch.setattr(referrals.services, "letter_issue", issue_breaks)
    client.raise_request_exception = False
    client.force_login(office_user)
    codes = [str(ready_referral.code), str(second.code)]
    response = client.post("/referrals/print-queue/", {"referral": codes, "action": "print"})
    assert response.status_code == 500
    assert len(rendered) == 2  # both letters were rendered (in one batch) before the failure
    assert not Letter.objects.exists()
    assert not AccessLog.objects.filter(action__startswith="letter.").exists()
    queue = client.get("/referrals/print-queue/")
    assert queue.context["printed_codes"] == set()


def test_a_batch_renders_its_letters_before_it_takes_any_lock(
    client, monkeypatch, office_user, ready_referral
):
    """Rendering takes ~0.1 s a letter; inside the transaction it would hold SQLite's one
    write lock (every other request waits). The letters are rendered outside it."""
    from django.db import connection

    import referrals.services

    real_batch = referrals.services.render_letters_batch
    depth_when_rendering = []
    baseline = len(connection.savepoint_ids)  # the test's own transaction

    def render(pairs):
        depth_when_rendering.append(len(connection.savepoint_ids) - baseline)
        return real_batch(pairs)

    monkeypatch.setattr(referrals.services, "render_letters_batch", render)
    letters, pdf, refused = services.letters_issue_batch(
        actor=office_user, referrals=[ready_referral]
    )
    assert depth_when_rendering == [0]
    assert len(letters) == 1 and pdf.startswith(b"%PDF") and not refused


def test_a_batch_archives_each_letter_as_rendered_alone(
    office_user, alice, team_a, mbe, ready_referral
):
    """The batch renders all letters in one go; each archived letter has its own pages, the
    same text as the letter rendered alone, and the batch is those letters in order."""
    from tests.helpers import open_case
    from tests.referrals.conftest import consent, pages, pdf_text, refer

    second_case = open_case(alice, team_a, first_name="Nour", last_name="Haddad")
    consent(alice, second_case, mbe)
    second = services.referral_transition(
        actor=alice, referral=refer(alice, second_case, mbe), to="ready"
    )
    alone = [pdf_text(render_letter(r, covering_consent(r))) for r in (ready_referral, second)]
    letters, pdf, refused = services.letters_issue_batch(
        actor=office_user, referrals=[ready_referral, second]
    )
    assert not refused and [lt.referral for lt in letters] == [ready_referral, second]
    assert [pdf_text(lt.pdf) for lt in letters] == alone
    assert all(services.letter_verify(lt) for lt in letters)
    assert pages(pdf) == sum(pages(lt.pdf) for lt in letters)
    assert pdf_text(pdf) == "\n".join(alone)


def test_printing_a_batch_costs_the_same_queries_for_3_or_6_letters(
    client, office_user, alice, team_a, mbe
):
    """The queue lists referrals with only the fields it shows; printing loads what the
    letters need in a fixed number of queries, not a few per letter."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.helpers import open_case
    from tests.referrals.conftest import consent, refer

    def ready(n):
        codes = []
        for i in range(n):
            case = open_case(alice, team_a, first_name=f"Person{i}", last_name="Batch")
            consent(alice, case, mbe)
            referral = refer(alice, case, mbe)
            services.referral_transition(actor=alice, referral=referral, to="ready")
            codes.append(str(referral.code))
        return codes

    client.force_login(office_user)
    counts = []
    for n in (3, 6):
        Letter.objects.all().delete()
        Referral.objects.all().delete()
        codes = ready(n)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                "/referrals/print-queue/", {"referral": codes, "action": "print"}
            )
        assert response["Content-Type"] == "application/pdf"
        assert Letter.objects.count() == n
        counts.append(len(queries))
    per_letter = (counts[1] - counts[0]) / 3
    # Each letter: its row lock, the check for a letter and the consent under the lock (3),
    # validation (4), its savepoint (2), the letter and its history (2), two access-log
    # entries. Loading the referral's fields one by one was 29.
    assert per_letter <= 15, counts
