"""The public subscription page: double opt-in, no enumeration (neither in the answer nor in
the work done), rate limit, CSRF; the one-click unsubscribe without signing in; the volunteer's
own opt-in."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from community import ratelimit, sending, subscriptions
from community.models import Consent, Issue, RequestCounter, Subscriber, SubscribeRequest
from tests.community.conftest import active_subscriber

pytestmark = pytest.mark.django_db


def subscribe(client, email="neu@example.org", **extra):
    """A POST on the public page, then the worker (`send_newsletter`) takes the request."""
    data = {"email": email, "interests": ["events"], "consent": "on", **extra}
    response = client.post("/newsletter/subscribe/", data)
    call_command("send_newsletter", verbosity=0)
    return response


def post(client, email):
    data = {"email": email, "interests": ["events"], "consent": "on"}
    return client.post("/newsletter/subscribe/", data)


def confirm_link(message) -> str:
    return re.search(r"http://testserver(/newsletter/confirm/[^/\s]+/)", message.body).group(1)


def test_it_sends_a_confirmation_and_nothing_else_until_confirmed(client, cody):
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


def test_following_the_link_and_confirming_subscribes_with_the_proof(client):
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


def test_the_answer_is_the_same_whether_subscribed_or_not(client):
    active_subscriber("da@example.org")
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


def test_the_address_is_stored_encrypted_with_a_blind_index(client):
    subscribe(client, "Geheim@Example.org")
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, email_index FROM community_subscriber")
        stored, index = cursor.fetchone()
    assert "geheim" not in stored.lower() and len(index) == 64
    assert Subscriber.objects.get(email_index=subscriptions.email_index("geheim@example.org "))


def _statements(queries) -> list[str]:
    """The statements run, without their values (an address's ciphertext, a time)."""
    return [re.sub(r"'[^']*'|\b\d+(\.\d+)?\b", "?", q["sql"]) for q in queries]


def test_the_page_does_the_same_work_for_a_subscribed_and_a_new_address(client):
    """Issue 35: a subscribed address answered in 121 ms, a new one in 178 ms, because only
    the new one was written and mailed in the request. Now the request queues the same one
    row for every address and mails nothing; the worker does the rest."""
    active_subscriber("da@example.org")
    subscriptions.unsubscribe(subscriber=active_subscriber("weg@example.org"), channel="test")
    post(client, "vorab@example.org")  # the first of the hour opens the limit's counter
    work = {}
    for email in ("da@example.org", "neu@example.org", "weg@example.org"):
        with CaptureQueriesContext(connection) as queries:
            assert post(client, email).status_code == 302
        work[email] = _statements(queries)
    assert work["da@example.org"] == work["neu@example.org"] == work["weg@example.org"]
    writes = [q for q in work["neu@example.org"] if q.split()[0] in ("INSERT", "UPDATE")]
    assert writes and not any('"community_subscriber"' in q for q in work["neu@example.org"])
    assert mail.outbox == [] and SubscribeRequest.objects.count() == 4
    # The worker: a confirmation for the new and the unsubscribed address, nothing unasked
    # for the subscribed one.
    call_command("send_newsletter", verbosity=0)
    mailed = sorted(m.to[0] for m in mail.outbox)
    assert mailed == ["neu@example.org", "vorab@example.org", "weg@example.org"]
    assert not SubscribeRequest.objects.exists()
    requested = Consent.objects.filter(action="requested").values_list("source_index", flat=True)
    assert len(requested) == 3 and all(len(index) == 64 for index in requested)


def test_the_public_page_is_rate_limited_per_address(client):
    for _i in range(10):
        assert post(client, "x@example.org").status_code == 302
    limited = post(client, "y@example.org")
    assert limited.status_code == 429 and limited["Retry-After"] == "3600"
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert post(other, "z@example.org").status_code == 302
    assert SubscribeRequest.objects.count() == 11  # the refused one queued nothing


def test_the_limit_is_counted_in_the_database_not_in_a_worker():
    """Issue 35: with the per-process cache, 4 workers accepted 40 against a limit of 10. The
    count lives in one row a window, shared by every process (tests/community/
    test_file_database.py races processes against it)."""
    at = datetime.datetime(2026, 12, 7, 10, 59, tzinfo=datetime.UTC)
    hour = datetime.timedelta(hours=1)
    taken = [ratelimit.take(scope="t", key="192.0.2.1", limit=3, window=hour, now=at)]
    taken += [ratelimit.take(scope="t", key="192.0.2.1", limit=3, window=hour, now=at)]
    taken += [ratelimit.take(scope="t", key="192.0.2.1", limit=3, window=hour, now=at)]
    taken += [ratelimit.take(scope="t", key="192.0.2.1", limit=3, window=hour, now=at)]
    assert taken == [True, True, True, False]
    row = RequestCounter.objects.get()
    assert row.count == 3 and "192.0.2.1" not in row.key_index  # a keyed hash only
    # The next window starts afresh; a day later the old window's row is deleted.
    assert ratelimit.take(scope="t", key="192.0.2.1", limit=3, window=hour, now=at + hour)
    assert ratelimit.purge(now=at + datetime.timedelta(hours=24)) == 1
    assert RequestCounter.objects.count() == 1


def test_requests_no_worker_took_are_deleted_after_a_week(client):
    post(client, "liegen@example.org")
    SubscribeRequest.objects.update(
        requested_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=8)
    )
    call_command("community_retention", stdout=None)
    assert not SubscribeRequest.objects.exists()


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


def test_an_unsubscribed_address_can_subscribe_again(client):
    subscriber = active_subscriber("zurueck@example.org")
    subscriptions.unsubscribe(subscriber=subscriber, channel="test")
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
