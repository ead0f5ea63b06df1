import datetime

from django.utils import timezone

from cases import services as case_services
from cases.models import StatusKind
from tests.helpers import open_case
from tests.visits.conftest import TODAY, in_hours, plan, record

DAY = datetime.timedelta(days=1)
MONDAY = TODAY - TODAY.weekday() * DAY


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def week_of(client, day=None):
    url = "/visits/week/" + (f"?week={day}" if day else "")
    return client.get(url)


def test_it_shows_monday_to_sunday_with_today_marked(client, alice):
    client.force_login(alice)
    context = week_of(client).context
    days = [d.day for d in context["days"]]
    assert days == [MONDAY + i * DAY for i in range(7)]
    assert days[0].weekday() == 0
    assert [d.day for d in context["days"] if d.is_today] == [TODAY]
    html = week_of(client).content.decode()
    assert (
        f"?week={MONDAY - 7 * DAY:%Y-%m-%d}" in html
        and f"?week={MONDAY + 7 * DAY:%Y-%m-%d}" in html
    )
    assert 'aria-current="date"' in html


def test_another_week_is_chosen_by_any_of_its_days(client, alice):
    client.force_login(alice)
    context = week_of(client, MONDAY + 10 * DAY).context
    assert context["start"] == MONDAY + 7 * DAY
    assert not any(d.is_today for d in context["days"])
    for nonsense in ("x", "0001-01-01", "2026-02-30", "9999-12-31"):
        assert week_of(client, nonsense).context["start"] == MONDAY


def test_it_lists_the_week_across_my_cases(
    client, alice, team_a, charlie_case, authority, opened_case, first_visit
):
    sunday = MONDAY + 6 * DAY
    on_sunday = plan(alice, opened_case, when=at(sunday, 9), service=authority)
    plan(alice, opened_case, when=at(sunday + DAY), service=authority)  # next week
    late = plan(alice, opened_case, when=at(MONDAY - 2 * DAY), service=authority)
    case_services.case_set_next_visit_due(actor=alice, case=opened_case, next_visit_due=TODAY)
    pending = open_case(alice, team_a)  # no first visit yet: due today
    client.force_login(alice)
    context = week_of(client).context
    assert [e.obj.pk for e in context["days"][6].entries if e.kind == "accompaniment"] == [
        on_sunday.pk
    ]
    assert [(e.kind, e.obj.pk) for e in context["overdue"]] == [("accompaniment", late.pk)]
    today = next(d for d in context["days"] if d.is_today)
    due = {e.obj.pk: e for e in today.entries if e.kind == "visit_due"}
    assert set(due) == {opened_case.pk, pending.pk}
    assert due[pending.pk].action_label == "Record first visit"
    assert due[opened_case.pk].action_url == f"/cases/{opened_case.code}/visits/new/"
    html = week_of(client).content.decode()
    assert f'href="/cases/{opened_case.code}/visits/new/"' in html
    # The accompaniment whose time has passed asks for its outcome.
    assert f"/cases/{opened_case.code}/accompaniments/{late.code}/outcome/" in html
    assert charlie_case.reference not in html


def test_a_deadline_links_to_the_deadlines_page(client, alice, opened_case):
    case_services.deadline_add(actor=alice, case=opened_case, title="Klage", due_on=MONDAY + DAY)
    client.force_login(alice)
    context = week_of(client).context
    (entry,) = [e for e in context["days"][1].entries if e.kind == "deadline"]
    assert entry.action_url == f"/cases/{opened_case.code}/deadlines/"
    assert [d.title for d in context["deadlines"]] == ["Klage"]


def test_a_border_crossing_certificate_expiring_in_the_week_is_listed(client, alice, team_a):
    """It was missing: the week never asked for documents (the digest and the case file did)."""
    case = open_case(
        alice,
        team_a,
        kind=StatusKind.BORDER_CROSSING_CERTIFICATE,
        valid_until=TODAY + DAY,
        opened_on=TODAY - 30 * DAY,
    )
    client.force_login(alice)
    context = week_of(client, TODAY + DAY).context
    day = next(d for d in context["days"] if d.day == TODAY + DAY)
    (entry,) = [e for e in day.entries if e.kind == "document"]
    assert entry.case == case and "Border crossing certificate" in entry.title
    person = case.clients.get()
    assert entry.action_url == f"/cases/{case.code}/clients/{person.code}/status/new/"
    assert "Document expires" in week_of(client, TODAY + DAY).content.decode()


def test_documents_expired_long_ago_are_counted_not_listed(client, alice, team_a):
    """A large caseload has many documents expired months ago: they would bury the week
    (141 of 173 overdue entries for the busiest caseworker of the city data set). The week
    lists those of the expiry window and counts the older ones, with a link to the
    caseload's expiry filter, which lists them."""
    from cases import services as case_services

    old = open_case(alice, team_a, last_name="Altablauf")
    recent = open_case(alice, team_a, last_name="Kurzabgelaufen")
    # Counted from this week's Monday: "3 days ago" counted from today would fall into this
    # week from Thursday on, and be listed on its day instead of as overdue.
    for case, days in ((old, 200), (recent, 3)):
        case_services.client_reference_save(
            actor=alice,
            client=case.clients.get(),
            data={"kind": "passport", "number": "P7", "valid_until": MONDAY - days * DAY},
        )
    client.force_login(alice)
    response = week_of(client, TODAY)
    listed = {e.case for e in response.context["overdue"] if e.kind == "document"}
    assert recent in listed and old not in listed
    assert response.context["older_documents"] == 1
    page = response.content.decode()
    assert 'href="/cases/?expiring=on"' in page
    caseload = client.get("/cases/?expiring=on").content.decode()
    assert old.reference in caseload


def test_a_replaced_document_is_not_listed(client, alice, team_a):
    case = open_case(alice, team_a, valid_until=MONDAY + 2 * DAY, opened_on=TODAY - 30 * DAY)
    case_services.residence_status_add(
        actor=alice,
        client=case.clients.get(),
        data={
            "kind": StatusKind.PERMISSION_TO_RESIDE,
            "valid_from": TODAY - DAY,
            "valid_until": TODAY + 200 * DAY,
        },
    )
    client.force_login(alice)
    assert week_of(client).context["documents"] == []


def test_cancelled_accompaniments_are_not_in_the_week(client, alice, opened_case, authority):
    from visits import services

    gone = plan(alice, opened_case, when=at(MONDAY + 3 * DAY), service=authority)
    services.accompaniment_cancel(actor=alice, accompaniment=gone, reason="mistake")
    client.force_login(alice)
    assert week_of(client).context["accompaniments"] == []


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
    day = timezone.localtime(mine.appointment_at).date()
    assert [a.pk for a in week_of(client, day).context["accompaniments"]] == [mine.pk]


def test_a_recorded_visit_moves_the_due_date(client, alice, opened_case, first_visit):
    record(alice, opened_case, next_visit_due=TODAY + 20 * DAY)
    client.force_login(alice)
    assert client.get("/visits/week/").context["visits_due"] == []
