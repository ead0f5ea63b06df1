import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services as case_services
from referrals import services as referral_services
from tests.helpers import TODAY, make_user, open_case
from visits import services as visit_services
from visits.dashboards import week_bounds

DAY = datetime.timedelta(days=1)
LONG_AGO = TODAY - 200 * DAY


def figures(response, team, name):
    section = next(s for s in response.context["sections"] if s["team"] == team)
    row = next(r for r in section["rows"] if r.name == name)
    return {column.key: count for column, count in row.figures}


def visit(actor, case, days_ago, kind="follow_up"):
    return visit_services.visit_record(
        actor=actor,
        case=case,
        kind=kind,
        date=TODAY - days_ago * DAY,
        duration_minutes=30,
        place="office",
    )


@pytest.fixture
def dashboard(client, sam):
    client.force_login(sam)
    return lambda **params: client.get("/supervision/", params)


def test_it_counts_cases_persons_and_unassigned(dashboard, alice, bob, sam, team_a):
    first = open_case(alice, team_a)
    case_services.client_create(
        actor=alice,
        case=first,
        data={"first_name": "Zahra", "last_name": "Karimi", "relationship": "child"},
    )
    open_case(alice, team_a)
    open_case(bob, team_a)
    open_case(sam, team_a)  # a supervisor's intake stays unassigned
    response = dashboard()
    assert figures(response, team_a, "Alice Arendt")["open_cases"] == 2
    assert figures(response, team_a, "Alice Arendt")["persons"] == 3
    assert figures(response, team_a, "Bob Brandt")["open_cases"] == 1
    assert figures(response, team_a, "not assigned")["open_cases"] == 1


def test_visits_in_the_last_30_days_edges(dashboard, alice, team_a):
    case = open_case(alice, team_a, opened_on=LONG_AGO)
    visit(alice, case, 100, kind="first")
    visit(alice, case, 30)  # 30 days ago: outside "the last 30 days"
    visit(alice, case, 29)  # inside
    visit(alice, case, 0)  # today, inside
    assert figures(dashboard(), team_a, "Alice Arendt")["visits_30"] == 2


def test_overdue_follow_up_edges(dashboard, alice, team_a, settings):
    settings.CASEWORKS_VISIT_INTERVAL_DAYS = 42
    due_yesterday = open_case(alice, team_a, next_visit_due=TODAY - DAY)
    visit(alice, due_yesterday, 0, kind="first")
    due_today = open_case(alice, team_a, next_visit_due=TODAY)
    visit(alice, due_today, 0, kind="first")
    visited_42 = open_case(alice, team_a, opened_on=LONG_AGO)
    visit(alice, visited_42, 42, kind="first")  # exactly the interval: not yet overdue
    visited_43 = open_case(alice, team_a, opened_on=LONG_AGO)
    visit(alice, visited_43, 43, kind="first")
    never_visited = open_case(alice, team_a, opened_on=TODAY - 43 * DAY)
    open_case(alice, team_a, opened_on=TODAY - 10 * DAY)  # new, not visited yet: fine
    response = dashboard()
    assert figures(response, team_a, "Alice Arendt")["overdue"] == 3
    listed = {c.pk for c in dashboard_list(response.wsgi_request, team_a, "overdue")}
    assert listed == {due_yesterday.pk, visited_43.pk, never_visited.pk}


def dashboard_list(request, team, figure, caseworker=None):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(request.user)
    who = caseworker.pk if caseworker else team.members.get(username="alice").pk
    rows = client.get(
        "/supervision/cases/", {"team": team.pk, "caseworker": who, "figure": figure}
    ).context["rows"]
    return [row["item"].case for row in rows]


def test_expiring_documents_edges(dashboard, alice, team_a):
    open_case(alice, team_a, valid_until=TODAY + 30 * DAY)
    open_case(alice, team_a, valid_until=TODAY + 31 * DAY)
    expired = open_case(alice, team_a)
    case_services.residence_status_add(
        actor=alice,
        client=expired.clients.get(),
        data={"kind": "toleration", "valid_from": TODAY - 20 * DAY, "valid_until": TODAY - DAY},
    )
    assert figures(dashboard(), team_a, "Alice Arendt")["expiring"] == 2


def test_referrals_waiting_past_follow_up_edges(dashboard, alice, olga, team_a):
    from caseworks.models import Service

    service = Service.objects.create(name="MBE", kind="counselling", category="mbe")
    for follow_up in (TODAY - DAY, TODAY):
        case = open_case(alice, team_a)
        referral_services.consent_record(
            actor=alice, client=case.clients.get(), services=[service], purpose="x", signed_on=TODAY
        )
        referral = referral_services.referral_create(
            actor=alice,
            case=case,
            data={
                "client": case.clients.get(),
                "service": service,
                "reason": "x",
                "follow_up_on": follow_up,
            },
        )
        referral = referral_services.referral_transition(actor=alice, referral=referral, to="ready")
        referral_services.letter_issue(actor=olga, referral=referral)
        referral_services.referral_transition(actor=alice, referral=referral, to="sent")
    assert figures(dashboard(), team_a, "Alice Arendt")["referrals_waiting"] == 1


def test_planned_accompaniments_this_week(dashboard, alice, team_a):
    case = open_case(alice, team_a)
    start, end = week_bounds(TODAY)
    for when, status in [
        (start + datetime.timedelta(hours=9), "planned"),
        (end - datetime.timedelta(hours=1), "planned"),
        (start + datetime.timedelta(hours=10), "cancelled"),  # not planned
        (end + datetime.timedelta(hours=9), "planned"),  # next week
        (start - datetime.timedelta(hours=3), "planned"),
    ]:  # last week
        accompaniment = visit_services.accompaniment_plan(
            actor=alice,
            case=case,
            data={
                "client": case.clients.get(),
                "destination_kind": "authority",
                "destination_text": "Amt",
                "appointment_at": when,
                "purpose": "x",
            },
        )
        if status == "cancelled":
            visit_services.accompaniment_cancel(
                actor=alice, accompaniment=accompaniment, reason="did_not_take_place"
            )
    assert figures(dashboard(), team_a, "Alice Arendt")["accompaniments_week"] == 2


def test_every_figure_links_to_its_cases(client, sam, alice, team_a):
    case = open_case(alice, team_a, valid_until=TODAY + 5 * DAY)
    open_case(alice, team_a)
    client.force_login(sam)
    html = client.get("/supervision/").content.decode()
    url = f"/supervision/cases/?team={team_a.pk}&amp;caseworker={alice.pk}&amp;figure=expiring"
    assert url in html
    listed = client.get(
        "/supervision/cases/", {"team": team_a.pk, "caseworker": alice.pk, "figure": "expiring"}
    ).context["rows"]
    assert [row["item"].case.pk for row in listed] == [case.pk]
    assert listed[0]["item"].when == TODAY + 5 * DAY  # the document's end, not just the case


def test_sorting_by_a_column(dashboard, alice, bob, team_a):
    open_case(bob, team_a)
    open_case(bob, team_a)
    open_case(alice, team_a)
    section = dashboard(sort="open_cases", dir="desc").context["sections"][0]
    assert [r.name for r in section["rows"]] == ["Bob Brandt", "Alice Arendt", "not assigned"]
    section = dashboard(sort="open_cases", dir="asc").context["sections"][0]
    assert [r.name for r in section["rows"]][0] == "not assigned"


def count_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/supervision/").status_code == 200
    return len(ctx.captured_queries)


def test_constant_queries_for_2_or_50_caseworkers(client, sam, alice, bob, team_a):
    open_case(alice, team_a)
    open_case(bob, team_a)
    client.force_login(sam)
    client.get("/supervision/")  # the session's "last seen" is written once a minute: now
    two = count_queries(client)
    for i in range(48):
        worker = make_user(f"worker{i}", "caseworker", first_name="W", last_name=str(i))
        team_a.members.add(worker)
        if i % 3 == 0:
            open_case(worker, team_a)
    fifty = count_queries(client)
    assert two == fifty
    assert len(client.get("/supervision/").context["sections"][0]["rows"]) == 51


@pytest.mark.parametrize(
    "url",
    [
        "/supervision/",
        "/supervision/statistics/",
        "/supervision/cases/?team={team}&caseworker=none",
        "/supervision/reassign/?team={team}&caseworker=none",
    ],
)
def test_only_supervisors(client, alice, olga, team_a, url):
    for user in (alice, olga):
        client.force_login(user)
        assert client.get(url.format(team=team_a.pk)).status_code == 404


def test_another_teams_supervisor_gets_404(client, sue, alice, team_a):
    open_case(alice, team_a)
    client.force_login(sue)
    for url in (
        f"/supervision/cases/?team={team_a.pk}&caseworker={alice.pk}",
        f"/supervision/reassign/?team={team_a.pk}&caseworker={alice.pk}",
    ):
        assert client.get(url).status_code == 404
    assert team_a not in [s["team"] for s in client.get("/supervision/").context["sections"]]


def test_the_drilldown_refuses_a_caseworker_of_another_team(client, sam, charlie, team_a):
    client.force_login(sam)
    response = client.get("/supervision/cases/", {"team": team_a.pk, "caseworker": charlie.pk})
    assert response.status_code == 404
    assert timezone.now()
