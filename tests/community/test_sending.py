"""Composing and sending: Markdown sanitised, segments, the queue's states, progress, and
a newsletter's render context holding nothing but the issue and the subscriber's link."""

import inspect

from django.core import mail
from django.template import engines

from community import rendering, sending, subscriptions
from community.models import Delivery, Issue, Subscriber
from community.sender import Sender
from tests.community.conftest import active_subscriber, register_volunteer
from tests.helpers import make_user

SENDER = Sender(house="Haus", carriers=("Träger",), imprint_url="", privacy_url="")


def test_markdown_becomes_html_and_raw_html_never_passes():
    html = rendering.markdown_html(
        "## Treffen\n\n**Bitte** kommen. <script>alert(1)</script> <b>x</b>\n\n"
        "[gut](https://example.org) [böse](javascript:alert(1)) ![pixel](https://t.example/p.gif)"
    )
    assert "<h2>Treffen</h2>" in html and "<strong>Bitte</strong>" in html
    assert "<script>" not in html and "<b>" not in html and "&lt;script&gt;" in html
    assert 'href="https://example.org"' in html
    assert "javascript:" not in html.replace("[böse](javascript:alert(1))", "")
    assert "<img" not in html


def test_the_render_function_gets_only_the_issue_text_and_the_unsubscribe_link(monkeypatch):
    assert list(inspect.signature(rendering.render_issue).parameters) == [
        "subject",
        "body",
        "unsubscribe_url",
        "sender",  # names and addresses from the settings (community.sender)
    ]
    seen = []
    original = rendering.render_to_string

    def spy(name, context=None, request=None, using=None):
        seen.append((name, set(context), request))
        return original(name, context, request=request, using=using)

    monkeypatch.setattr(rendering, "render_to_string", spy)
    rendering.render_issue(subject="S", body="B", unsubscribe_url="http://x/u/", sender=SENDER)
    assert {frozenset(keys) for _n, keys, _r in seen} == {
        frozenset({"subject", "html_body", "text_body", "unsubscribe_url", "sender"})
    }
    assert all(request is None for *_x, request in seen)  # no context processors, no user
    # And the templates name nothing else.
    for name in ("community/mail/issue.html", "community/mail/issue.txt"):
        source = engines["django"].engine.find_template(name)[0].source
        assert "case" not in source.lower() and "client" not in source.lower()


def test_the_mail_has_html_text_and_the_one_click_headers(cody):
    subscriber = active_subscriber("leser@example.org")
    issue = Issue.objects.create(subject="Rundbrief", body="Hallo **alle**", created_by=cody)
    sending.issue_send(actor=cody, issue=issue, base_url="https://haus.example/")
    assert sending.work_queue() == 1
    (message,) = mail.outbox
    assert message.body.startswith("Rundbrief") and "Hallo **alle**" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html" and "<strong>alle</strong>" in html
    token = subscriptions.unsubscribe_token(subscriber)
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<https://haus.example/newsletter/unsubscribe/{token}/>"
    )
    issue.refresh_from_db()
    assert issue.status == "sent" and issue.sent_at
    assert sending.progress(issue).sent == 1


def test_segments_by_language_district_and_interest(cody):
    arabic = make_user("arabic", "volunteer")
    arabic.email = "arabic@example.org"
    arabic.save()
    register_volunteer(
        cody, arabic, email="arabic@example.org", languages=["Arabisch"], districts=["Nord"]
    )
    farsi = make_user("farsi", "volunteer")
    register_volunteer(
        cody, farsi, email="farsi@example.org", languages=["Farsi"], districts=["Süd"]
    )
    paused = make_user("paused", "volunteer")
    register_volunteer(cody, paused, email="p@example.org", languages=["Arabisch"], status="paused")
    subs = {}
    for user in (arabic, farsi, paused):
        subs[user.username] = Subscriber.objects.create(
            user=user,
            email=f"{user.username}@example.org",
            email_index=subscriptions.email_index(f"{user.username}@example.org"),
            status="active",
            interests=["training"],
        )
    outside = active_subscriber("draussen@example.org", interests=["events"])

    def segment(**kw):
        issue = Issue(subject="x", body="x", created_by=cody, **kw)
        return {s.pk for s in sending.recipients(issue)}

    # The paused volunteer is never a recipient.
    assert segment() == {subs["arabic"].pk, subs["farsi"].pk, outside.pk}
    assert segment(languages=["ara"]) == {subs["arabic"].pk}
    # By code, with the macrolanguages: Persian reaches the volunteer who gave Farsi (pes).
    assert segment(languages=["fas"]) == {subs["farsi"].pk}
    assert segment(languages=["prs"]) == set()
    assert segment(districts=["Süd"]) == {subs["farsi"].pk}
    assert segment(interests=["events"]) == {outside.pk}
    assert segment(audience="outside") == {outside.pk}
    assert segment(audience="volunteers") == {subs["arabic"].pk, subs["farsi"].pk}


def test_a_subscriber_who_leaves_mid_send_is_skipped(cody):
    a = active_subscriber("a@example.org")
    b = active_subscriber("b@example.org")
    issue = Issue.objects.create(subject="R", body="T", created_by=cody)
    sending.issue_send(actor=cody, issue=issue, base_url="http://testserver/")
    subscriptions.unsubscribe(subscriber=b, channel="test")
    sending.work_queue()
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert dict(Delivery.objects.values_list("subscriber", "state")) == {
        a.pk: "sent",
        b.pk: "skipped",
    }


def test_a_refused_mail_is_tried_again_then_failed(cody, monkeypatch):
    active_subscriber("a@example.org")
    issue = Issue.objects.create(subject="R", body="T", created_by=cody)
    sending.issue_send(actor=cody, issue=issue, base_url="http://testserver/")
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise ConnectionRefusedError

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    for _i in range(sending.MAX_ATTEMPTS):
        sending.work_queue()
    delivery = Delivery.objects.get()
    assert delivery.state == "failed" and delivery.attempts == sending.MAX_ATTEMPTS
    assert "@" not in delivery.error


def test_the_coordinator_composes_previews_tests_and_sends(client, cody):
    cody.email = "cody@example.org"
    cody.save()
    active_subscriber("leser@example.org")
    client.force_login(cody)
    response = client.post(
        "/newsletter/new/",
        {"subject": "Rundbrief Dezember", "body": "# Hallo\n\n<i>roh</i>", "audience": "all"},
    )
    issue = Issue.objects.get()
    assert response["Location"] == f"/newsletter/{issue.code}/"
    page = client.get(f"/newsletter/{issue.code}/").content.decode()
    assert "<h1>Hallo</h1>" in page and "&lt;i&gt;roh&lt;/i&gt;" in page
    client.post(f"/newsletter/{issue.code}/", {"action": "test"})
    assert [m.to for m in mail.outbox] == [["cody@example.org"]]
    client.post(f"/newsletter/{issue.code}/send/", {"recipients": 1})
    client.post(f"/newsletter/{issue.code}/", {"action": "continue"})
    assert [m.to for m in mail.outbox][-1] == ["leser@example.org"]
    page = client.get(f"/newsletter/{issue.code}/").content.decode()
    assert "1 of 1 sent" in page
    assert "Rundbrief Dezember" in client.get("/newsletter/").content.decode()  # archive
