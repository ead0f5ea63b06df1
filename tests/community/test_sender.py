"""Item 14 of issue 36: the public newsletter pages and every newsletter mail name the house
and its carriers and link the imprint and the privacy notice."""

import re

from django.core import mail

from caseworks.models import Organisation
from community import sending, subscriptions
from community.models import Issue
from community.sender import newsletter_sender
from tests.community.conftest import active_subscriber

IMPRINT = "https://haus.example.org/impressum"
PRIVACY = "https://haus.example.org/datenschutz"


def house(settings):
    settings.CASEWORKS_HOUSE_NAME = "Beratungshaus Nordstadt"
    settings.CASEWORKS_IMPRINT_URL = IMPRINT
    settings.CASEWORKS_PRIVACY_URL = PRIVACY
    settings.DEFAULT_FROM_EMAIL = "newsletter@haus.example.org"
    Organisation.objects.create(name="Diakonie Nordstadt")
    Organisation.objects.create(name="Caritas Nordstadt")


def test_the_public_pages_name_the_house_and_link_imprint_and_privacy(db, client, settings):
    house(settings)
    for url in ("/newsletter/subscribe/", "/newsletter/subscribe/sent/"):
        page = client.get(url).content.decode()
        assert "Beratungshaus Nordstadt" in page, url
        assert "Caritas Nordstadt, Diakonie Nordstadt" in page, url
        assert f'href="{IMPRINT}"' in page and f'href="{PRIVACY}"' in page, url


def test_the_mails_say_who_sends_them(client, cody, settings, django_capture_on_commit_callbacks):
    house(settings)
    subscriptions.subscribe_request(
        email="nachbarin@example.org",
        interests=[],
        language="de",
        base_url="http://testserver/",
        source="",
    )
    subscriptions.subscribe_requests_work()
    confirm = mail.outbox[-1]
    assert confirm.from_email == "Beratungshaus Nordstadt <newsletter@haus.example.org>"
    assert IMPRINT in confirm.body and PRIVACY in confirm.body
    active_subscriber("leser@example.org")
    issue = Issue.objects.create(subject="Rundbrief", body="Hallo", created_by=cody)
    sending.issue_send(actor=cody, issue=issue, base_url="http://testserver/")
    sending.work_queue(issue=issue)
    message = mail.outbox[-1]
    assert message.from_email == "Beratungshaus Nordstadt <newsletter@haus.example.org>"
    assert "Beratungshaus Nordstadt" in message.body and "Caritas Nordstadt" in message.body
    assert IMPRINT in message.body and PRIVACY in message.body
    html = message.alternatives[0][0]
    assert f'href="{IMPRINT}"' in html and f'href="{PRIVACY}"' in html
    assert re.search(r"Diakonie Nordstadt", html)


def test_without_a_house_name_the_carriers_sign(db, settings):
    settings.DEFAULT_FROM_EMAIL = "newsletter@haus.example.org"
    Organisation.objects.create(name="AWO Kreisverband")
    sender = newsletter_sender()
    assert sender.name == "AWO Kreisverband"
    assert sender.from_email == "AWO Kreisverband <newsletter@haus.example.org>"
