"""Every figure on the dashboard and the list behind it come from one definition: for each
figure, the number shown equals the rows (or, for hours, the minutes) its drill-down lists."""

import datetime

import pytest
from django.utils import timezone

from cases import services as case_services
from tests.helpers import TODAY, open_case
from visits import services as visit_services
from visits.dashboards import week_bounds

DAY = datetime.timedelta(days=1)
LONG_AGO = TODAY - 200 * DAY


def visit(actor, case, days_ago, kind="follow_up", minutes=30, **data):
    return visit_services.visit_record(
        actor=actor,
        case=case,
        kind=kind,
        date=TODAY - days_ago * DAY,
        duration_minutes=minutes,
        place="office",
        **data,
    )


def accompany(actor, case, when, **data):
    return visit_services.accompaniment_plan(
        actor=actor,
        case=case,
        data={
            "client": case.clients.get(relationship="main_contact"),
            "destination_kind": "authority",
            "destination_text": "Ausländerbehörde",
            "appointment_at": when,
            "purpose": "Verlängerung",
            "accompanied_by": actor,
            **data,
        },
    )


@pytest.fixture
def busy(alice, bob, sam, team_a, settings):
    """Something behind every figure, for alice, bob and the unassigned row."""
    settings.CASEWORKS_VISIT_INTERVAL_DAYS = 42
    settings.CASEWORKS_FIRST_VISIT_PROMISE_DAYS = 7
    family = open_case(alice, team_a, opened_on=LONG_AGO, valid_until=TODAY + 3 * DAY)
    case_services.client_create(
        actor=alice,
        case=family,
        data={"first_name": "Zahra", "last_name": "Karimi", "relationship": "child"},
    )
    visit(alice, family, 60, kind="first")
    visit(alice, family, 50)  # last visit 50 days ago, nothing agreed: overdue
    case_services.deadline_add(actor=alice, case=family, title="Klage", due_on=TODAY + DAY)
    case_services.deadline_add(actor=alice, case=family, title="Pass", due_on=TODAY + 2 * DAY)
    case_services.deadline_add(actor=alice, case=family, title="später", due_on=TODAY + 20 * DAY)
    waiting = open_case(alice, team_a, opened_on=TODAY - 20 * DAY, allocated_on=TODAY - 12 * DAY)
    case_services.contact_record(
        actor=alice, case=waiting, kind="phone", date=TODAY - 2 * DAY, duration_minutes=20
    )
    case_services.contact_record(
        actor=alice, case=waiting, kind="file_note", date=TODAY - 2 * DAY, duration_minutes=5
    )
    start, _end = week_bounds(TODAY)
    accompany(alice, family, start + datetime.timedelta(hours=9))
    accompany(alice, family, timezone.now() - 3 * DAY)
    planned_ahead = open_case(bob, team_a, opened_on=LONG_AGO)
    visit(bob, planned_ahead, 49, kind="first", next_visit_due=TODAY + 14 * DAY)
    visit(bob, planned_ahead, 3, minutes=45, next_visit_due=TODAY + 14 * DAY)
    open_case(sam, team_a, opened_on=TODAY - 30 * DAY)  # unassigned, never visited
    return {"family": family, "waiting": waiting, "planned_ahead": planned_ahead}


def dashboard_figures(client, team, caseworker_key):
    section = next(s for s in client.get("/supervision/").context["sections"] if s["team"] == team)
    row = next(r for r in section["rows"] if r.caseworker == caseworker_key)
    return {column.key: count for column, count in row.figures}


def drilldown(client, team, caseworker_key, figure):
    response = client.get(
        "/supervision/cases/", {"team": team.pk, "caseworker": caseworker_key, "figure": figure}
    )
    assert response.status_code == 200
    return response.context


FIGURES = [
    "open_cases",
    "persons",
    "deadlines_escalated",
    "expiring",
    "first_visit_pending",
    "visits_30",
    "overdue",
    "accompaniments_week",
    "contacts_30",
    "hours_30",
    "referrals_waiting",
]


@pytest.mark.parametrize("figure", FIGURES)
def test_it_lists_exactly_what_the_figure_counts(client, busy, sam, alice, bob, team_a, figure):
    client.force_login(sam)
    for key in (alice.pk, bob.pk, "none"):
        shown = dashboard_figures(client, team_a, key)[figure]
        context = drilldown(client, team_a, key, figure)
        column = context["column"]
        items = [row["item"] for row in context["rows"]]
        assert context["figure"] == shown
        if column.unit == "hours":
            assert round(sum(i.weight for i in items) / 60, 1) == shown
        else:
            assert len(items) == shown, (figure, key)


def test_the_figures_have_the_expected_values(client, busy, sam, alice, bob, team_a):
    client.force_login(sam)
    alice_figures = dashboard_figures(client, team_a, alice.pk)
    assert alice_figures["open_cases"] == 2
    assert alice_figures["persons"] == 3
    assert alice_figures["deadlines_escalated"] == 2  # the one in 20 days is not escalated
    assert alice_figures["first_visit_pending"] == 1  # allocated 12 days ago, promise 7
    assert alice_figures["overdue"] == 1  # the family (50 days); the waiting case opened 20 ago
    # no visit in 30 days, one phone call (the file note is no contact), two accompaniments
    assert alice_figures["contacts_30"] == 0 + 1 + 2
    assert alice_figures["hours_30"] == round(20 / 60, 1)  # visits 50+ days ago are outside
    bob_figures = dashboard_figures(client, team_a, bob.pk)
    assert bob_figures["overdue"] == 0  # visited 49 days ago, next visit in two weeks
    assert bob_figures["hours_30"] == round(45 / 60, 1)
    assert dashboard_figures(client, team_a, "none")["first_visit_pending"] == 1


def test_a_next_visit_agreed_in_two_weeks_is_not_overdue(client, sam, bob, team_a, settings):
    """The reported case: last visited seven weeks ago, the next visit fixed in two weeks.
    The interval rule used to fire regardless of the agreed date."""
    settings.CASEWORKS_VISIT_INTERVAL_DAYS = 42
    case = open_case(bob, team_a, opened_on=LONG_AGO)
    visit(bob, case, 49, kind="first", next_visit_due=TODAY + 14 * DAY)
    client.force_login(sam)
    assert dashboard_figures(client, team_a, bob.pk)["overdue"] == 0
    assert drilldown(client, team_a, bob.pk, "overdue")["rows"] == []
    # Once the agreed day has passed it is overdue again, listed with its last visit.
    case_services.case_set_next_visit_due(actor=bob, case=case, next_visit_due=TODAY - DAY)
    rows = drilldown(client, team_a, bob.pk, "overdue")["rows"]
    assert [r["item"].case.pk for r in rows] == [case.pk]
    assert rows[0]["item"].when == TODAY - 49 * DAY


def test_escalated_deadlines_are_listed_with_their_dates(client, busy, sam, alice, team_a):
    client.force_login(sam)
    rows = drilldown(client, team_a, alice.pk, "deadlines_escalated")["rows"]
    assert [(r["item"].when, r["item"].what) for r in rows] == [
        (TODAY + DAY, "Klage"),
        (TODAY + 2 * DAY, "Pass"),
    ]
    html = client.get(
        "/supervision/cases/",
        {"team": team_a.pk, "caseworker": alice.pk, "figure": "deadlines_escalated"},
    ).content.decode()
    assert "Klage" in html and busy["family"].reference in html and "Ahmad Karimi" in html


def test_first_visit_pending_counts_from_the_allocation(client, sam, alice, team_a, settings):
    settings.CASEWORKS_FIRST_VISIT_PROMISE_DAYS = 7
    within = open_case(alice, team_a, opened_on=TODAY - 30 * DAY, allocated_on=TODAY - 7 * DAY)
    late = open_case(alice, team_a, opened_on=TODAY - 2 * DAY, allocated_on=TODAY - 8 * DAY)
    visited = open_case(alice, team_a, opened_on=LONG_AGO, allocated_on=TODAY - 30 * DAY)
    visit(alice, visited, 1, kind="first")
    client.force_login(sam)
    rows = drilldown(client, team_a, alice.pk, "first_visit_pending")["rows"]
    assert [r["item"].case.pk for r in rows] == [late.pk]
    assert rows[0]["item"].when == TODAY - 8 * DAY
    assert "8" in rows[0]["item"].what
    assert within.pk not in [r["item"].case.pk for r in rows]


def test_a_cancelled_first_visit_leaves_the_first_visit_pending(client, sam, alice, team_a):
    case = open_case(alice, team_a, opened_on=LONG_AGO, allocated_on=TODAY - 20 * DAY)
    first = visit(alice, case, 1, kind="first")
    visit_services.visit_cancel(actor=alice, visit=first, reason="mistake")
    client.force_login(sam)
    assert dashboard_figures(client, team_a, alice.pk)["first_visit_pending"] == 1


def test_cancelled_visits_and_accompaniments_are_neither_contacts_nor_hours(
    client, sam, alice, team_a
):
    case = open_case(alice, team_a, opened_on=LONG_AGO)
    held = visit(alice, case, 2, kind="first", minutes=60)
    cancelled = visit(alice, case, 1, minutes=90)
    visit_services.visit_cancel(actor=alice, visit=cancelled, reason="did_not_take_place")
    gone = accompany(alice, case, timezone.now() - DAY)
    visit_services.accompaniment_cancel(actor=alice, accompaniment=gone, reason="client_absent")
    client.force_login(sam)
    figures = dashboard_figures(client, team_a, alice.pk)
    assert figures["contacts_30"] == 1 and figures["hours_30"] == 1.0
    rows = drilldown(client, team_a, alice.pk, "contacts_30")["rows"]
    assert [r["item"].when for r in rows] == [held.date]


def test_contacts_count_for_whoever_did_them(client, sam, alice, bob, team_a):
    """Bob covers a visit on Alice's case: the work is Bob's."""
    case = open_case(alice, team_a, opened_on=LONG_AGO)
    case_services.case_share(actor=alice, case=case, user=bob)
    visit(bob, case, 1, kind="first", minutes=60)
    client.force_login(sam)
    assert dashboard_figures(client, team_a, bob.pk)["contacts_30"] == 1
    assert dashboard_figures(client, team_a, alice.pk)["contacts_30"] == 0


def test_median_days_from_allocation_to_first_visit(client, sam, alice, team_a):
    for allocated, visited in ((10, 8), (20, 10), (30, 1)):  # 2, 10 and 29 days
        case = open_case(alice, team_a, opened_on=LONG_AGO, allocated_on=TODAY - allocated * DAY)
        visit(alice, case, visited, kind="first")
    open_case(alice, team_a)  # no allocation recorded: left out
    client.force_login(sam)
    section = client.get("/supervision/").context["sections"][0]
    values = {figure.key: value for figure, value in section["figures"]}
    assert values["first_visit_median"] == "10 days (median of 3 cases)"


def test_the_dashboard_keeps_the_main_figures_in_one_narrow_table(client, sam, alice, team_a):
    """1024 px: the first table holds the name, at most six figures and the action; the rest
    sit behind "More figures" (a <details>, no script)."""
    open_case(alice, team_a)
    client.force_login(sam)
    response = client.get("/supervision/")
    primary = response.context["primary"]
    assert 1 <= len(primary) <= 6
    assert {c.key for c in primary} >= {"deadlines_escalated", "overdue", "first_visit_pending"}
    html = response.content.decode()
    assert '<details class="more-figures">' in html
    assert 'class="scroll"' not in html  # no horizontal scroll region
    assert "style=" not in html and "<script" not in html.split("<main", 1)[-1]


def sent_referral(caseworker, office, case, service, follow_up_on, *, sent=True):
    from referrals import services as referral_services

    client = case.clients.get(relationship="main_contact")
    referral_services.consent_record(
        actor=caseworker, client=client, services=[service], purpose="x", signed_on=TODAY
    )
    referral = referral_services.referral_create(
        actor=caseworker,
        case=case,
        data={"client": client, "service": service, "reason": "x", "follow_up_on": follow_up_on},
    )
    if not sent:
        return referral
    referral = referral_services.referral_transition(
        actor=caseworker, referral=referral, to="ready"
    )
    referral_services.letter_issue(actor=office, referral=referral)
    return referral_services.referral_transition(actor=caseworker, referral=referral, to="sent")


def test_referrals_waiting_lists_the_referrals_themselves(client, sam, alice, bob, olga, team_a):
    """Two referrals waiting on one case count twice, and the list shows both, each with its
    follow-up date and the service (it used to count referrals but list their cases)."""
    from caseworks.models import Service

    mbe = Service.objects.create(name="MBE Mitte", kind="counselling", category="mbe")
    jmd = Service.objects.create(name="JMD Nord", kind="counselling", category="jmd")
    family = open_case(alice, team_a, opened_on=LONG_AGO)
    sent_referral(alice, olga, family, mbe, TODAY - 3 * DAY)
    sent_referral(alice, olga, family, jmd, TODAY - DAY)
    sent_referral(alice, olga, family, jmd, TODAY)  # follow-up is today: not yet waiting
    sent_referral(alice, olga, family, mbe, TODAY - 5 * DAY, sent=False)  # a draft
    other = open_case(bob, team_a, opened_on=LONG_AGO)
    sent_referral(bob, olga, other, mbe, TODAY - 10 * DAY)
    client.force_login(sam)
    for key, expected in ((alice.pk, 2), (bob.pk, 1), ("none", 0)):
        shown = dashboard_figures(client, team_a, key)["referrals_waiting"]
        context = drilldown(client, team_a, key, "referrals_waiting")
        assert shown == context["figure"] == len(context["rows"]) == expected
    rows = drilldown(client, team_a, alice.pk, "referrals_waiting")["rows"]
    assert [(r["item"].case.pk, r["item"].when) for r in rows] == [
        (family.pk, TODAY - 3 * DAY),
        (family.pk, TODAY - DAY),
    ]
    assert rows[0]["item"].what.startswith("MBE Mitte · ")
    assert rows[1]["item"].what.startswith("JMD Nord · ")
