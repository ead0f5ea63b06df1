"""Tasks (Wiedervorlagen) and client appointments reach the calendar feed and the daily
digest, by reference number only: a task's title and an appointment's kind stay out."""

import datetime

from django.utils import timezone
from icalendar import Calendar

from cases import services as case_services
from tests.visits.conftest import TODAY
from tests.visits.test_calendar import new_feed_url
from visits.reminders import digest_lines

DAY = datetime.timedelta(days=1)


def _task_and_appointment(alice, case):
    task = case_services.task_create(
        actor=alice, case=case, title="Rückruf Frau Haddad wegen Kita", due_on=TODAY
    )
    tomorrow_ten = timezone.make_aware(datetime.datetime.combine(TODAY + DAY, datetime.time(10, 0)))
    appointment = case_services.appointment_create(
        actor=alice, case=case, kind="bamf_hearing", starts_at=tomorrow_ten
    )
    return task, appointment


def test_the_feed_carries_tasks_and_appointments_without_titles(client, alice, opened_case):
    task, appointment = _task_and_appointment(alice, opened_case)
    client.force_login(alice)
    url = new_feed_url(client)
    client.logout()
    body = client.get(url).content.decode()
    events = {str(e["UID"]): e for e in Calendar.from_ical(body).walk("VEVENT")}
    assert f"task-{task.code}@caseworks" in events
    assert f"appointment-{appointment.code}@caseworks" in events
    assert events[f"task-{task.code}@caseworks"].decoded("DTSTART") == TODAY
    assert opened_case.reference in str(
        events[f"appointment-{appointment.code}@caseworks"]["SUMMARY"]
    )
    assert "Haddad" not in body and "Kita" not in body
    assert "BAMF" not in body and "Anhörung" not in body


def test_the_digest_names_them_by_reference(alice, opened_case):
    _task_and_appointment(alice, opened_case)
    lines = "\n".join(digest_lines(alice, TODAY))
    assert "Task due" in lines and "Appointment tomorrow at" in lines
    assert lines.count(opened_case.reference) >= 2  # the task and tomorrow's appointment
    assert "Haddad" not in lines and "Kita" not in lines and "BAMF" not in lines


def test_a_done_task_leaves_the_digest(alice, opened_case):
    task, _appointment = _task_and_appointment(alice, opened_case)
    before = digest_lines(alice, TODAY)
    case_services.task_done(actor=alice, task=task)
    after = digest_lines(alice, TODAY)
    assert len(after) == len(before) - 1


def test_my_week_offers_the_task_through_its_confirmation(client, alice, opened_case):
    task, appointment = _task_and_appointment(alice, opened_case)
    client.force_login(alice)
    page = client.get(f"/visits/week/?week={TODAY}").content.decode()
    confirm = f"/cases/{opened_case.code}/tasks/{task.code}/done/?next=week"
    assert confirm in page
    # Tomorrow's appointment (in next week's page when today is a Sunday).
    page = client.get(f"/visits/week/?week={TODAY + DAY}").content.decode()
    assert f"/cases/{opened_case.code}/appointments/{appointment.code}/" in page
    response = client.post(confirm.split("?")[0], {"next": "week"})
    assert response.status_code == 302 and response["Location"] == "/visits/week/"
    task.refresh_from_db()
    assert task.done_on == TODAY
