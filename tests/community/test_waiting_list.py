"""Registrations: places up to the capacity, then a waiting list that moves up in order."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from community import services
from community.models import Registration
from tests.community.conftest import make_event, volunteers


def test_it_fills_the_places_then_the_waiting_list(cody):
    event = make_event(cody, capacity=2)
    a, b, c, d = volunteers(4)
    statuses = [
        services.registration_add(actor=cody, event=event, user=u).status for u in (a, b, c, d)
    ]
    assert statuses == ["confirmed", "confirmed", "waiting", "waiting"]


def test_it_moves_the_waiting_list_up_first_come_first_served(
    cody, django_capture_on_commit_callbacks
):
    event = make_event(cody, capacity=2)
    a, b, c, d, e = volunteers(5)
    regs = {}
    for u in (a, b, c, d, e):
        regs[u.username] = services.registration_add(actor=cody, event=event, user=u)
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.registration_cancel(actor=cody, registration=regs["v0"])
    assert [r.user for r in moved] == [c]
    moved = services.registration_cancel(actor=cody, registration=regs["v1"])
    assert [r.user for r in moved] == [d]
    # A waiting person who leaves does not move anyone up; the order of the rest is kept.
    assert services.registration_cancel(actor=cody, registration=regs["v4"]) == []
    confirmed = set(
        event.registrations.filter(status="confirmed").values_list("user__username", flat=True)
    )
    assert confirmed == {"v2", "v3"}


def test_it_never_registers_twice_and_a_cancelled_person_queues_again_at_the_end(cody):
    event = make_event(cody, capacity=1)
    a, b, c = volunteers(3)
    first = services.registration_add(actor=cody, event=event, user=a)
    assert services.registration_add(actor=cody, event=event, user=a).pk == first.pk
    services.registration_add(actor=cody, event=event, user=b)
    services.registration_add(actor=cody, event=event, user=c)
    services.registration_cancel(actor=cody, registration=Registration.objects.get(user=b))
    again = services.registration_add(actor=cody, event=event, user=b)
    assert again.status == "waiting"
    services.registration_cancel(actor=cody, registration=first)
    assert Registration.objects.get(user=c, event=event).status == "confirmed"


def test_a_larger_capacity_moves_the_waiting_list_up(cody):
    event = make_event(cody, capacity=1)
    a, b = volunteers(2)
    services.registration_add(actor=cody, event=event, user=a)
    services.registration_add(actor=cody, event=event, user=b)
    services.event_update(actor=cody, event=event, expected_version=event.version, capacity=2)
    assert event.registrations.filter(status="confirmed").count() == 2


def test_the_registered_get_the_invitation_and_the_moved_up_a_mail(
    cody, django_capture_on_commit_callbacks
):
    event = make_event(cody, capacity=1)
    a, b = volunteers(2)
    a.email, b.email = "a@example.org", "b@example.org"
    a.save()
    b.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.registration_add(actor=cody, event=event, user=a)
        services.registration_add(actor=cody, event=event, user=b)
    assert [m.to for m in mail.outbox] == [["a@example.org"], ["b@example.org"]]
    assert mail.outbox[0].attachments[0][0] == "einladung.ics"
    assert (
        b"BEGIN:VEVENT" in mail.outbox[0].attachments[0][1].encode()
        if isinstance(mail.outbox[0].attachments[0][1], str)
        else b"BEGIN:VEVENT" in mail.outbox[0].attachments[0][1]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=cody, registration=first)
    assert mail.outbox[-1].to == ["b@example.org"]


def test_only_volunteers_can_be_registered(cody, alice):
    event = make_event(cody)
    with pytest.raises(ValidationError):
        services.registration_add(actor=cody, event=event, user=alice)


def test_reminders_go_once(cody):
    event = make_event(cody, days=0)
    event.starts_at = event.starts_at.replace() + __import__("datetime").timedelta(hours=5)
    event.save()
    (a,) = volunteers(1)
    a.email = "a@example.org"
    a.save()
    services.registration_add(actor=cody, event=event, user=a)
    mail.outbox.clear()
    assert services.reminders_due() == 1
    assert services.reminders_due() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("Reminder")
