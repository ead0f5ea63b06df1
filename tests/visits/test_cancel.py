"""Cancel instead of delete: a visit or accompaniment recorded by mistake or that did not take
place is cancelled with a reason, after a confirmation page; it stays in the history and on
the timeline, marked, and no longer counts (statistics, last visit, next visit due, my week,
reminders, calendar)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.models import Case
from tests.visits.conftest import TODAY, in_hours, plan, record
from visits import services
from visits.dashboards import cases_overdue, visit_statistics
from visits.models import Accompaniment, Visit
from visits.reminders import digest_lines
from visits.selectors import last_visit

DAY = datetime.timedelta(days=1)


def cancel_url(case, visit):
    return f"/cases/{case.code}/visits/{visit.code}/cancel/"


def test_it_asks_for_confirmation_with_no_reason_preselected(
    client, alice, opened_case, first_visit
):
    client.force_login(alice)
    response = client.get(cancel_url(opened_case, first_visit))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="reason"' in html and "checked" not in html
    assert Visit.objects.get(pk=first_visit.pk).is_cancelled is False  # a GET changes nothing


def test_it_needs_a_reason(client, alice, opened_case, first_visit):
    client.force_login(alice)
    response = client.post(cancel_url(opened_case, first_visit), {"note": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert Visit.objects.get(pk=first_visit.pk).is_cancelled is False


def test_a_cancelled_visit_is_kept_marked_and_in_the_history(
    client, alice, opened_case, first_visit
):
    client.force_login(alice)
    response = client.post(
        cancel_url(opened_case, first_visit), {"reason": "mistake", "note": "falscher Fall"}
    )
    assert response.status_code == 302
    visit = Visit.objects.get(pk=first_visit.pk)
    assert visit.is_cancelled and visit.cancelled_by == alice
    assert (visit.cancel_reason, visit.cancel_note) == ("mistake", "falscher Fall")
    assert visit.history.count() == 2 and visit.history.first().cancel_reason == "mistake"
    detail = client.get(f"/cases/{opened_case.code}/visits/{visit.code}/").content.decode()
    assert "<s>" in detail and "recorded by mistake" in detail and "falscher Fall" in detail
    assert f"/visits/{visit.code}/edit/" not in detail  # no editing a cancelled visit
    timeline = client.get(f"/cases/{opened_case.code}/").content.decode()
    assert "is-cancelled" in timeline and "cancelled" in timeline


def test_cancelling_twice_does_no_harm(client, alice, bob, opened_case, first_visit):
    client.force_login(alice)
    url = cancel_url(opened_case, first_visit)
    assert client.post(url, {"reason": "mistake"}).status_code == 302
    cancelled_at = Visit.objects.get(pk=first_visit.pk).cancelled_at
    assert client.post(url, {"reason": "other"}).status_code == 302
    again = services.visit_cancel(actor=bob, visit=first_visit, reason="other")
    assert (again.cancel_reason, again.cancelled_at, again.cancelled_by) == (
        "mistake",
        cancelled_at,
        alice,
    )
    assert first_visit.history.count() == 2


def test_a_cancelled_visit_cannot_be_edited(alice, opened_case, first_visit):
    services.visit_cancel(actor=alice, visit=first_visit, reason="mistake")
    with pytest.raises(ValidationError, match="cancelled"):
        services.visit_update(
            actor=alice, visit=first_visit, expected_version=2, data={"notes": "x"}
        )


def test_a_cancelled_first_visit_makes_room_for_the_real_one(alice, opened_case, first_visit):
    services.visit_cancel(actor=alice, visit=first_visit, reason="mistake")
    assert last_visit(opened_case) is None
    real = record(alice, opened_case, kind="first", date=TODAY - 2 * DAY)
    assert last_visit(opened_case) == real


def test_a_first_visit_with_follow_ups_is_not_cancelled(alice, opened_case, first_visit):
    record(alice, opened_case, date=TODAY - DAY)
    with pytest.raises(ValidationError, match="Follow-up visits"):
        services.visit_cancel(actor=alice, visit=first_visit, reason="mistake")


def test_the_next_visit_due_falls_back_to_the_visit_before(alice, opened_case, first_visit):
    record(alice, opened_case, date=TODAY - 10 * DAY, next_visit_due=TODAY + 4 * DAY)
    mistake = record(alice, opened_case, date=TODAY, next_visit_due=TODAY + 14 * DAY)
    assert Case.objects.get(pk=opened_case.pk).next_visit_due == TODAY + 14 * DAY
    services.visit_cancel(actor=alice, visit=mistake, reason="did_not_take_place")
    assert Case.objects.get(pk=opened_case.pk).next_visit_due == TODAY + 4 * DAY
    assert last_visit(opened_case).date == TODAY - 10 * DAY


def test_cancelled_visits_are_not_counted(alice, opened_case, first_visit, settings):
    follow_up = record(alice, opened_case, date=TODAY - DAY)
    cases = Case.objects.filter(pk=opened_case.pk)

    def counted():
        tables = visit_statistics(cases=cases, start=TODAY - 60 * DAY, end=TODAY)
        return dict(next(t for t in tables if t.key == "visits").rows)

    assert counted() == {"first visit": 1, "follow-up visit": 1}
    services.visit_cancel(actor=alice, visit=follow_up, reason="mistake")
    assert counted() == {"first visit": 1}
    # "Follow-up overdue" counts from the last visit that took place.
    settings.CASEWORKS_VISIT_INTERVAL_DAYS = 10
    Case.objects.filter(pk=opened_case.pk).update(next_visit_due=None)
    assert list(cases_overdue(cases, TODAY)) == [opened_case]


def test_the_supervision_column_leaves_cancelled_visits_out(alice, opened_case, first_visit):
    from visits.dashboards import visit_columns

    recent = record(alice, opened_case, date=TODAY)
    cases = Case.objects.filter(pk=opened_case.pk)

    def visits_30():
        column = next(c for c in visit_columns(cases=cases, today=TODAY) if c.key == "visits_30")
        return sum(column.counts.values())

    assert visits_30() == 2
    services.visit_cancel(actor=alice, visit=recent, reason="mistake")
    assert visits_30() == 1


def test_another_team_cannot_cancel(client, charlie, opened_case, first_visit):
    client.force_login(charlie)
    assert client.get(cancel_url(opened_case, first_visit)).status_code == 404
    assert (
        client.post(cancel_url(opened_case, first_visit), {"reason": "mistake"}).status_code == 404
    )
    assert Visit.objects.get(pk=first_visit.pk).is_cancelled is False


def test_a_volunteer_cannot_open_the_caseworkers_cancel_page(
    client, vera, opened_case, first_visit
):
    client.force_login(vera)
    assert client.get(cancel_url(opened_case, first_visit)).status_code == 404


# --- accompaniments ---------------------------------------------------------------------------


def acc_cancel_url(case, accompaniment):
    return f"/cases/{case.code}/accompaniments/{accompaniment.code}/cancel/"


def test_an_accompaniment_is_cancelled_with_a_reason(client, alice, opened_case, authority):
    accompaniment = plan(alice, opened_case, when=in_hours(20), service=authority)
    client.force_login(alice)
    page = client.get(acc_cancel_url(opened_case, accompaniment)).content.decode()
    assert "client did not come" in page and "checked" not in page
    response = client.post(acc_cancel_url(opened_case, accompaniment), {"reason": "client_absent"})
    assert response.status_code == 302
    accompaniment.refresh_from_db()
    assert accompaniment.status == Accompaniment.Status.CANCELLED
    assert (accompaniment.cancel_reason, accompaniment.cancelled_by) == ("client_absent", alice)
    detail = client.get(
        f"/cases/{opened_case.code}/accompaniments/{accompaniment.code}/"
    ).content.decode()
    assert "<s>" in detail and "client did not come" in detail
    assert f"{accompaniment.code}/cancel/" not in detail
    # Twice: no harm.
    assert (
        client.post(acc_cancel_url(opened_case, accompaniment), {"reason": "other"}).status_code
        == 302
    )
    accompaniment.refresh_from_db()
    assert accompaniment.cancel_reason == "client_absent"


def test_the_edit_form_no_longer_cancels_without_a_reason(alice, opened_case, authority):
    accompaniment = plan(alice, opened_case, when=in_hours(20), service=authority)
    with pytest.raises(ValidationError, match="reason"):
        services.accompaniment_update(
            actor=alice,
            accompaniment=accompaniment,
            expected_version=accompaniment.version,
            data={"status": "cancelled"},
        )


def test_cancelled_accompaniments_leave_reminders_calendar_and_statistics(
    alice, bob, opened_case, authority
):
    from visits.calendar import calendar_feed

    tomorrow = plan(alice, opened_case, when=in_hours(24), service=authority, accompanied_by=bob)
    done = plan(alice, opened_case, when=in_hours(-3), service=authority)
    done = services.accompaniment_complete(
        actor=alice, accompaniment=done, expected_version=1, outcome="ok"
    )
    cases = Case.objects.filter(pk=opened_case.pk)

    def accompaniments_counted():
        tables = visit_statistics(cases=cases, start=TODAY - DAY, end=TODAY + DAY)
        return sum(n for _label, n in next(t for t in tables if t.key == "accompaniments").rows)

    assert accompaniments_counted() == 1
    assert str(tomorrow.code) in calendar_feed(user=bob).decode()
    services.accompaniment_cancel(actor=alice, accompaniment=tomorrow, reason="did_not_take_place")
    services.accompaniment_cancel(actor=alice, accompaniment=done, reason="mistake")
    assert accompaniments_counted() == 0
    assert str(tomorrow.code) not in calendar_feed(user=bob).decode()
    assert not any("Accompaniment tomorrow" in line for line in digest_lines(bob, TODAY))


# --- volunteers report "did not take place" ------------------------------------------------------


def test_the_volunteer_reports_did_not_take_place(client, alice, vera, opened_case, authority):
    accompaniment = plan(alice, opened_case, when=in_hours(-1), service=authority, volunteer=vera)
    client.force_login(vera)
    url = f"/volunteer/{accompaniment.code}/did-not-take-place/"
    assert url in client.get(f"/volunteer/{accompaniment.code}/").content.decode()
    page = client.get(url).content.decode()
    assert "did not take place" in page and "recorded by mistake" not in page
    assert "checked" not in page
    response = client.post(url, {"reason": "did_not_take_place", "note": "niemand da"})
    assert response.status_code == 302
    accompaniment.refresh_from_db()
    assert accompaniment.status == "cancelled" and accompaniment.cancelled_by == vera
    assert client.post(url, {"reason": "client_absent"}).status_code == 302  # twice: no harm
    accompaniment.refresh_from_db()
    assert accompaniment.cancel_reason == "did_not_take_place"


def test_a_volunteer_may_not_choose_the_caseworkers_reasons(alice, vera, opened_case, authority):
    accompaniment = plan(alice, opened_case, when=in_hours(-1), service=authority, volunteer=vera)
    with pytest.raises(ValidationError):
        services.accompaniment_report_not_held(
            actor=vera, accompaniment=accompaniment, reason="mistake"
        )


def test_only_the_assigned_volunteer_reports(client, alice, opened_case, authority):
    from tests.helpers import make_user

    other = make_user("otto", "volunteer")
    accompaniment = plan(alice, opened_case, when=in_hours(-1), service=authority)
    client.force_login(other)
    url = f"/volunteer/{accompaniment.code}/did-not-take-place/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "did_not_take_place"}).status_code == 404
    with pytest.raises(ValidationError):
        services.accompaniment_report_not_held(
            actor=other, accompaniment=accompaniment, reason="did_not_take_place"
        )
    accompaniment.refresh_from_db()
    assert accompaniment.status == "planned"
