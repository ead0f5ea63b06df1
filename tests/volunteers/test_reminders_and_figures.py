"""Volunteers get the reminder the day before; the figures and the statistics tables; a
volunteer's record leaves after the retention period."""

import datetime

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from caseworks.extensions.supervision import statistics_for
from tests.helpers import TODAY
from tests.volunteers.conftest import register, volunteer_login
from visits import services as visit_services
from volunteers import retention, services
from volunteers.figures import language_gap
from volunteers.models import Volunteer, VolunteerLanguage

DAY = datetime.timedelta(days=1)


def tomorrow_at(hour):
    return timezone.make_aware(datetime.datetime.combine(TODAY + DAY, datetime.time(hour)))


def test_volunteers_receive_the_reminder_the_day_before(alice, vera, case, doctor):
    vera.email = "vera@example.org"
    vera.save()
    visit_services.accompaniment_plan(
        actor=alice,
        case=case,
        data={
            "client": case.clients.get(),
            "destination_kind": "doctor",
            "service": doctor,
            "destination_text": "Diabetologie",
            "appointment_at": tomorrow_at(9),
            "purpose": "Befund",
            "volunteer": vera,
        },
    )
    call_command("send_reminders", language="en")
    (message,) = [m for m in mail.outbox if m.to == ["vera@example.org"]]
    assert "You go along tomorrow at 9" in message.body and case.reference in message.body
    # Not the practice either: the place is in Caseworks (visits.outbound).
    for secret in ("Haddad-Geheim", "Amal", "Diabetologie", "Befund", doctor.name, "doctor"):
        assert secret not in message.body
    call_command("send_reminders", language="en")  # once a day
    assert len([m for m in mail.outbox if m.to == ["vera@example.org"]]) == 1


def test_a_volunteer_with_nothing_tomorrow_gets_no_mail(vera):
    vera.email = "vera@example.org"
    vera.save()
    call_command("send_reminders", language="en")
    assert not [m for m in mail.outbox if m.to == ["vera@example.org"]]


def test_the_language_gap(cody, case):
    from cases.models import Client

    register(volunteer_login("a1"), cody, languages=[("Arabisch", "good"), ("Dari", "basic")])
    register(volunteer_login("a2"), cody, languages=[("arabisch", "native")], status="paused")
    register(volunteer_login("k1"), cody, languages=[("kmr", "good")])
    # A client who gave "Kurdisch" is met by the Kurmanji speaker (covers); names in the UI's
    # language (English in tests).
    Client.objects.create(
        case=case,
        first_name="K",
        last_name="K",
        relationship="child",
        languages=["kur"],
        interpreter_needed=True,
    )
    gap = language_gap(Client.objects.all())
    assert ("Arabic", 1, 1) in gap and ("Dari", 0, 1) in gap
    assert ("Kurdish", 1, 1) in gap and ("Kurdish (Kurmanji)", 0, 1) in gap


def test_statistics_tables_for_supervisors(alice, vera, vera_profile, case, sam):
    from cases.selectors import case_list_for_user

    a = visit_services.accompaniment_plan(
        actor=alice,
        case=case,
        data={
            "client": case.clients.get(),
            "destination_kind": "doctor",
            "destination_text": "Praxis",
            "appointment_at": timezone.now() - datetime.timedelta(hours=3),
            "purpose": "x",
            "volunteer": vera,
        },
    )
    visit_services.accompaniment_complete(
        actor=vera, accompaniment=a, expected_version=a.version, outcome=""
    )
    tables = {
        t.key: t
        for t in statistics_for(
            cases=case_list_for_user(user=sam), start=TODAY - 30 * DAY, end=TODAY
        )
    }
    assert sum(n for _label, n in tables["volunteer_accompaniments"].rows) == 1
    assert ("Arabic", 1) in tables["interpreter_languages"].rows
    assert ("Arabic", 1) in tables["volunteer_languages"].rows


def test_retention_deletes_a_record_after_the_engagement(cody, settings):
    settings.CASEWORKS_VOLUNTEER_RETENTION_YEARS = 1
    gone = register(volunteer_login("gone"), cody, languages=[("Dari", "good")])
    services.volunteer_update(
        actor=cody, volunteer=gone, expected_version=1, data={"status": "ended"}
    )
    recent = register(volunteer_login("recent"), cody)
    services.volunteer_update(
        actor=cody, volunteer=recent, expected_version=1, data={"status": "ended"}
    )
    Volunteer.objects.filter(pk=gone.pk).update(ended_on=TODAY - 400 * DAY)
    assert retention.apply_volunteer_retention(dry_run=True) == 1
    call_command("apply_volunteer_retention")
    assert list(Volunteer.objects.all()) == [Volunteer.objects.get(pk=recent.pk)]
    assert not Volunteer.history.filter(id=gone.pk).exists()
    assert not VolunteerLanguage.history.filter(volunteer_id=gone.pk).exists()
