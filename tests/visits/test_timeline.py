import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services as case_services
from tests.visits.conftest import TODAY, in_hours, plan, record
from visits.models import Accompaniment, Visit

DAY = datetime.timedelta(days=1)


def test_the_timeline_merges_everything_newest_first(
    client, alice, opened_case, first_visit, authority
):
    record(alice, opened_case, date=TODAY - 10 * DAY)
    plan(alice, opened_case, when=in_hours(-24 * 5), service=authority)
    case_services.residence_status_add(
        actor=alice,
        client=opened_case.clients.first(),
        data={"kind": "toleration", "valid_from": TODAY - 2 * DAY, "valid_until": TODAY + 90 * DAY},
    )
    client.force_login(alice)
    entries = client.get(f"/cases/{opened_case.code}/").context["timeline"]
    kinds = [e.kind for e in entries]
    # status (-2d), accompaniment (-5d), follow-up (-10d), first visit (-20d), first status (-30d)
    assert kinds == ["status", "accompaniment", "visit", "visit", "status"]
    keys = [e.sort_key for e in entries]
    assert keys == sorted(keys, reverse=True)


def fill(case, user, n):
    """n visits, n accompaniments and n statuses, in bulk (speed; history is not the point)."""
    client_obj = case.clients.first()
    Visit.objects.bulk_create(
        Visit(
            case=case,
            kind="follow_up",
            date=TODAY - i * DAY,
            duration_minutes=30,
            place="office",
            recorded_by=user,
            notes="x",
        )
        for i in range(n)
    )
    Accompaniment.objects.bulk_create(
        Accompaniment(
            case=case,
            client=client_obj,
            destination_kind="doctor",
            destination_text="Praxis",
            purpose="Termin",
            appointment_at=timezone.now() - i * DAY,
        )
        for i in range(n)
    )
    from cases.models import ResidenceStatus

    ResidenceStatus.objects.bulk_create(
        ResidenceStatus(
            client=client_obj,
            kind="toleration",
            valid_from=TODAY - i * DAY,
            valid_until=TODAY + DAY,
        )
        for i in range(n)
    )


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["/cases/{code}/", "/visits/week/"])
def test_the_case_file_and_my_week_run_constant_queries(client, alice, team_a, page):
    from tests.helpers import open_case

    small = open_case(alice, team_a, opened_on=TODAY - 400 * DAY)
    large = open_case(alice, team_a, opened_on=TODAY - 400 * DAY)
    fill(small, alice, 3)
    client.force_login(alice)
    # A session's first page writes it once (the offline key); later pages write nothing.
    client.get(page.format(code=small.code))
    few = queries_for(client, page.format(code=small.code))
    fill(large, alice, 300)
    many = queries_for(client, page.format(code=small.code))
    assert few == many
    if "{code}" in page:
        assert queries_for(client, page.format(code=large.code)) == few


def test_the_timeline_pages_older_entries(client, alice, team_a):
    from tests.helpers import open_case

    case = open_case(alice, team_a, opened_on=TODAY - 400 * DAY)
    fill(case, alice, 30)
    client.force_login(alice)
    response = client.get(f"/cases/{case.code}/")
    assert len(response.context["timeline"]) == 50
    assert response.context["more_entries"] == 100
    everything = client.get(f"/cases/{case.code}/", {"entries": 100})
    assert len(everything.context["timeline"]) == 91  # 30 × 3 + the intake status
    assert everything.context["more_entries"] is None


def test_the_history_tab_shows_visit_and_accompaniment_changes(
    client, alice, bob, opened_case, first_visit, authority
):
    from visits import services

    accompaniment = plan(alice, opened_case, when=in_hours(-1), service=authority)
    services.accompaniment_cancel(
        actor=bob, accompaniment=accompaniment, reason="client_absent", note=""
    )
    client.force_login(alice)
    entries = list(client.get(f"/cases/{opened_case.code}/history/").context["page"])
    change = next(e for e in entries if e.action == "changed" and "Accompaniment" in e.subject)
    assert change.user == bob
    changes = {c.label: (c.old, c.new) for c in change.changes}
    assert changes["status"] == ("planned", "cancelled")
    assert changes["reason for cancelling"][1] == "client did not come"
    created_visit = next(e for e in entries if "first visit" in e.subject)
    topics = next(c for c in created_visit.changes if c.label == "topics")
    assert topics.new == "housing"
    created_acc = next(e for e in entries if e.action == "created" and "Accompaniment" in e.subject)
    labels = {c.label: c.new for c in created_acc.changes}
    assert labels["destination (directory)"] == "Ausländerbehörde Musterstadt"
    assert labels["purpose"] == "Verlängerung der Gestattung"


def test_timeline_times_sort_in_local_time():
    from caseworks.extensions.casefile import TimelineEntry

    berlin_0030 = timezone.make_aware(datetime.datetime(2026, 11, 25, 0, 30))  # 23:30 UTC
    previous_day = TimelineEntry(datetime.date(2026, 11, 24), "status", "x")
    after_midnight = TimelineEntry(berlin_0030, "visit", "x")
    assert after_midnight.sort_key > previous_day.sort_key
