"""The reminders from the fake gateway's point of view (a real local HTTP server speaking
seven.io's API): one message in the person's language the day before, nothing without an
opt-in, quiet hours, retries and failures, time-outs never sent twice."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import ClientReference
from referrals.models import PrintText, Reminder
from referrals.reminders import sending
from tests.helpers import open_case
from tests.reminders.conftest import BERLIN, TOMORROW_1030
from tests.reminders.world import FAR, PURPOSE, accompaniment, opt_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(alice, team_a, mbe, morning):
    case = open_case(alice, team_a, first_name="Senait", last_name="Tesfay", valid_until=FAR)
    org = team_a.organisation
    org.phone = "0221 123450"
    org.save()
    return case.clients.get()


def run():
    queued = sending.reminders_queue_due()
    return queued, sending.reminders_work()


def test_a_tigrinya_opt_in_gets_exactly_one_reminder_in_tigrinya(alice, person, mbe, gateway):
    opt_in(alice, person, language="ti", address="0170 1234567")
    accompaniment(person.case, person, TOMORROW_1030, service=mbe)
    assert run() == (1, 1)
    assert run() == (0, 0)  # the next cron run: nothing new
    [message] = gateway.messages()
    assert message.to == "+491701234567"
    assert "መዘኻኸሪ" in message.text  # Tigrinya
    assert "11.03.2026" in message.text and "10:30" in message.text
    assert person.case.reference in message.text and "0221 123450" in message.text
    assert "Marktstraße 1, 12345 Musterstadt" in message.text  # the address only
    assert "Migrationsberatung" not in message.text
    for word in PURPOSE.split():
        assert word not in message.text
    reminder = Reminder.objects.get()
    assert reminder.state == "sent" and reminder.provider_id == message.id


def test_no_opt_in_no_message(alice, person, gateway):
    accompaniment(person.case, person, TOMORROW_1030)
    assert run() == (0, 0)
    assert gateway.requests == 0 and not mail.outbox


def test_an_unreviewed_translation_goes_with_the_german_text_a_reviewed_one_alone(
    alice, person, gateway, morning
):
    opt_in(alice, person, language="ti")
    accompaniment(person.case, person, TOMORROW_1030)
    run()
    assert "Erinnerung" in gateway.messages()[0].text  # German below, not reviewed
    PrintText.objects.filter(printout="reminders", language="ti").update(
        review="reviewed", reviewed_at=datetime.datetime(2026, 3, 1, tzinfo=BERLIN)
    )
    accompaniment(person.case, person, TOMORROW_1030 + datetime.timedelta(hours=2))
    run()
    text = gateway.messages()[1].text
    assert "መዘኻኸሪ" in text and "Erinnerung" not in text


def test_an_e_mail_opt_in_gets_a_mail(alice, person, gateway):
    opt_in(alice, person, channel="email", language="fr", address="senait@example.org")
    accompaniment(person.case, person, TOMORROW_1030)
    assert run() == (1, 1)
    [message] = mail.outbox
    assert message.to == ["senait@example.org"] and "Rappel" in message.body
    # How to stop them, by phone (a mail cannot be answered with STOP); not the SMS line.
    assert "Appelez-nous" in message.body and "STOP" not in message.body
    assert gateway.requests == 0


def test_quiet_hours_hold_sms_until_the_morning(alice, person, gateway, morning):
    opt_in(alice, person)
    accompaniment(person.case, person, TOMORROW_1030)
    morning.move_to(datetime.datetime(2026, 3, 10, 21, 15, tzinfo=BERLIN))
    assert run() == (1, 0)
    morning.move_to(datetime.datetime(2026, 3, 11, 7, 59, tzinfo=BERLIN))
    assert sending.reminders_work() == 0
    assert gateway.requests == 0
    morning.move_to(datetime.datetime(2026, 3, 11, 8, 0, tzinfo=BERLIN))
    assert sending.reminders_work() == 1
    assert len(gateway.messages()) == 1


def test_a_reminder_past_its_appointment_is_skipped(alice, person, gateway, morning):
    opt_in(alice, person)
    accompaniment(person.case, person, TOMORROW_1030)
    morning.move_to(datetime.datetime(2026, 3, 10, 23, 0, tzinfo=BERLIN))
    run()
    morning.move_to(datetime.datetime(2026, 3, 11, 11, 0, tzinfo=BERLIN))
    assert sending.reminders_work() == 0
    assert Reminder.objects.get().state == "skipped" and gateway.requests == 0


def test_a_failing_gateway_is_tried_again_then_the_reminder_fails(alice, person, gateway):
    opt_in(alice, person)
    accompaniment(person.case, person, TOMORROW_1030)
    gateway.mode = "fail"
    sending.reminders_queue_due()
    for _ in range(sending.MAX_ATTEMPTS):
        assert sending.reminders_work() == 0
    reminder = Reminder.objects.get()
    assert reminder.state == "failed" and reminder.attempts == sending.MAX_ATTEMPTS
    assert gateway.requests == sending.MAX_ATTEMPTS
    assert reminder.error == "Refused" and "170" not in reminder.error


def test_a_refusal_then_success(alice, person, gateway):
    opt_in(alice, person)
    accompaniment(person.case, person, TOMORROW_1030)
    gateway.mode = "refuse"
    assert run() == (1, 0)
    assert Reminder.objects.get().state == "pending"
    gateway.mode = "ok"
    assert sending.reminders_work() == 1
    assert len(gateway.messages()) == 1


def test_a_gateway_that_does_not_answer_is_not_tried_again(alice, person, gateway):
    """It took the message but its answer came too late: maybe sent, so never sent again."""
    opt_in(alice, person)
    accompaniment(person.case, person, TOMORROW_1030)
    gateway.mode, gateway.delay = "slow", 2.5
    assert run() == (1, 0)
    assert sending.reminders_work() == 0
    reminder = Reminder.objects.get()
    assert reminder.state == "failed" and reminder.error.startswith("interrupted")
    assert len(gateway.messages()) == 1


def test_no_gateway_at_all_is_retried(alice, person, gateway, settings):
    opt_in(alice, person)
    accompaniment(person.case, person, TOMORROW_1030)
    settings.CASEWORKS_SMS_API_URL = "http://127.0.0.1:9/api/sms"  # nothing listens
    assert run() == (1, 0)
    assert Reminder.objects.get().state == "pending"
    settings.CASEWORKS_SMS_API_URL = gateway.url
    assert sending.reminders_work() == 1


def test_an_opt_out_after_queueing_skips_the_reminder(alice, person, gateway):
    from referrals.reminders import services

    optin = opt_in(alice, person)
    accompaniment(person.case, person, TOMORROW_1030)
    sending.reminders_queue_due()
    services.reminder_opt_out(actor=alice, opt_in=optin, expected_version=optin.version)
    assert sending.reminders_work() == 0
    assert Reminder.objects.get().state == "skipped" and gateway.requests == 0


def test_a_document_expiring_is_reminded_once(alice, person, gateway):
    from cases.models import ClientReference

    opt_in(alice, person, language="ar")
    ClientReference.objects.create(
        client=person, kind="passport", number="P123", valid_until=datetime.date(2026, 3, 20)
    )
    assert run() == (1, 1)
    assert "20.03.2026" in gateway.messages()[0].text
    assert "P123" not in gateway.messages()[0].text
    assert run() == (0, 0)


def test_queueing_documents_costs_the_same_queries_for_one_or_many(alice, person, team_a):
    """The case's reference and the carrier's phone come with the documents' query: queueing
    three documents' reminders asks the database as often as queueing one."""

    def queries_to_queue(persons):
        for p in persons:
            opt_in(alice, p, language="ar")
            ClientReference.objects.create(
                client=p, kind="passport", number="P1", valid_until=datetime.date(2026, 3, 20)
            )
        with CaptureQueriesContext(connection) as captured:
            assert sending.reminders_queue_due() == len(persons)
        return len(captured)

    one = queries_to_queue([person])
    others = [
        open_case(alice, team_a, first_name=f"Person{i}", valid_until=FAR).clients.get()
        for i in range(3)
    ]
    assert queries_to_queue(others) == one


def test_an_appointment_tomorrow_is_reminded_a_cancelled_one_not(alice, person, gateway):
    from cases import services as case_services
    from cases.models import Appointment

    opt_in(alice, person, channel="email", language="uk", address="p@example.org")
    case_services.appointment_create(
        actor=alice, case=person.case, persons=[person], kind="doctor", starts_at=TOMORROW_1030
    )
    called_off = case_services.appointment_create(
        actor=alice,
        case=person.case,
        persons=[person],
        kind="immigration_office",
        starts_at=TOMORROW_1030 + datetime.timedelta(hours=3),
    )
    Appointment.objects.filter(pk=called_off.pk).update(
        cancelled_at=datetime.datetime(2026, 3, 9, tzinfo=BERLIN)
    )
    assert run() == (1, 1)
    [message] = mail.outbox
    assert "Нагадування" in message.body and "10:30" in message.body
    for word in ("doctor", "Arzt", "Ausländerbehörde", "immigration"):
        assert word not in message.body and word not in message.subject


def test_a_closed_case_gets_no_reminders(alice, person, gateway):
    from cases.models import Case

    opt_in(alice, person)
    accompaniment(person.case, person, TOMORROW_1030)
    Case.objects.filter(pk=person.case.pk).update(
        closed_on=datetime.date(2026, 3, 10), closing_reason="other"
    )
    assert run() == (0, 0)
    assert gateway.requests == 0
