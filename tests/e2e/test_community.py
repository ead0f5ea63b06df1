"""Events and newsletter in the browser (360 px): an outside person subscribes and confirms
through the mail a real local SMTP server (aiosmtpd) received; the coordinator sends an
issue to a segment; a volunteer registers for an event and is marked present on a phone."""

import datetime
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from community import services
from community.models import Registration, Subscriber
from tests.community.smtp_sink import start_sink
from tests.e2e.conftest import PASSWORD
from volunteers import services as volunteer_services


@pytest.fixture
def smtp(settings):
    controller, sink = start_sink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    yield sink
    controller.stop()


@pytest.fixture
def network(house):
    cody = get_user_model().objects.create_user(
        "cody", password=PASSWORD, first_name="Clara", last_name="Koch"
    )
    cody.email = "koordination@example.org"
    cody.save()
    cody.groups.add(Group.objects.get(name="coordinator"))
    karl = house["users"]["karl"]
    karl.email = "karl@example.org"
    karl.save()
    volunteer_services.volunteer_create(
        actor=cody,
        user=karl,
        data={"status": "active", "email": "karl@example.org", "districts": ["Nord"]},
        languages=[("Arabisch", "good")],
    )
    event = services.event_create(
        actor=cody,
        title="Austauschtreffen im Café",
        kind="exchange",
        starts_at=timezone.now() + datetime.timedelta(minutes=30),
        duration_minutes=120,
        place="Begegnungscafé, Marktplatz 3",
        capacity=2,
        audience="volunteers",
        description="Erfahrungen austauschen.",
    )
    return {**house, "cody": cody, "karl": karl, "event": event}


def wait_for(sink, count, timeout=10.0):
    deadline = time.monotonic() + timeout
    while len(sink.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(sink.messages) >= count, [m["Subject"] for m in sink.messages]


@pytest.mark.parametrize("journey", [360], indirect=True, ids=["phone"])
def test_subscribe_send_register_and_attend(journey, network, smtp):
    page = journey.page

    # An outside person subscribes on the public page ...
    page.context.clear_cookies()
    journey.go("/newsletter/subscribe/")
    journey.check("community-subscribe")
    page.fill('[name="email"]', "nachbarin@example.org")
    page.check('input[name="interests"][value="events"]')
    page.check('[name="consent"]')
    journey.submit()
    journey.check("community-check-your-mail")
    # ... and confirms through the link in the mail the SMTP server received, once the
    # minute's cron run has worked off the page's queue.
    assert not smtp.messages  # the page only queues: the same work for every address
    call_command("send_newsletter", max_seconds=5)
    wait_for(smtp, 1)
    confirmation = smtp.messages[0]
    assert confirmation["To"] == "nachbarin@example.org"
    body = confirmation.get_content()
    link = re.search(r"https?://[^\s]+/newsletter/confirm/[^\s/]+/", body).group(0)
    page.goto(link)
    journey.check("community-confirm")
    journey.submit()
    journey.check("community-confirmed")
    assert Subscriber.objects.get().status == "active"

    # The coordinator writes an issue for the segment "events" and sends it.
    journey.sign_in("cody")
    journey.go("/newsletter/new/")
    page.fill('[name="subject"]', "Einladung zum Austauschtreffen")
    page.fill('[name="body"]', "## Austauschtreffen\n\nWir freuen uns auf **Sie**.")
    page.check('input[name="interests"][value="events"]')
    journey.submit()
    journey.check("community-issue-preview")
    with page.expect_navigation():
        page.locator("main a", has_text=re.compile("Send to|Abonnent")).click()
    journey.submit("Yes, send|Ja, an")  # the confirmation names the number first
    journey.submit("next batch|Stapel")  # no cron here: the page sends
    journey.check("community-issue-sent")
    wait_for(smtp, 2)
    issue_mail = smtp.messages[1]
    assert issue_mail["To"] == "nachbarin@example.org"
    assert issue_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(issue_mail["List-Unsubscribe"]).strip().startswith("<http")

    # The volunteer registers for the event on his phone.
    journey.sign_in("karl")
    journey.go("/events/mine/")
    journey.check("community-my-events")
    page.locator("main a", has_text="Austauschtreffen im Café").click()
    page.wait_for_load_state("load")
    journey.submit()
    journey.check("community-registered")
    registration = Registration.objects.get(user=network["karl"])
    assert registration.status == "confirmed"

    # The coordinator takes attendance at the door, on a phone.
    journey.sign_in("cody")
    journey.go(f"/events/{network['event'].code}/attendance/")
    journey.check("community-attendance")
    tap = page.locator(f"#r-{registration.code} button.tap-yes")
    box = tap.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # a thumb's target
    with page.expect_navigation():
        tap.click()
    journey.check("community-attendance-present")
    registration.refresh_from_db()
    assert registration.attended is True
