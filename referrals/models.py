"""Consents (Schweigepflichtentbindung), referrals to further services, and issued letters."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case, Client
from caseworks.fields import EncryptedBinaryField, EncryptedCharField, EncryptedTextField
from caseworks.models import Service


class Consent(models.Model):
    """A written release from confidentiality naming the recipient(s) and the purpose.

    It covers the named services, or every service of one category. Revocation is possible at
    any time, with effect for the future (the day it is recorded).
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
    purpose = EncryptedTextField(_("purpose"))
    # Consents recorded before this field named no data: they pass on nothing beyond the name
    # and date of birth (the empty default), so no old consent is read wider than it was.
    shared_data = models.JSONField(
        _("data passed on besides name and date of birth"), default=list, blank=True
    )
    signed_on = models.DateField(_("signed on"))
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
        ]

    def __str__(self):
        return f"{_('Consent')} {self.signed_on:%d.%m.%Y}"

    def is_valid_on(self, day: datetime.date) -> bool:
        if self.signed_on > day:
            return False
        if self.valid_until is not None and self.valid_until < day:
            return False
        # Revocation works for the future: from the day it was declared.
        return self.revoked_on is None or self.revoked_on > day

    def shares(self, item: str) -> bool:
        """Whether the person agreed to pass on this kind of data (a SharedData value)."""
        return item in (self.shared_data or [])

    def covers(self, service: Service, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        if not self.is_valid_on(day):
            return False
        if self.category and self.category == service.category:
            return True
        return any(s.pk == service.pk for s in self.services.all())


class Referral(models.Model):
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
    version = models.PositiveIntegerField(default=1, editable=False)
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
