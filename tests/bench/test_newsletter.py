"""`make bench`: one newsletter issue to 5,000 subscribers through the send queue, over SMTP
to a real local server (aiosmtpd, in this process): messages per second, end to end
(claiming, rendering Markdown, SMTP, marking sent). Printed in the bench table; no goal is
asserted (the machine is shared), only that every recipient got exactly one mail."""

import collections
import time

from django.contrib.auth import get_user_model
from django.test.utils import override_settings
from django.utils import timezone

from community import sending, subscriptions
from community.models import Issue, Subscriber
from tests.bench.conftest import RESULTS, Row
from tests.community.smtp_sink import start_sink

SUBSCRIBERS = 5000
BODY = "## Rundbrief\n\nLiebe Leserinnen und Leser,\n\n" + "Ein Absatz mit **Text**. " * 40


def test_sending_to_5000_subscribers(db):
    cody = get_user_model().objects.create(username="bench-coordinator")
    Subscriber.objects.bulk_create(
        [
            Subscriber(
                email=f"reader{i}@example.org",
                email_index=subscriptions.email_index(f"reader{i}@example.org"),
                status="active",
                confirmed_at=timezone.now(),
            )
            for i in range(SUBSCRIBERS)
        ],
        batch_size=1000,
    )
    issue = Issue.objects.create(subject="Rundbrief", body=BODY, created_by=cody)
    # The city data set holds subscribers of its own (its demo house has a few): those the
    # issue picks get it too, once each.
    others = len(sending.recipients(issue)) - SUBSCRIBERS
    controller, sink = start_sink()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=controller.port,
        ):
            started = time.perf_counter()
            queued = sending.issue_send(actor=cody, issue=issue, base_url="https://haus.example/")
            queued_at = time.perf_counter()
            sent = sending.work_queue()
            finished = time.perf_counter()
        deadline = time.monotonic() + 30
        while len(sink.messages) < SUBSCRIBERS + others and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        controller.stop()
    assert queued == sent == SUBSCRIBERS + others
    counts = collections.Counter(sink.recipients())
    assert len(counts) == SUBSCRIBERS + others and set(counts.values()) == {1}
    assert {f"reader{i}@example.org" for i in range(SUBSCRIBERS)} <= set(counts)
    rate = SUBSCRIBERS / (finished - queued_at)
    print(
        f"\nnewsletter: queued {SUBSCRIBERS} in {queued_at - started:.1f} s, "
        f"sent in {finished - queued_at:.1f} s = {rate:.0f} messages/s"
    )
    RESULTS.append(Row("newsletter: queue 5,000 recipients", queued_at - started, unit="s"))
    RESULTS.append(Row("newsletter: send via SMTP (aiosmtpd sink)", rate, unit="msg/s"))
