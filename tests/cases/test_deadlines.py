import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.law.deadlines import grounds_deadline, lawsuit_deadline, next_working_day
from cases.models import Deadline
from tests.helpers import TODAY, open_case

D = datetime.date
DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    "decision, served, lawsuit",
    [
        ("rejected", D(2026, 11, 3), D(2026, 11, 17)),  # Tue + 2 weeks = Tue
        ("partly_granted", D(2026, 11, 3), D(2026, 11, 17)),
        ("other", D(2026, 11, 3), D(2026, 11, 17)),
        ("manifestly_unfounded", D(2026, 11, 3), D(2026, 11, 10)),  # 1 week
        ("dublin", D(2026, 11, 3), D(2026, 11, 10)),  # 1 week
    ],
)
def test_lawsuit_deadline_by_decision_type(decision, served, lawsuit):
    assert lawsuit_deadline(decision, served) == lawsuit


def test_a_deadline_ending_on_a_saturday_moves_to_monday():
    # Served on Saturday 14.11.2026: one week later is Saturday 21.11. → Monday 23.11.
    assert lawsuit_deadline("dublin", D(2026, 11, 14)) == D(2026, 11, 23)


def test_a_deadline_ending_on_an_nrw_holiday_moves_to_the_next_working_day():
    # Served Thursday 21.05.2026: two weeks later is Corpus Christi (4.6.), a holiday in NRW
    # (not in Berlin) → Friday 5.6.
    assert lawsuit_deadline("rejected", D(2026, 5, 21)) == D(2026, 6, 5)
    # All Saints' Day (1.11.2027, a Monday, holiday in NRW).
    assert next_working_day(D(2027, 11, 1)) == D(2027, 11, 2)


def test_the_grounds_deadline_is_one_month():
    assert grounds_deadline(D(2026, 11, 3)) == D(2026, 12, 3)
    # 31 January + 1 month: end of February (Sat 28.2.2026) → Monday 2.3.2026.
    assert grounds_deadline(D(2026, 1, 31)) == D(2026, 3, 2)
    # Christmas: 25.11. + 1 month = 25.12. (holiday) → 26.12. (holiday, Saturday) → 28.12.
    assert grounds_deadline(D(2026, 11, 25)) == D(2026, 12, 28)


def test_recording_a_decision_creates_both_deadlines(client, alice, alice_case):
    person = alice_case.clients.get()
    client.force_login(alice)
    response = client.post(
        f"/cases/{alice_case.code}/deadlines/",
        {
            "action": "decision",
            "decision-client": person.pk,
            "decision-decision_type": "manifestly_unfounded",
            "decision-served_on": "2026-11-03",
        },
    )
    assert response.status_code == 302
    deadlines = {d.kind: d.due_on for d in Deadline.objects.all()}
    assert deadlines == {"lawsuit": D(2026, 11, 10), "grounds": D(2026, 12, 3)}
    assert Deadline.objects.first().history.first().history_user == alice


def test_a_decision_served_in_the_future_is_refused(alice, alice_case):
    with pytest.raises(ValidationError, match="served in the future"):
        services.bamf_decision_record(
            actor=alice,
            client=alice_case.clients.get(),
            decision_type="rejected",
            served_on=TODAY + DAY,
        )
    assert not Deadline.objects.exists()


def test_a_manual_deadline_with_an_encrypted_title(client, alice, alice_case):
    from tests.security.test_plaintext_at_rest import all_rows_as_text

    client.force_login(alice)
    client.post(
        f"/cases/{alice_case.code}/deadlines/",
        {
            "action": "manual",
            "deadline-title": "Widerspruch Jobcenter Quittengelee",
            "deadline-due_on": str(TODAY + 10 * DAY),
        },
    )
    assert Deadline.objects.get().title == "Widerspruch Jobcenter Quittengelee"
    assert "Quittengelee" not in all_rows_as_text()


@pytest.mark.parametrize("days_left, escalated", [(4, False), (3, True), (0, True), (-1, True)])
def test_escalation_three_days_before(alice, alice_case, days_left, escalated):
    deadline = services.deadline_add(
        actor=alice, case=alice_case, title="Frist", due_on=TODAY + days_left * DAY
    )
    assert deadline.is_escalated(TODAY) is escalated
    services.deadline_done(actor=alice, deadline=deadline)
    assert Deadline.objects.get(pk=deadline.pk).is_escalated(TODAY) is False


def test_deadlines_show_on_the_case_file_my_week_and_the_dashboard(client, alice, sam, team_a):
    case = open_case(alice, team_a)
    services.deadline_add(actor=alice, case=case, title="Klage einreichen", due_on=TODAY + DAY)
    services.deadline_add(actor=alice, case=case, title="Später", due_on=TODAY + 20 * DAY)
    client.force_login(alice)
    html = client.get(f"/cases/{case.code}/").content.decode()
    assert "Open deadlines" in html and "Klage einreichen" in html
    week = client.get(f"/visits/week/?week={TODAY + DAY}").context["deadlines"]
    assert [d.title for d in week] == ["Klage einreichen"]
    client.force_login(sam)
    section = client.get("/supervision/").context["sections"][0]
    row = next(r for r in section["rows"] if r.name == "Alice Arendt")
    assert dict((c.key, n) for c, n in row.figures)["deadlines_escalated"] == 1


def test_another_team_cannot_see_or_close_deadlines(client, alice, charlie, alice_case):
    deadline = services.deadline_add(actor=alice, case=alice_case, title="x", due_on=TODAY)
    client.force_login(charlie)
    assert client.get(f"/cases/{alice_case.code}/deadlines/").status_code == 404
    url = f"/cases/{alice_case.code}/deadlines/{deadline.code}/done/"
    assert client.post(url).status_code == 404
    assert Deadline.objects.get().done_on is None


def test_open_deadlines_head_the_case_file(client, alice, alice_case):
    services.deadline_add(actor=alice, case=alice_case, title="Klage", due_on=TODAY + DAY)
    client.force_login(alice)
    html = client.get(f"/cases/{alice_case.code}/").content.decode()
    assert html.index("Open deadlines") < html.index("Household")
