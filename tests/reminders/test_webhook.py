"""The gateway's callbacks: delivery reports set the delivery state, a "STOP" reply ends the
SMS opt-in of that number; without the shared secret, or by GET, a 404."""

import json

import pytest

from referrals.models import Reminder, ReminderOptIn
from referrals.reminders import sending
from tests.helpers import open_case
from tests.reminders.conftest import TOMORROW_1030
from tests.reminders.world import FAR, accompaniment, opt_in

pytestmark = pytest.mark.django_db
SECRET = "s3cret-hook-Tk9"
HOOK = f"/sms/hook/{SECRET}/"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.CASEWORKS_SMS_WEBHOOK_SECRET = SECRET


@pytest.fixture
def person(alice, team_a, morning):
    return open_case(alice, team_a, valid_until=FAR).clients.get()


def post(client, payload, url=HOOK):
    return client.post(url, json.dumps(payload), content_type="application/json")


def test_a_delivery_report_sets_the_delivery_state(client, alice, person, gateway):
    opt_in(alice, person)
    accompaniment(person.case, person, TOMORROW_1030)
    sending.reminders_queue_due()
    sending.reminders_work()
    reminder = Reminder.objects.get()
    assert reminder.delivery == "pending"
    data = {"msg_id": reminder.provider_id, "status": "DELIVERED"}
    report = {"webhook_event": "dlr", "data": data}
    assert post(client, report).status_code == 200
    reminder.refresh_from_db()
    assert reminder.delivery == "delivered" and reminder.delivery_at is not None
    post(client, {"webhook_event": "dlr", "data": {"msg_id": "other", "status": "NOTDELIVERED"}})
    reminder.refresh_from_db()
    assert reminder.delivery == "delivered"


def test_a_stop_reply_ends_the_sms_opt_in_of_that_number(client, alice, person):
    sms_in = opt_in(alice, person, address="0170 1234567")
    mail_in = opt_in(alice, person, channel="email", address="a@example.org")
    other = opt_in(alice, open_case(alice, person.case.team, valid_until=FAR).clients.get(),
                   address="0171 7654321")  # fmt: skip
    reply = {"webhook_event": "sms_mo", "data": {"sender": "491701234567", "text": "Stop"}}
    assert post(client, reply).status_code == 200
    sms_in.refresh_from_db()
    assert sms_in.opt_out == "reply" and sms_in.opted_out_at is not None
    assert ReminderOptIn.objects.get(pk=mail_in.pk).is_active
    assert ReminderOptIn.objects.get(pk=other.pk).is_active
    assert sms_in.history.first().opt_out == "reply"


def test_a_reply_other_than_stop_changes_nothing(client, alice, person):
    sms_in = opt_in(alice, person, address="0170 1234567")
    post(client, {"webhook_event": "sms_mo", "data": {"sender": "491701234567", "text": "Danke"}})
    assert ReminderOptIn.objects.get(pk=sms_in.pk).is_active


def test_it_answers_404_without_the_secret_or_by_get(client, alice, person, settings):
    sms_in = opt_in(alice, person, address="0170 1234567")
    reply = {"webhook_event": "sms_mo", "data": {"sender": "491701234567", "text": "STOP"}}
    assert post(client, reply, url="/sms/hook/wrong/").status_code == 404
    assert client.get(HOOK).status_code == 404
    settings.CASEWORKS_SMS_WEBHOOK_SECRET = ""
    assert post(client, reply, url="/sms/hook/x/").status_code == 404
    assert ReminderOptIn.objects.get(pk=sms_in.pk).is_active


def test_it_needs_no_csrf_token(alice, person):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    reply = {"webhook_event": "sms_mo", "data": {"sender": "+49 170 1234567", "text": "STOP"}}
    assert post(strict, reply).status_code == 200
