"""Events for volunteers (with registrations, a waiting list and attendance) and the
newsletter (subscribers with their consent proof, issues and the send queue).

No model here points at a case or a client: a newsletter cannot carry client data because
nothing it is built from can reach it (an import-linter contract forbids community → cases).
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from caseworks.extensions.languages import LanguageField, register_language_field
from caseworks.fields import ChoiceListField, EncryptedEmailField, LanguageCodesField
from caseworks.models import Versioned

# --- events ------------------------------------------------------------------------------------


class EventQuerySet(models.QuerySet):
    def upcoming(self):
        return self.filter(starts_at__gte=timezone.now() - datetime.timedelta(hours=12))

    def in_year(self, year: int):
        return self.filter(starts_at__year=year)


class Event(Versioned, models.Model):
    """An event for volunteers; coordinators edit it in a form (a concurrent save is refused:
    Versioned)."""

    class Kind(models.TextChoices):
        INFORMATION = "information", _("Information event")
        EXCHANGE = "exchange", _("Exchange meeting")
        COUNSELLING = "counselling", _("Counselling")
        TRAINING = "training", _("Training")

    class Audience(models.TextChoices):
        VOLUNTEERS = "volunteers", _("Volunteers")
        NEW_VOLUNTEERS = "new_volunteers", _("New volunteers")
        INTERESTED = "interested", _("Everyone interested")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=120)
    place = models.CharField(_("place"), max_length=300)
    capacity = models.PositiveIntegerField(_("places"))
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.VOLUNTEERS
    )
    description = models.TextField(_("description"), blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive")
        ]

    def __str__(self):
        return self.title

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def is_over(self) -> bool:
        """Ended: nobody registers any more (community.services.registration_add)."""
        return self.ends_at < timezone.now()

    @property
    def is_training(self) -> bool:
        return self.kind == self.Kind.TRAINING


class Registration(models.Model):
    """A place at an event (or on its waiting list) for a user — a volunteer, usually."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Registered")
        WAITING = "waiting", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    # The waiting list's order: first come, first served (set when put on the list).
    queued_at = models.DateTimeField(default=timezone.now)
    registered_at = models.DateTimeField(auto_now_add=True)
    attended = models.BooleanField(null=True, blank=True)  # None: not taken yet
    attendance_taken_at = models.DateTimeField(null=True, blank=True)
    # Bookkeeping of the reminder command (claimed with an update): not in the history.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["reminded_at"])

    class Meta:
        ordering = ["queued_at", "pk"]
        constraints = [
            # One live registration a person and event (a cancelled one may be renewed).
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=~Q(status="cancelled"),
                name="registration_once_per_event",
            )
        ]

    def __str__(self):
        return f"{self.event} · {self.get_status_display()}"


# --- newsletter ---------------------------------------------------------------------------------


class Interest(models.TextChoices):
    """What a subscriber wants to hear about (segments)."""

    EVENTS = "events", _("Events and meetings")
    TRAINING = "training", _("Training")
    VOLUNTEERING = "volunteering", _("Volunteering opportunities")
    NEWS = "news", _("News from the house")


class Subscriber(models.Model):
    """A newsletter address: an outside person (double opt-in) or a volunteer (opted in on
    their own page, `user` set). After unsubscribing the address itself is erased; the blind
    index and the consent rows stay as the proof of consent (docs/newsletter.md)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        ACTIVE = "active", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = EncryptedEmailField(_("e-mail address"), null=True, blank=True)
    # HMAC of the address (caseworks.fields.blind_index), set by the services: it finds an
    # address without decrypting the table, and it stays after the address is erased.
    email_index = models.CharField(max_length=64, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_subscription",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    language = models.CharField(_("language"), max_length=8, default="de")
    interests = ChoiceListField(item_choices=Interest.choices, default=list, blank=True)
    # The confirmation link's secret, hashed (the link is the only copy).
    confirm_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    confirm_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The address's own history holds ciphertext only (caseworks.fields).
    history = HistoricalRecords(excluded_fields=["confirm_token_hash"])

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status="unsubscribed") | Q(email__isnull=False),
                name="subscriber_address_while_subscribed",
            )
        ]

    def __str__(self):
        return f"subscriber {self.code}"

    @property
    def is_volunteer(self) -> bool:
        return self.user_id is not None


class Consent(models.Model):
    """Proof of consent (Art. 7 (1) DSGVO; § 7 (2) Nr. 2 UWG): what was agreed to, in which
    wording, when, and how it was confirmed or withdrawn. Append-only."""

    class Action(models.TextChoices):
        REQUESTED = "requested", _("Subscription requested")
        CONFIRMED = "confirmed", _("Confirmed (double opt-in)")
        GIVEN = "given", _("Given on the volunteer's page")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="consents")
    action = models.CharField(max_length=20, choices=Action.choices)
    text_version = models.CharField(max_length=20)
    text_sha256 = models.CharField(max_length=64)  # of the wording shown, in its language
    language = models.CharField(max_length=8)
    interests = models.JSONField(default=list)
    # Keyed hash of the sender's address (not the address): matches a later complaint
    # naming it, reveals nothing by itself.
    source_index = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=40)  # "public page", "volunteer page", "mail link"
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d}"


class SubscribeRequest(models.Model):
    """A request from the public page, queued: the page writes one of these for every address,
    whatever its state, so its work and time tell nothing; the worker (`send_newsletter`)
    decides what it means (community.subscriptions.subscribe_requests_work) and deletes it."""

    email = EncryptedEmailField()
    interests = ChoiceListField(item_choices=Interest.choices, default=list, blank=True)
    language = models.CharField(max_length=8)
    base_url = models.CharField(max_length=200)
    source_index = models.CharField(max_length=64, blank=True)  # as Consent.source_index
    requested_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"subscribe request {self.pk}"


class RequestCounter(models.Model):
    """How often one key (a keyed hash of a client address) used a public form within one
    window: the rate limits of community.ratelimit, in the database so that every worker
    and every host counts against the same number."""

    scope = models.CharField(max_length=40)
    key_index = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key_index", "window_start"], name="request_counter_once"
            )
        ]

    def __str__(self):
        return f"{self.scope} {self.window_start:%Y-%m-%d %H:%M}: {self.count}"


class Issue(Versioned, models.Model):
    """A newsletter issue: Markdown, the segment it goes to, and its sending state. A draft is
    edited in a form (Versioned: a concurrent save is refused)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    class Audience(models.TextChoices):
        ALL = "all", _("All subscribers")
        VOLUNTEERS = "volunteers", _("Volunteers only")
        OUTSIDE = "outside", _("Outside subscribers only")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    audience = models.CharField(
        _("who"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    # ISO 639-3 codes (caseworks.languages); a segment from before the codes that named no
    # language of the catalogue waits in languages_other for the administrator.
    languages = LanguageCodesField(_("languages"), default=list, blank=True)
    languages_other = models.CharField(
        _("languages (not yet assigned)"), max_length=255, blank=True, editable=False
    )
    districts = models.JSONField(_("districts"), default=list, blank=True)
    interests = ChoiceListField(
        _("interests"), item_choices=Interest.choices, default=list, blank=True
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    send_started_at = models.DateTimeField(null=True, blank=True)
    # Where the links in the mails point (the address the coordinator sent it from).
    base_url = models.CharField(max_length=200, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject


class Delivery(models.Model):
    """The send queue: one row an issue and recipient.

    pending → sending (claimed by a worker) → sent | failed. `handed_at` is set right before
    the message goes to the SMTP server: a worker that dies leaves at most one row with it
    set and no `sent_at`, the one recipient whose mail may or may not have gone out. That
    row is never sent again (at most once); rows claimed but not yet handed over go back to
    pending (community.sending).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (unsubscribed)")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(
        Subscriber, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    handed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)  # never the address

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="delivery_once")
        ]
        indexes = [models.Index(fields=["state", "id"], name="delivery_queue")]

    def __str__(self):
        return f"delivery {self.pk} ({self.state})"


register_language_field(
    LanguageField(
        "community.Issue.languages",
        _("Newsletter: language segments"),
        Issue,
        codes="languages",
        other="languages_other",
    )
)
