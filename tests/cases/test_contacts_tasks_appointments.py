"""Contacts and file notes, tasks (Wiedervorlage) and client appointments on a case; the
week selector; suggestions from expiring documents; the phone case file."""

import datetime

import pytest
from django.utils import timezone

from cases import services
from cases.models import Appointment, Contact, StatusKind, Task
from cases.selectors import week_items_for_user
from caseworks.extensions.casefile import timeline_for
from caseworks.extensions.supervision import statistics_for
from tests.helpers import TODAY, open_case

DAY = datetime.timedelta(days=1)


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_it_records_a_contact_with_topics_and_an_encrypted_note(client, alice, alice_case):
    client.force_login(alice)
    person = alice_case.clients.get()
    page = client.get(f"/cases/{alice_case.code}/contacts/new/").content.decode()
    assert "§ 53 StPO" in page  # the note nudges towards topics
    assert 'inputmode="numeric"' in page
    response = client.post(
        f"/cases/{alice_case.code}/contacts/new/",
        {
            "kind": "phone",
            "date": TODAY.isoformat(),
            "duration_minutes": "20",
            "persons": [person.pk],
            "topics": ["benefits", "housing"],
            "note": "Rückruf Jobcenter",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get(case=alice_case)
    assert contact.recorded_by == alice and list(contact.persons.all()) == [person]
    assert contact.topics == ["benefits", "housing"]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM cases_contact WHERE id = %s", [contact.pk])
        assert "Rückruf" not in cursor.fetchone()[0]
    entries, _more = timeline_for(alice_case, limit=10)
    assert any(e.kind == "contact" for e in entries)


def test_contacts_are_counted_in_the_statistics(alice, alice_case):
    for minutes in (30, 60, 90):
        services.contact_record(
            actor=alice, case=alice_case, kind="office", date=TODAY, duration_minutes=minutes
        )
    services.contact_record(
        actor=alice, case=alice_case, kind="file_note", date=TODAY, duration_minutes=0
    )
    tables = {
        t.key: t
        for t in statistics_for(cases=type(alice_case).objects.all(), start=TODAY - DAY, end=TODAY)
    }
    assert ("counselling in the office", 3) in tables["contacts"].rows
    assert ("file note", 1) in tables["contacts"].rows
    assert ("counselling in the office", 3) in tables["contact_hours"].rows  # 180 min


def test_a_contact_names_only_people_of_the_household(alice, alice_case, charlie_case):
    from django.core.exceptions import ValidationError

    stranger = charlie_case.clients.get()
    with pytest.raises(ValidationError):
        services.contact_record(
            actor=alice, case=alice_case, kind="phone", date=TODAY, persons=[stranger]
        )


def test_a_task_defaults_to_the_caseworker_and_is_completed_after_a_confirmation(
    client, alice, alice_case
):
    client.force_login(alice)
    response = client.post(
        f"/cases/{alice_case.code}/tasks/new/",
        {
            "title": "Kita-Platz nachfragen",
            "due_on": (TODAY + DAY).isoformat(),
            "assigned_to": alice.pk,
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(case=alice_case)
    assert task.assigned_to == alice
    done_url = f"/cases/{alice_case.code}/tasks/{task.code}/done/"
    assert "Yes, mark as done" in client.get(done_url).content.decode()
    client.post(done_url)
    task.refresh_from_db()
    assert task.done_on == TODAY and task.done_by == alice
    client.post(done_url, {"action": "reopen"})
    task.refresh_from_db()
    assert task.done_on is None


def test_an_appointment_is_cancelled_with_a_reason_not_deleted(client, alice, alice_case):
    appointment = services.appointment_create(
        actor=alice,
        case=alice_case,
        kind="bamf_hearing",
        starts_at=at(TODAY + 3 * DAY),
        persons=list(alice_case.clients.all()),
    )
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/appointments/{appointment.code}/cancel/"
    assert client.post(url, {"reason": "vom BAMF verlegt"}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.is_cancelled and appointment.cancel_reason == "vom BAMF verlegt"
    assert Appointment.objects.filter(pk=appointment.pk).exists()
    assert week_items_for_user(user=alice, start=TODAY, end=TODAY + 7 * DAY) == []


def test_week_items_are_the_users_open_tasks_overdue_ones_and_appointments(
    alice, bob, alice_case, charlie, charlie_case
):
    overdue = services.task_create(
        actor=alice, case=alice_case, title="alt", due_on=TODAY - 3 * DAY
    )
    due = services.task_create(actor=alice, case=alice_case, title="bald", due_on=TODAY + 2 * DAY)
    services.task_create(actor=alice, case=alice_case, title="später", due_on=TODAY + 30 * DAY)
    services.case_share(actor=alice, case=alice_case, user=bob)
    services.task_create(actor=alice, case=alice_case, title="Bobs", due_on=TODAY, assigned_to=bob)
    done = services.task_create(actor=alice, case=alice_case, title="erledigt", due_on=TODAY)
    services.task_done(actor=alice, task=done)
    hearing = services.appointment_create(
        actor=alice, case=alice_case, kind="bamf_hearing", starts_at=at(TODAY + DAY)
    )
    services.task_create(actor=charlie, case=charlie_case, title="fremd", due_on=TODAY)
    items = week_items_for_user(user=alice, start=TODAY, end=TODAY + 6 * DAY)
    # Bob's task, a later one, a done one and another team's are not Alice's week; the
    # hearing on a case shared with Bob is in both weeks.
    assert [i.obj for i in items] == [overdue, hearing, due]
    assert items[0].overdue and not items[2].overdue
    assert items[0].action_url.endswith(f"/tasks/{overdue.code}/done/")
    bobs = week_items_for_user(user=bob, start=TODAY, end=TODAY + 6 * DAY)
    assert [i.title for i in bobs] == ["Bobs", str(hearing.get_kind_display())]


def test_week_items_leave_out_closed_cases(alice, sam, alice_case):
    task = services.task_create(actor=alice, case=alice_case, title="x", due_on=TODAY)
    services.case_close(
        actor=sam,
        case=alice_case,
        reason="moved_away",
        acknowledged=[i.key for i in services.case_open_items(alice_case)],
    )
    assert task not in [i.obj for i in week_items_for_user(user=alice, start=TODAY, end=TODAY)]


def test_an_expiring_toleration_suggests_an_appointment_never_creates_one(client, alice, team_a):
    case = open_case(alice, team_a, kind=StatusKind.TOLERATION, valid_until=TODAY + 10 * DAY)
    client.force_login(alice)
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert "appointment at the Ausländerbehörde to extend it?" in page
    assert not Appointment.objects.filter(case=case).exists()
    status = case.clients.get().statuses.get()
    form = client.get(f"/cases/{case.code}/appointments/new/?extend={status.code}")
    assert form.context["form"].initial["kind"] == "immigration_office"
    task_form = client.get(f"/cases/{case.code}/tasks/new/?extend={status.code}")
    assert "Ausländerbehörde" in task_form.context["form"].initial["title"]
    # Once an appointment is planned, the suggestion goes.
    services.appointment_create(
        actor=alice,
        case=case,
        kind="immigration_office",
        starts_at=at(TODAY + 5 * DAY),
        persons=[case.clients.get()],
    )
    assert "to extend it?" not in client.get(f"/cases/{case.code}/").content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "contacts/new/",
        "tasks/new/",
        "appointments/new/",
    ],
)
def test_it_checks_ownership(client, charlie, alice_case, path):
    client.force_login(charlie)
    assert client.get(f"/cases/{alice_case.code}/{path}").status_code == 404


def test_it_checks_ownership_of_existing_records(client, alice, charlie, alice_case):
    task = services.task_create(actor=alice, case=alice_case, title="x", due_on=TODAY)
    contact = services.contact_record(actor=alice, case=alice_case, kind="phone", date=TODAY)
    appointment = services.appointment_create(
        actor=alice, case=alice_case, kind="school", starts_at=at(TODAY + DAY)
    )
    client.force_login(charlie)
    for url in (
        f"/cases/{alice_case.code}/tasks/{task.code}/",
        f"/cases/{alice_case.code}/tasks/{task.code}/done/",
        f"/cases/{alice_case.code}/contacts/{contact.code}/",
        f"/cases/{alice_case.code}/appointments/{appointment.code}/",
        f"/cases/{alice_case.code}/appointments/{appointment.code}/cancel/",
    ):
        assert client.get(url).status_code == 404, url
