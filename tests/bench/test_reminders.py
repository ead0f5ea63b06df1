"""`make bench`: 1,000 reminders queued for persons of the city data set who opted in to SMS,
then handed to the fake SMS gateway (a real local HTTP server speaking seven.io's API, in this
process): messages per second, end to end (claiming, HTTP, marking sent). Printed in the bench
table; no goal is asserted (the machine is shared), only that every number got exactly one
message a reminder."""

import datetime
import time

import time_machine
from django.contrib.auth import get_user_model
from django.test.utils import override_settings
from django.utils import timezone

from cases.models import Client
from referrals.models import Reminder, ReminderOptIn
from referrals.reminders import sending, texts
from tests.bench.conftest import RESULTS, Row
from tests.reminders.fake_gateway import API_KEY, FakeGateway
from visits.models import Accompaniment

REMINDERS = 1000


def test_queueing_and_sending_1000_reminders(db):
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(noon, tick=True):
        _run()


def _run():
    actor = get_user_model().objects.create(username="bench-reminders")
    persons = list(
        Client.objects.filter(case__closed_on__isnull=True)
        .exclude(pk__in=ReminderOptIn.objects.active().values("client_id"))
        .select_related("case__team__organisation")
        .order_by("pk")[:REMINDERS]
    )
    assert len(persons) == REMINDERS, "the city data set is too small"
    shown, version, _reviewed = texts.opt_in_text(language="ti", organisation="Träger")
    ReminderOptIn.objects.bulk_create(
        [
            ReminderOptIn(
                client=p,
                channel="sms",
                language="ti",
                address=f"+4917{i:08d}",
                text_shown=shown,
                text_version=version,
                opted_in_on=timezone.localdate(),
                recorded_by=actor,
            )
            for i, p in enumerate(persons)
        ],
        batch_size=500,
    )
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    Accompaniment.objects.bulk_create(
        [
            Accompaniment(
                case=p.case,
                client=p,
                destination_kind="authority",
                appointment_at=tomorrow,
                purpose="Termin",
            )
            for p in persons
        ],
        batch_size=500,
    )
    gateway = FakeGateway().start()
    try:
        with override_settings(
            CASEWORKS_SMS_BACKEND="seven",
            CASEWORKS_SMS_API_URL=gateway.url,
            CASEWORKS_SMS_API_KEY=API_KEY,
            CASEWORKS_SMS_QUIET_FROM=0,  # no quiet hours: the bench runs at any hour
            CASEWORKS_SMS_QUIET_UNTIL=0,
        ):
            started = time.perf_counter()
            queued = sending.reminders_queue_due()
            queued_at = time.perf_counter()
            sent = sending.reminders_work()
            finished = time.perf_counter()
    finally:
        gateway.stop()
    # Our persons' own appointments, accompaniments and expiring documents in the city data
    # set add theirs: at least one reminder each, and one message a reminder.
    assert queued >= REMINDERS and sent == queued
    assert len(gateway.messages()) == sent == Reminder.objects.filter(state="sent").count()
    assert {f"+4917{i:08d}" for i in range(REMINDERS)} <= {m.to for m in gateway.messages()}
    rate = sent / (finished - queued_at)
    print(
        f"\nreminders: queued {queued} in {queued_at - started:.1f} s, "
        f"sent in {finished - queued_at:.1f} s = {rate:.0f} messages/s"
    )
    RESULTS.append(Row("reminders: queue 1,000 (day before)", queued_at - started, unit="s"))
    RESULTS.append(Row("reminders: send via SMS (fake gateway)", rate, unit="msg/s"))
