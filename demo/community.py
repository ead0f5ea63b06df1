"""Demo events (one full, with a waiting list; one past training with attendance) and an
archived newsletter issue with a few subscribers (seed_demo)."""

import datetime

from django.contrib.auth import get_user_model
from django.test.utils import override_settings
from django.utils import timezone

from community import sending, services, subscriptions
from community.models import Issue, Subscriber

ISSUE_BODY = """## Neues aus dem Netzwerk

Liebe Ehrenamtliche, liebe Interessierte,

im Dezember laden wir zum **Austauschtreffen** ins Begegnungscafé ein. Wer neu dabei ist,
kann im Januar an der *Erste-Schritte-Schulung* teilnehmen.

- Austauschtreffen: Donnerstag, 18 Uhr
- Schulung „Erste Schritte“: Samstag, 10 Uhr

Anmeldung wie immer über Ihre Seite in Caseworks oder bei der Koordination.
"""


def create_community(*, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    User = get_user_model()
    coordinator = User.objects.get(username="koordination")
    people = list(
        User.objects.filter(groups__name="volunteer", is_active=True).order_by("username")[:8]
    )
    at = (now + datetime.timedelta(days=10)).replace(hour=18, minute=0, second=0, microsecond=0)
    full = services.event_create(
        actor=coordinator,
        title="Austauschtreffen im Begegnungscafé",
        kind="exchange",
        starts_at=at,
        duration_minutes=120,
        place="Begegnungscafé, Marktplatz 3",
        capacity=4,
        audience="volunteers",
        description="Erfahrungen austauschen, neue Ehrenamtliche kennenlernen.",
    )
    for user in people[:6]:  # four places, two on the waiting list
        services.registration_add(actor=coordinator, event=full, user=user)
    services.event_create(
        actor=coordinator,
        title="Infoabend: Das Asylverfahren",
        kind="information",
        starts_at=at + datetime.timedelta(days=7),
        duration_minutes=90,
        place="Gemeindesaal, Kirchstraße 5",
        capacity=30,
        audience="interested",
    )
    training = services.event_create(
        actor=coordinator,
        title="Schulung „Erste Schritte“",
        kind="training",
        starts_at=at + datetime.timedelta(days=21),
        duration_minutes=240,
        place="Haus der Begegnung, Raum 2",
        capacity=12,
        audience="new_volunteers",
    )
    for user in people[6:8]:
        services.registration_add(actor=coordinator, event=training, user=user)

    for i, interests in enumerate((["events"], ["training", "news"], ["news"])):
        address = f"leserin{i + 1}@example.org"
        Subscriber.objects.create(
            email=address,
            email_index=subscriptions.email_index(address),
            status="active",
            interests=interests,
            confirmed_at=now,
        )
    issue = Issue(
        subject="Rundbrief November: Austauschtreffen und Schulung",
        body=ISSUE_BODY,
        created_by=coordinator,
    )
    issue._history_user = coordinator  # type: ignore[attr-defined]
    issue.save()
    sending.issue_send(actor=coordinator, issue=issue, base_url="http://127.0.0.1:8000/")
    # Sent for the archive, without printing three demo mails on the console.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        sending.work_queue(issue=issue)
