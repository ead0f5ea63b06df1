"""Mails of the newsletter itself: the double opt-in confirmation and one issue's message
(with the RFC 8058 one-click unsubscribe headers)."""

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from community import consent
from community.models import Issue, Subscriber
from community.rendering import render_issue
from community.sender import newsletter_sender


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def send_confirmation(subscriber: Subscriber, token: str, base_url: str) -> None:
    # Imported here: community.subscriptions imports this module (a cycle).
    from community.subscriptions import CONFIRM_DAYS

    sender = newsletter_sender()
    with override(subscriber.language):
        body = render_to_string(
            "community/mail/confirm.txt",
            {
                "confirm_url": absolute(base_url, reverse("newsletter:confirm", args=[token])),
                "days": CONFIRM_DAYS,
                "consent_text": consent.consent_text(),
                "sender": sender,
            },
        )
        subject = _("Please confirm your newsletter subscription")
    EmailMessage(
        subject=subject, body=body, from_email=sender.from_email, to=[subscriber.email]
    ).send()


def unsubscribe_url(base_url: str, subscriber: Subscriber) -> str:
    # Imported here: community.subscriptions imports this module (a cycle).
    from community.subscriptions import unsubscribe_token

    return absolute(
        base_url, reverse("newsletter:unsubscribe", args=[unsubscribe_token(subscriber)])
    )


def issue_message(
    issue: Issue, subscriber: Subscriber, *, to: str | None = None
) -> EmailMultiAlternatives:
    """One issue for one subscriber (`to`: another address, for the test send)."""
    link = unsubscribe_url(issue.base_url, subscriber)
    sender = newsletter_sender()
    with override(subscriber.language):
        text, html = render_issue(
            subject=issue.subject, body=issue.body, unsubscribe_url=link, sender=sender
        )
    message = EmailMultiAlternatives(
        subject=issue.subject,
        body=text,
        from_email=sender.from_email,
        to=[to or subscriber.email],
        headers={
            # RFC 2369 / RFC 8058: mail programs show an "unsubscribe" button that POSTs
            # "List-Unsubscribe=One-Click" to this address, without signing in.
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
