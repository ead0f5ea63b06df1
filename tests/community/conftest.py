"""Events and newsletter: the coordinator cody, the volunteer vera (active in the register),
and helpers to make events and subscribers."""

import datetime

import pytest
from django.utils import timezone

from community import services, subscriptions
from community.models import Event, Subscriber
from tests.helpers import make_user
from volunteers import services as volunteer_services


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def register_volunteer(actor, user, *, email="", languages=(), districts=(), status="active"):
    return volunteer_services.volunteer_create(
        actor=actor,
        user=user,
        data={"status": status, "email": email, "districts": list(districts)},
        languages=[(name, "good") for name in languages],
    )


@pytest.fixture
def active_vera(vera, cody):
    vera.email = "vera@example.org"
    vera.save()
    register_volunteer(cody, vera, email="vera@example.org", languages=["Arabisch"])
    return vera


def make_event(actor, *, capacity=2, kind="exchange", days=7, title="Austauschtreffen"):
    return services.event_create(
        actor=actor,
        title=title,
        kind=kind,
        # On the minute, as the form's date-time field sends it back.
        starts_at=(timezone.now() + datetime.timedelta(days=days)).replace(second=0, microsecond=0),
        duration_minutes=120,
        place="Begegnungscafé, Marktplatz 3",
        capacity=capacity,
        audience="volunteers",
        description="Erfahrungen austauschen.",
    )


def volunteers(n, prefix="v"):
    return [make_user(f"{prefix}{i}", "volunteer") for i in range(n)]


def active_subscriber(email, *, interests=(), language="de") -> Subscriber:
    subscriber = Subscriber.objects.create(
        email=email,
        email_index=subscriptions.email_index(email),
        status=Subscriber.Status.ACTIVE,
        language=language,
        interests=list(interests),
        confirmed_at=timezone.now(),
    )
    return subscriber


__all__ = ["Event", "make_event", "volunteers", "active_subscriber", "register_volunteer"]
