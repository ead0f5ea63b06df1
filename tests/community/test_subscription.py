"""The public subscription page: double opt-in, no enumeration, rate limit, CSRF; the
one-click unsubscribe without signing in; the volunteer's own opt-in."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from community import sending, subscriptions
from community.models import Consent, Issue, Subscriber
from tests.community.conftest import active_subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def subscribe(client, email="neu@example.org", **extra):
    data = {"email": email, "interests": ["events"], "consent": "on", **extra}
    return client.post("/newsletter/subscribe/", data)


def confirm_link(message) -> str:
    return re.search(r"http://testserver(/newsletter/confirm/[^/\s]+/)", message.body).group(1)


def test_it_sends_a_confirmation_and_nothing_else_until_confirmed(
    client, cody, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(client)
    assert response.status_code == 302 and response["Location"] == "/newsletter/subscribe/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["neu@example.org"]
    subscriber = Subscriber.objects.get()
    assert subscriber.status == "pending"
    # An issue sent now does not reach the unconfirmed address.
    confirmed = active_subscriber("alt@example.org")
    issue = Issue.objects.create(subject="Rundbrief", body="Text", created_by=cody)
    assert [s.pk for s in sending.recipients(issue)] == [confirmed.pk]
    sending.issue_send(actor=cody, issue=issue, base_url="http://testserver/")
    mail.outbox.clear()
    sending.work_queue()
    assert [m.to for m in mail.outbox] == [["alt@example.org"]]


def test_following_the_link_and_confirming_subscribes_with_the_proof(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client)
    link = confirm_link(mail.outbox[0])
    page = client.get(link)  # a mail scanner opening the link confirms nothing
    assert page.status_code == 200
    assert Subscriber.objects.get().status == "pending"
    done = client.post(link)
    assert done.status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.status == "active" and subscriber.confirmed_at
    proof = list(subscriber.consents.values_list("action", "text_version", "channel"))
    assert proof == [
        ("requested", "2026-11", "public page"),
        ("confirmed", "2026-11", "mail link"),
    ]
    assert all(
        len(c.text_sha256) == 64 and c.interests == ["events"] for c in Consent.objects.all()
    )
    assert client.post(link).status_code == 404  # used


def test_the_answer_is_the_same_whether_subscribed_or_not(
    client, django_capture_on_commit_callbacks
):
    active_subscriber("da@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        known = subscribe(client, "da@example.org")
        unknown = subscribe(client, "neu@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    a, b = Client().get(known["Location"]), Client().get(unknown["Location"])

    def without_tokens(page):  # each visitor's CSRF token differs, nothing else may
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page.content)

    assert without_tokens(a) == without_tokens(b)
    # The subscribed address gets no mail it did not ask for.
    assert [m.to for m in mail.outbox] == [["neu@example.org"]]


def test_the_address_is_stored_encrypted_with_a_blind_index(
    client, django_capture_on_commit_callbacks
):
    from django.db import connection

    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, "Geheim@Example.org")
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, email_index FROM community_subscriber")
        stored, index = cursor.fetchone()
    assert "geheim" not in stored.lower() and len(index) == 64
    assert Subscriber.objects.get(email_index=subscriptions.email_index("geheim@example.org "))


def test_the_public_page_is_rate_limited_per_address(client):
    for _i in range(10):
        assert subscribe(client, "x@example.org").status_code == 302
    limited = subscribe(client, "y@example.org")
    assert limited.status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert subscribe(other, "z@example.org").status_code == 302


def test_the_public_page_needs_the_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    assert subscribe(strict).status_code == 403
    page = strict.get("/newsletter/subscribe/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert subscribe(strict, csrfmiddlewaretoken=token).status_code == 302


def test_one_click_unsubscribe_works_without_login_and_without_csrf_token(cody):
    subscriber = active_subscriber("leser@example.org")
    issue = Issue.objects.create(subject="Rundbrief", body="Text", created_by=cody)
    sending.issue_send(actor=cody, issue=issue, base_url="http://testserver/")
    sending.work_queue()
    message = mail.outbox[-1]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.match(r"<http://testserver(.+)>", message.extra_headers["List-Unsubscribe"]).group(1)
    assert url in message.body  # the same link in the text
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed" and subscriber.email is None
    assert subscriber.email_index  # kept with the consent rows as proof
    assert list(subscriber.consents.values_list("action", flat=True)) == ["withdrawn"]
    # A forged token does nothing.
    assert strict.post(url[:-3] + "xx/").status_code == 404


def test_the_unsubscribe_link_shows_a_button_first(cody):
    subscriber = active_subscriber("leser@example.org")
    url = f"/newsletter/unsubscribe/{subscriptions.unsubscribe_token(subscriber)}/"
    assert Client().get(url).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "active"


def test_an_unsubscribed_address_can_subscribe_again(client, django_capture_on_commit_callbacks):
    subscriber = active_subscriber("zurueck@example.org")
    subscriptions.unsubscribe(subscriber=subscriber, channel="test")
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, "zurueck@example.org")
    assert Subscriber.objects.get().status == "pending"
    assert len(mail.outbox) == 1


def test_a_volunteer_opts_in_on_her_page(client, active_vera):
    client.force_login(active_vera)
    assert client.get("/newsletter/me/").status_code == 200
    response = client.post("/newsletter/me/", {"interests": ["training"], "consent": "on"})
    assert response.status_code == 302
    subscriber = Subscriber.objects.get(user=active_vera)
    assert subscriber.status == "active" and subscriber.email == "vera@example.org"
    assert subscriber.consents.get().channel == "volunteer page"
    client.post("/newsletter/me/", {"action": "unsubscribe"})
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"


def test_a_volunteer_not_active_in_the_register_cannot_opt_in(client, vera):
    client.force_login(vera)
    response = client.post("/newsletter/me/", {"interests": [], "consent": "on"})
    assert response.status_code == 200
    assert not Subscriber.objects.exists()
