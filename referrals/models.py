"""Consents (Schweigepflichtentbindung), referrals to further services, and issued letters."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case, Client, TransferScope
from caseworks.fields import (
    BlindIndexField,
    EncryptedBinaryField,
    EncryptedCharField,
    EncryptedTextField,
    normalise,
)
from caseworks.models import Organisation, Service, Versioned
from caseworks.sms import normalise_number


class Consent(models.Model):
    """A written release from confidentiality naming the recipient(s) and the purpose.

    It covers the named services, or every service of one category — or, instead, a carrier
    of the house (`organisation`) that takes the case over: a hand-over to another carrier is
    a transfer between controllers, and this consent, with what it lets move
    (`transfer_scope`, cases.models.TransferScope values), is its legal basis
    (cases.services.transfers). One kind of consent for both: the same signed form, the
    same validity and revocation. Revocation is possible at any time, with effect for the
    future (the day it is recorded).
    """

    class SharedData(models.TextChoices):
        """What may be passed on besides the name and date of birth (always on the form: the
        recipient must know whom the letter is about). Nothing else reaches a letter."""

        CONTACT = "contact", _("address, phone and e-mail")
        LANGUAGE = "language", _("languages and interpreter need")
        REASON = "reason", _("the reason for the referral")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        Client, models.CASCADE, related_name="consents", verbose_name=_("person")
    )
    services = models.ManyToManyField(
        Service, blank=True, related_name="consents", verbose_name=_("named services")
    )
    category = models.CharField(
        _("or: every service of the category"), max_length=30, choices=Service.Category, blank=True
    )
    # A carrier of the house instead of services: the consent lets the case move there.
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("or: the carrier of the house taking the case over"),
    )
    transfer_scope = models.JSONField(_("what may move to that carrier"), default=list, blank=True)
    purpose = EncryptedTextField(_("purpose"))
    # Consents recorded before this field named no data: they pass on nothing beyond the name
    # and date of birth (the empty default), so no old consent is read wider than it was.
    shared_data = models.JSONField(
        _("data passed on besides name and date of birth"), default=list, blank=True
    )
    # Empty while the printed form waits for the person's signature: such a consent covers
    # nothing (is_valid_on) until the caseworker records the day it was signed.
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    # When the bilingual form was last printed for signing (referrals.consent_forms).
    printed_at = models.DateTimeField(_("form printed at"), null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[services])

    class Meta:
        verbose_name = _("consent (release from confidentiality)")
        verbose_name_plural = _("consents")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("signed_on")),
                name="consent_valid_after_signed",
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | Q(revoked_on__gte=models.F("signed_on")),
                name="consent_revoked_after_signed",
            ),
            # A consent to a carrier is not a release towards a category of services.
            models.CheckConstraint(
                condition=Q(organisation__isnull=True) | Q(category=""),
                name="consent_carrier_or_category",
            ),
        ]

    def __str__(self):
        if self.signed_on is None:
            return f"{_('Consent')} ({_('not signed yet')})"
        return f"{_('Consent')} {self.signed_on:%d.%m.%Y}"

    @property
    def is_signed(self) -> bool:
        return self.signed_on is not None

    def is_valid_on(self, day: datetime.date) -> bool:
        if self.signed_on is None or self.signed_on > day:
            return False
        if self.valid_until is not None and self.valid_until < day:
            return False
        # Revocation works for the future: from the day it was declared.
        return self.revoked_on is None or self.revoked_on > day

    def shares(self, item: str) -> bool:
        """Whether the person agreed to pass on this kind of data (a SharedData value)."""
        return item in (self.shared_data or [])

    def transfer_scope_for(self, organisation_id: int, day: datetime.date) -> frozenset[str]:
        """What this consent lets move to that carrier on `day` (nothing if it names another
        carrier, or none, or is not valid that day)."""
        if self.organisation_id != organisation_id or not self.is_valid_on(day):
            return frozenset()
        return frozenset(self.transfer_scope or [])

    def transfer_scope_labels(self) -> list[str]:
        return [str(TransferScope(item).label) for item in self.transfer_scope or []]

    def covers(self, service: Service, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        if not self.is_valid_on(day):
            return False
        if self.category and self.category == service.category:
            return True
        return any(s.pk == service.pk for s in self.services.all())


class Referral(Versioned, models.Model):
    class Urgency(models.TextChoices):
        NORMAL = "normal", _("normal")
        URGENT = "urgent", _("urgent")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        READY = "ready", _("ready to print")
        SENT = "sent", _("sent")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    # The only allowed moves; everything else is refused (services.referral_transition).
    TRANSITIONS = {
        Status.DRAFT: {Status.READY, Status.CANCELLED},
        Status.READY: {Status.DRAFT, Status.SENT, Status.CANCELLED},
        Status.SENT: {Status.ACCEPTED, Status.DECLINED, Status.CANCELLED},
        Status.ACCEPTED: {Status.COMPLETED, Status.CANCELLED},
        Status.DECLINED: set(),
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
    }
    OPEN = (Status.DRAFT, Status.READY, Status.SENT, Status.ACCEPTED)
    # What the button moving a referral to each status says (referral_detail.html).
    TRANSITION_LABELS = {
        Status.READY: _("Mark as ready to print"),
        Status.DRAFT: _("Back to draft"),
        Status.SENT: _("Mark as sent"),
        Status.ACCEPTED: _("Mark as accepted"),
        Status.DECLINED: _("Mark as declined"),
        Status.COMPLETED: _("Mark as completed"),
        Status.CANCELLED: _("Cancel referral"),
    }

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, models.CASCADE, related_name="referrals")
    client = models.ForeignKey(
        Client, models.PROTECT, related_name="referrals", verbose_name=_("person")
    )
    service = models.ForeignKey(
        Service, models.PROTECT, related_name="referrals", verbose_name=_("service")
    )
    reason = EncryptedTextField(
        _("reason"),
        help_text=_(
            "Why the referral is needed. Printed in the letter only where the person's consent "
            "covers passing on the reason; keep it to what the service needs."
        ),
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency, default=Urgency.NORMAL)
    follow_up_on = models.DateField(
        _("follow up on"),
        null=True,
        blank=True,
        help_text=_("When to check whether the service answered."),
    )
    # The default subject names the person ("Vermittlung: Vorname Name"), so encrypted.
    letter_subject = EncryptedCharField(_("letter subject"), max_length=200, blank=True)
    letter_body = EncryptedTextField(_("letter text"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "follow_up_on"])]

    def __str__(self):
        return f"{_('Referral')} {self.service}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def allowed_transitions(self) -> list[str]:
        order = [str(s) for s in self.Status]
        return sorted(self.TRANSITIONS[self.Status(self.status)], key=order.index)

    def transition_choices(self) -> list[tuple[str, str]]:
        """The allowed moves with their buttons' labels, in the order of the statuses."""
        return [
            (to, str(self.TRANSITION_LABELS[self.Status(to)])) for to in self.allowed_transitions()
        ]

    def answer_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status == self.Status.SENT
            and self.follow_up_on is not None
            and self.follow_up_on < today
        )


class Letter(models.Model):
    """An issued referral letter: the PDF exactly as printed, encrypted, with its hash.

    Issued once; printing again hands out these bytes, never a new rendering.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.OneToOneField(Referral, models.CASCADE, related_name="letter")
    consent = models.ForeignKey(
        Consent, models.PROTECT, related_name="letters", verbose_name=_("consent")
    )
    pdf = EncryptedBinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("printed by")
    )
    printed_at = models.DateTimeField(_("printed at"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["pdf"])

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")

    def __str__(self):
        return f"{_('Letter')} {self.printed_at:%d.%m.%Y}"


class PrintText(models.Model):
    """One text of a client printout in one language (referrals.printtexts has the defaults).

    A translation counts as confirmed only when a qualified translator reviewed it; until
    then the printout says it is a convenience translation and the German text prevails.
    """

    class Review(models.TextChoices):
        MACHINE = "machine", _("not reviewed (draft or machine translation)")
        REVIEWED = "reviewed", _("reviewed by a qualified translator")

    printout = models.CharField(_("printout"), max_length=30)
    key = models.CharField(_("text"), max_length=40)
    language = models.CharField(_("language"), max_length=5)
    text = models.TextField(_("text"))
    review = models.CharField(
        _("review state"), max_length=10, choices=Review, default=Review.MACHINE
    )
    reviewed_by = models.CharField(
        _("reviewed by (translator)"),
        max_length=200,
        blank=True,
        help_text=_("Name and qualification of the translator who confirmed the text."),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("printout text")
        verbose_name_plural = _("printout texts")
        ordering = ["printout", "key", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["printout", "key", "language"], name="printtext_unique"
            ),
            models.CheckConstraint(
                condition=Q(review="machine") | Q(reviewed_at__isnull=False),
                name="printtext_reviewed_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.printout}.{self.key} [{self.language}]"

    @property
    def is_reviewed(self) -> bool:
        return self.review == self.Review.REVIEWED


class InfoSheetHandout(models.Model):
    """The information on data processing (Art. 13 DSGVO, § 15 KDG, § 17 DSG-EKD) handed to a
    person: when, in which language, under which organisation's law."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        Client, models.CASCADE, related_name="info_sheet_handouts", verbose_name=_("person")
    )
    handed_out_on = models.DateField(_("handed out on"))
    language = models.CharField(_("language"), max_length=5)
    # The law the sheet named (the organisation may change it later).
    protection_law = models.CharField(
        _("data protection law"), max_length=10, choices=Organisation.ProtectionLaw
    )
    # Whether the client-language texts were all reviewed when it was printed.
    translation_reviewed = models.BooleanField(_("translation reviewed"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("information sheet handed out")
        verbose_name_plural = _("information sheets handed out")
        ordering = ["-handed_out_on", "-id"]

    def __str__(self):
        return f"{_('Information on data processing')} {self.handed_out_on:%d.%m.%Y}"


class LetterText(Versioned, models.Model):
    """An organisation's referral-letter text for one service category (or for every
    category without its own), with placeholders from referrals.placeholders."""

    # The administrator's pages address a text by it, never by the sequential id.
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    category = models.CharField(
        _("service category"),
        max_length=30,
        choices=Service.Category,
        blank=True,
        help_text=_("Empty: every category without a text of its own."),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("letter text"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("letter text")
        verbose_name_plural = _("letter texts")
        ordering = ["organisation", "category"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "category"], name="lettertext_unique"),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.get_category_display() or '*'}"


# --- reminders to clients (referrals.reminders) ---------------------------------------------


class ReminderChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")


def normalise_reminder_address(value: str) -> str:
    """A phone number as +49…, an e-mail address case-folded: the blind index a reply's
    sender is looked up by (a "STOP" from 0170… finds the opt-in for +49170…)."""
    return normalise(value) if "@" in value else normalise_number(value)


class ReminderOptInQuerySet(models.QuerySet["ReminderOptIn"]):
    def active(self) -> "ReminderOptInQuerySet":
        return self.filter(opted_out_at__isnull=True)


class ReminderOptIn(Versioned, models.Model):
    """A person's wish to be reminded of their appointments by SMS or e-mail, in their
    language: recorded with the text they were shown (its version, the printout "reminders"
    of referrals.printtexts) and the number or address they gave. Ends by a reply "STOP" or
    by the caseworker (opted_out_at); a new opt-in is a new row."""

    class OptOut(models.TextChoices):
        REPLY = "reply", _("the person replied STOP")
        CASEWORKER = "caseworker", _("recorded by the caseworker")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        Client, models.CASCADE, related_name="reminder_opt_ins", verbose_name=_("person")
    )
    channel = models.CharField(_("channel"), max_length=5, choices=ReminderChannel)
    language = models.CharField(_("language of the reminders"), max_length=5)
    address = EncryptedCharField(_("mobile number or e-mail address"), max_length=254)
    address_bidx = BlindIndexField(
        sources=["address"], purpose="reminder_address", normaliser=normalise_reminder_address
    )
    # What the person was shown and agreed to, in German and their language, and its version.
    text_shown = models.TextField(_("text shown"))
    text_version = models.CharField(_("version of the text"), max_length=16)
    opted_in_on = models.DateField(_("agreed on"))
    opted_out_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    opt_out = models.CharField(_("ended by"), max_length=10, choices=OptOut, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["address_bidx"])

    objects = ReminderOptInQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder opt-in")
        verbose_name_plural = _("reminder opt-ins")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One standing opt-in a person and channel.
            models.UniqueConstraint(
                fields=["client", "channel"],
                condition=Q(opted_out_at__isnull=True),
                name="reminder_optin_one_active",
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} ({self.language})"

    @property
    def language_name(self) -> str:
        """The language by its German name, as the caseworker chose it (printouts' list)."""
        from referrals.printtexts import GERMAN_NAMES

        return GERMAN_NAMES.get(self.language, self.language)

    @property
    def is_active(self) -> bool:
        return self.opted_out_at is None


class Reminder(models.Model):
    """One reminder in the send queue (caseworks.ops.outbox) and, after, in the message log.

    pending → sending → sent | failed | skipped; `delivery` is the gateway's later report.
    At most one a thing reminded of, person, channel and day (`reminder_once`): two runs of
    the scheduler never queue two. The text is written when queued and kept encrypted; the
    logs the data protection officer reads show only when, channel, state and the case's
    reference number.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent (opted out or too late)")

    class Delivery(models.TextChoices):
        UNKNOWN = "", _("no report")
        PENDING = "pending", _("on its way")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("not delivered")

    class About(models.TextChoices):
        ACCOMPANIMENT = "accompaniment", _("accompaniment")
        APPOINTMENT = "appointment", _("appointment")
        DOCUMENT = "document", _("expiring document")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    opt_in = models.ForeignKey(ReminderOptIn, models.CASCADE, related_name="reminders")
    client = models.ForeignKey(Client, models.CASCADE, related_name="reminders")
    case = models.ForeignKey(Case, models.CASCADE, related_name="reminders")
    channel = models.CharField(_("channel"), max_length=5, choices=ReminderChannel)
    language = models.CharField(_("language"), max_length=5)
    about = models.CharField(_("reminder of"), max_length=15, choices=About)
    # The thing reminded of: "<about>:<its code>" (no foreign key: three kinds of record).
    item = models.CharField(max_length=80)
    for_day = models.DateField(_("for the day"))
    # Too late after this (the appointment began): skipped, not sent.
    send_until = models.DateTimeField()
    text = EncryptedTextField(_("text"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    handed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)  # never the number or the text
    provider_id = models.CharField(max_length=100, blank=True, db_index=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, blank=True)
    delivery_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "client", "channel", "for_day"], name="reminder_once"
            )
        ]
        indexes = [models.Index(fields=["state", "channel", "id"], name="reminder_queue")]

    def __str__(self):
        return f"reminder {self.pk} ({self.state})"
