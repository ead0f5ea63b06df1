"""Objects for the authorisation matrix (tests/security/world.py calls this): an event with
vera's attended registration (team A's side) and one with another volunteer's (team B's),
a draft issue, a pending subscriber's confirmation token and an unsubscribe token."""

import datetime

from django.utils import timezone

from community import services, subscriptions
from community.models import Issue, Subscriber
from tests.helpers import make_user


def community_params(*, cody, volunteer, side: str) -> dict:
    if volunteer is None:
        volunteer = make_user(f"event-volunteer-{side}", "volunteer")
    event = services.event_create(
        actor=cody,
        title=f"Austauschtreffen {side}",
        kind="exchange",
        starts_at=timezone.now() + datetime.timedelta(days=5),
        place="Café",
        capacity=5,
    )
    registration = services.registration_add(actor=cody, event=event, user=volunteer)
    services.attendance_set(actor=cody, registration=registration, attended=True)
    issue = Issue.objects.create(subject=f"Rundbrief {side}", body="Text", created_by=cody)
    address = f"leser-{side}@example.org"
    subscriber = Subscriber.objects.create(
        email=address,
        email_index=subscriptions.email_index(address),
        status="pending",
        confirm_sent_at=timezone.now(),
    )
    token = f"confirm-token-{side}"
    subscriber.confirm_token_hash = subscriptions._hash(token)
    subscriber.save()
    return {
        "event_code": event.code,
        "registration_code": registration.code,
        "issue_code": issue.code,
        "confirm_token": token,
        "unsubscribe_token": subscriptions.unsubscribe_token(subscriber),
    }
