import datetime

from cases import services as case_services
from tests.conftest import open_case
from tests.visits.conftest import TODAY, in_hours, plan, record

DAY = datetime.timedelta(days=1)


def test_it_lists_the_week_across_my_cases(
    client, alice, team_a, charlie_case, authority, opened_case, first_visit
):
    soon = plan(alice, opened_case, when=in_hours(24 * 3), service=authority)
    plan(alice, opened_case, when=in_hours(24 * 10), service=authority)  # next week: not shown
    late = plan(alice, opened_case, when=in_hours(-26), service=authority)
    case_services.case_set_next_visit_due(actor=alice, case=opened_case, next_visit_due=TODAY - DAY)
    pending = open_case(alice, team_a)  # no first visit yet
    client.force_login(alice)
    context = client.get("/visits/week/").context
    assert [a.pk for a in context["accompaniments"]] == [soon.pk]
    assert [a.pk for a in context["overdue_accompaniments"]] == [late.pk]
    due = {c.pk: c for c in context["visits_due"]}
    assert set(due) == {opened_case.pk, pending.pk}
    assert due[pending.pk].has_first_visit is False
    html = client.get("/visits/week/").content.decode()
    assert "(overdue)" in html and "first visit pending" in html
    assert charlie_case.reference not in html


def test_a_due_date_later_than_a_week_is_not_listed(client, alice, opened_case, first_visit):
    case_services.case_set_next_visit_due(
        actor=alice, case=opened_case, next_visit_due=TODAY + 8 * DAY
    )
    client.force_login(alice)
    assert client.get("/visits/week/").context["visits_due"] == []


def test_the_overdue_computation(alice, team_a):
    case = open_case(alice, team_a)
    assert case.next_visit_overdue is False
    case.next_visit_due = TODAY
    assert case.next_visit_overdue is False
    case.next_visit_due = TODAY - DAY
    assert case.next_visit_overdue is True


def test_volunteers_office_and_admin_have_no_week(client, vera, olga, adam):
    for user in (vera, olga, adam):
        client.force_login(user)
        assert client.get("/visits/week/").status_code == 404


def test_accompaniments_i_go_along_to_are_in_my_week(client, alice, bob, opened_case, authority):
    mine = plan(alice, opened_case, when=in_hours(30), service=authority, accompanied_by=bob)
    client.force_login(bob)  # bob does not hold the case, but goes along
    assert [a.pk for a in client.get("/visits/week/").context["accompaniments"]] == [mine.pk]


def test_a_recorded_visit_moves_the_due_date(client, alice, opened_case, first_visit):
    record(alice, opened_case, next_visit_due=TODAY + 20 * DAY)
    client.force_login(alice)
    assert client.get("/visits/week/").context["visits_due"] == []
