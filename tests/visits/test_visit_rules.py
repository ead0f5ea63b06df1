import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.models import Case
from tests.visits.conftest import TODAY, in_hours, plan, record
from visits import services
from visits.models import Accompaniment, Visit

DAY = datetime.timedelta(days=1)


def test_it_refuses_a_second_first_visit(alice, opened_case, first_visit):
    with pytest.raises(ValidationError, match="already has its first visit"):
        record(alice, opened_case, kind="first")
    assert Visit.objects.filter(kind="first").count() == 1


def test_it_refuses_a_follow_up_before_any_first_visit(alice, opened_case):
    with pytest.raises(ValidationError, match="Record the first visit before"):
        record(alice, opened_case)
    assert not Visit.objects.exists()


def test_it_refuses_a_follow_up_dated_before_the_first_visit(alice, opened_case, first_visit):
    with pytest.raises(ValidationError, match="cannot be before the first visit"):
        record(alice, opened_case, date=first_visit.date - DAY)


def test_it_refuses_a_visit_before_the_case_was_opened(alice, opened_case):
    with pytest.raises(ValidationError, match="before the case was opened"):
        record(alice, opened_case, kind="first", date=opened_case.opened_on - DAY)


def test_it_refuses_a_visit_in_the_future(alice, opened_case):
    with pytest.raises(ValidationError, match="in the future"):
        record(alice, opened_case, kind="first", date=TODAY + DAY)


@pytest.mark.parametrize("minutes", [0, 721])
def test_it_refuses_durations_of_zero_or_over_12_hours(alice, opened_case, minutes):
    with pytest.raises(ValidationError):
        record(alice, opened_case, kind="first", duration_minutes=minutes)
    assert not Visit.objects.exists()


def test_a_follow_up_updates_the_next_visit_due(alice, opened_case, first_visit):
    record(alice, opened_case, next_visit_due=TODAY + 14 * DAY)
    assert Case.objects.get(pk=opened_case.pk).next_visit_due == TODAY + 14 * DAY


def test_it_refuses_an_accompaniment_done_before_its_time(alice, opened_case, authority):
    accompaniment = plan(alice, opened_case, when=in_hours(2), service=authority)
    with pytest.raises(ValidationError, match="before its appointment time"):
        services.accompaniment_update(
            actor=alice,
            accompaniment=accompaniment,
            expected_version=accompaniment.version,
            data={"status": "done"},
        )
    assert Accompaniment.objects.get().status == "planned"
    past = plan(alice, opened_case, when=in_hours(-1), service=authority)
    services.accompaniment_update(
        actor=alice, accompaniment=past, expected_version=past.version, data={"status": "done"}
    )
    assert Accompaniment.objects.get(pk=past.pk).status == "done"


def test_an_accompaniment_needs_a_destination(alice, opened_case):
    with pytest.raises(ValidationError, match="destination"):
        plan(alice, opened_case, when=in_hours(5), destination_text="  ")


def test_only_the_team_goes_along_as_staff_and_only_volunteers_as_volunteers(
    alice, bob, charlie, vera, opened_case
):
    with pytest.raises(ValidationError, match="Only a caseworker of the team"):
        plan(alice, opened_case, when=in_hours(5), accompanied_by=charlie)
    with pytest.raises(ValidationError, match="Only a volunteer"):
        plan(alice, opened_case, when=in_hours(5), volunteer=bob)
    both = plan(alice, opened_case, when=in_hours(5), accompanied_by=bob, volunteer=vera)
    assert (both.accompanied_by, both.volunteer) == (bob, vera)


def test_a_volunteer_named_as_the_one_companion_becomes_the_volunteer(alice, vera, opened_case):
    """Callers from before staff and volunteer were separate (the demo data) keep working."""
    accompaniment = plan(alice, opened_case, when=in_hours(5), accompanied_by=vera)
    assert accompaniment.accompanied_by is None and accompaniment.volunteer == vera


def test_nothing_is_recorded_on_a_closed_case(alice, sam, opened_case):
    from cases.services import case_close

    case_close(actor=sam, case=opened_case, reason="moved_away")
    with pytest.raises(ValidationError, match="closed"):
        record(alice, Case.objects.get(pk=opened_case.pk), kind="first")


# --- the same rules through the forms: clear message, what was typed kept, nothing saved ---


def post_visit(client, case, **overrides):
    data = {
        "date": str(TODAY),
        "duration_minutes": "45",
        "place": "office",
        "interpreter_language": "prs",
        "notes": "Wohnungssuche besprochen",
    }
    data.update(overrides)
    return client.post(f"/cases/{case.code}/visits/new/", data)


def test_the_form_shows_the_first_visit_rule(client, alice, opened_case, first_visit):
    client.force_login(alice)
    response = post_visit(client, opened_case, date=str(first_visit.date - DAY))
    html = response.content.decode()
    assert response.status_code == 200
    assert "cannot be before the first visit" in html
    assert "Wohnungssuche besprochen" in html
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    "minutes, message", [("0", "at least one minute"), ("721", "longer than 12 hours")]
)
def test_the_form_explains_the_duration(client, alice, opened_case, minutes, message):
    client.force_login(alice)
    response = post_visit(client, opened_case, duration_minutes=minutes)
    assert message in response.content.decode()
    assert not Visit.objects.exists()


def test_the_form_refuses_a_future_date(client, alice, opened_case):
    client.force_login(alice)
    response = post_visit(client, opened_case, date=str(TODAY + DAY))
    assert "in the future" in response.content.decode()
    assert not Visit.objects.exists()


def test_the_outcome_form_refuses_done_before_the_time(client, alice, opened_case, authority):
    accompaniment = plan(alice, opened_case, when=in_hours(3), service=authority)
    client.force_login(alice)
    response = client.post(
        f"/cases/{opened_case.code}/accompaniments/{accompaniment.code}/outcome/",
        {"took_place": "yes", "outcome": "war da", "version": accompaniment.version},
    )
    assert response.status_code == 200
    assert "before its appointment time" in response.content.decode()
    accompaniment.refresh_from_db()
    assert accompaniment.status == "planned"


def edit_url(case, visit):
    return f"/cases/{case.code}/visits/{visit.code}/edit/"


def edit_data(visit, **overrides):
    data = {
        "date": str(visit.date),
        "duration_minutes": visit.duration_minutes,
        "place": visit.place,
        "topics": visit.topics,
        "version": visit.version,
        "present": [c.pk for c in visit.present.all()],
    }
    data.update(overrides)
    return data


def test_a_visit_is_corrected_and_the_history_names_who(
    client, alice, bob, opened_case, first_visit
):
    from cases.services import case_share

    case_share(actor=alice, case=opened_case, user=bob)
    client.force_login(bob)
    response = client.post(
        edit_url(opened_case, first_visit), edit_data(first_visit, duration_minutes="75")
    )
    assert response.status_code == 302
    visit = Visit.objects.get(pk=first_visit.pk)
    assert visit.duration_minutes == 75 and visit.version == 2
    assert visit.history.first().history_user == bob


def test_a_visit_edit_keeps_the_rules(client, alice, opened_case, first_visit):
    follow_up = record(alice, opened_case, date=TODAY - 5 * DAY)
    client.force_login(alice)
    response = client.post(
        edit_url(opened_case, first_visit), edit_data(first_visit, date=str(TODAY - 2 * DAY))
    )
    assert "cannot be after a follow-up visit" in response.content.decode()
    response = client.post(
        edit_url(opened_case, follow_up), edit_data(follow_up, date=str(TODAY + DAY))
    )
    assert "in the future" in response.content.decode()
    assert Visit.objects.get(pk=first_visit.pk).date == TODAY - 20 * DAY


def test_a_visit_edited_in_two_tabs_is_refused_the_second_time(
    client, alice, opened_case, first_visit
):
    client.force_login(alice)
    url = edit_url(opened_case, first_visit)
    assert client.post(url, edit_data(first_visit, duration_minutes="80")).status_code == 302
    response = client.post(url, edit_data(first_visit, duration_minutes="95"))
    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert Visit.objects.get(pk=first_visit.pk).duration_minutes == 80
