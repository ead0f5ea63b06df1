"""Item 10 of issue 36: the coordinator sees how many volunteers get the newsletter and how
they join; no send button for an empty segment; a confirmation naming the number first; a
double submit sends nothing twice."""

from django.core import mail

from community import sending
from community.models import Delivery, Issue, Subscriber
from community.selectors import volunteer_reach
from tests.community.conftest import active_subscriber, register_volunteer
from tests.helpers import make_user


def draft(client, audience="all"):
    client.post("/newsletter/new/", {"subject": "Rundbrief", "body": "Hallo", "audience": audience})
    return Issue.objects.get()


def test_an_empty_volunteer_segment_says_why_and_offers_no_send(client, cody, active_vera):
    make_user("karl", "volunteer")  # not in the register: does not count
    client.force_login(cody)
    issue = draft(client, audience="volunteers")
    page = client.get(f"/newsletter/{issue.code}/").content.decode()
    assert "0 of 1 active volunteers receive the newsletter" in page
    assert "Volunteers subscribe themselves" in page and "Newsletter" in page
    assert f"/newsletter/{issue.code}/send/" not in page and "Send to 0" not in page
    assert "Nobody is in this segment yet" in page
    response = client.get(f"/newsletter/{issue.code}/send/")
    assert response.url == f"/newsletter/{issue.code}/"
    assert "0 of 1 active volunteers" in client.get("/newsletter/").content.decode()


def test_a_volunteer_subscribes_on_her_page_and_counts(client, cody, active_vera):
    client.force_login(active_vera)
    assert 'href="/newsletter/me/"' in client.get("/volunteers/me/").content.decode()
    client.post("/newsletter/me/", {"interests": ["events"], "consent": "on"})
    assert Subscriber.objects.get(user=active_vera).status == Subscriber.Status.ACTIVE
    client.force_login(cody)
    issue = draft(client, audience="volunteers")
    page = client.get(f"/newsletter/{issue.code}/").content.decode()
    assert "1 of 1 active volunteers receive the newsletter" in page
    assert f"/newsletter/{issue.code}/send/" in page and "Send to 1 subscriber" in page


def test_sending_asks_first_naming_the_number(client, cody):
    for n in range(3):
        active_subscriber(f"leser{n}@example.org")
    client.force_login(cody)
    issue = draft(client)
    detail = client.get(f"/newsletter/{issue.code}/").content.decode()
    assert 'name="action" value="send"' not in detail  # no one-tap send on the preview
    # The old one-tap POST sends nothing either.
    client.post(f"/newsletter/{issue.code}/", {"action": "send"})
    assert not Delivery.objects.exists()
    page = client.get(f"/newsletter/{issue.code}/send/").content.decode()
    assert "3 recipients" in page and "Yes, send to 3 recipients" in page
    assert not Delivery.objects.exists()  # a GET sends nothing
    response = client.post(f"/newsletter/{issue.code}/send/", {"recipients": 3})
    assert response.url == f"/newsletter/{issue.code}/"
    assert Delivery.objects.count() == 3
    # A double tap, Back and send again: its page, nothing queued twice.
    again = client.post(f"/newsletter/{issue.code}/send/", {"recipients": 3})
    assert again.url == f"/newsletter/{issue.code}/"
    assert Delivery.objects.count() == 3
    sending.work_queue(issue=issue)
    assert len(mail.outbox) == 3


def test_a_segment_that_changed_is_confirmed_again(client, cody):
    active_subscriber("a@example.org")
    client.force_login(cody)
    issue = draft(client)
    active_subscriber("b@example.org")  # subscribed while the coordinator read the page
    response = client.post(f"/newsletter/{issue.code}/send/", {"recipients": 1})
    assert response.status_code == 200
    assert "now has 2 recipients" in response.content.decode()
    assert not Delivery.objects.exists()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


def test_only_the_coordinator_sends(client, cody, vera, alice):
    active_subscriber("a@example.org")
    client.force_login(cody)
    issue = draft(client)
    for user in (vera, alice):
        client.force_login(user)
        assert client.get(f"/newsletter/{issue.code}/send/").status_code == 404
        assert client.post(f"/newsletter/{issue.code}/send/", {"recipients": 1}).status_code == 404
    assert not Delivery.objects.exists()


def test_an_ended_engagement_does_not_count_as_active(cody, vera):
    # The count above reads the register.
    register_volunteer(cody, vera, status="ended")
    assert volunteer_reach().active == 0
