"""Carriers (organisations), teams, and the append-only access log."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from caseworks.fields import EncryptedTextField


class Organisation(models.Model):
    """A carrier (Träger) such as AWO, Caritas or Diakonie, with its own data protection law."""

    class ProtectionLaw(models.TextChoices):
        DSGVO = "dsgvo", _("GDPR / BDSG")
        KDG = "kdg", _("KDG (Catholic church data protection law)")
        DSG_EKD = "dsg_ekd", _("DSG-EKD (Protestant church data protection law)")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    protection_law = models.CharField(
        _("data protection law"), max_length=10, choices=ProtectionLaw, default=ProtectionLaw.DSGVO
    )
    # § 195 BGB: the civil limitation period of three years is the common default.
    retention_years = models.PositiveSmallIntegerField(_("retention period (years)"), default=3)
    dpo_contact = models.TextField(_("data protection officer (contact)"), blank=True)
    # Letterhead of referral letters (DIN 5008). The logo lives in the database, like the
    # archived letters, so app servers keep no files.
    letter_sender = models.CharField(
        _("sender line"),
        max_length=120,
        blank=True,
        help_text=_("One line above the address window, e.g. AWO · Marktstraße 1 · 12345 Stadt"),
    )
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.CharField(_("website"), max_length=120, blank=True)
    letter_footer = models.TextField(
        _("letter footer"), blank=True, help_text=_("e.g. bank details, register, board")
    )
    logo = models.BinaryField(_("logo"), blank=True, default=b"", editable=True)
    logo_type = models.CharField(max_length=20, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["logo"])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(retention_years__gte=1), name="organisation_retention_min_1"
            )
        ]

    def __str__(self):
        return self.short_name or self.name


class Team(models.Model):
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="teams", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="led_teams",
        blank=True,
        verbose_name=_("supervisors"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="teams", blank=True, verbose_name=_("members")
    )
    history = HistoricalRecords(m2m_fields=[supervisors, members])

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name")
        ]

    def __str__(self):
        return f"{self.name} ({self.organisation})"


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError("The access log is append-only.")

    def delete(self):
        raise ValidationError("The access log is append-only.")


class AccessLog(models.Model):
    """Who opened which case file, printed which letter, exported what. Append-only.

    `action` is a dotted event code ('case.viewed'); `detail` never holds personal data.
    """

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Kept when the user account is deleted later.
    username = models.CharField(_("user name"), max_length=150)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=40)
    object_code = models.UUIDField(_("object"), default=uuid.uuid4, db_index=True)
    object_label = models.CharField(_("reference"), max_length=60, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # A reason given by the user (cover access); it may mention a person, so encrypted.
    reason = EncryptedTextField(_("reason"), blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at"]
        # The data protection officer: a permission given to a user, not a role of its own.
        permissions = [
            ("data_protection", _("Data protection: read the access log and produce disclosures"))
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The access log is append-only.")


class Service(models.Model):
    """The directory of destinations and referral targets, managed by admins.

    Shared master data (like teams): accompaniments go to these, referrals are sent to them.
    """

    class Kind(models.TextChoices):
        AUTHORITY = "authority", _("authority")
        INSTITUTION = "institution", _("institution")
        DOCTOR = "doctor", _("doctor / clinic")
        COUNSELLING = "counselling", _("specialised service")

    class Category(models.TextChoices):
        """What a referral letter to this service is about (its template)."""

        MIGRATION_ADULTS = "mbe", _("Migration counselling for adults (MBE)")
        YOUTH_MIGRATION = "jmd", _("Youth migration service (JMD)")
        ASYLUM_COUNSELLING = "asylum_counselling", _("Asylum procedure counselling")
        LEGAL = "legal", _("Legal advice / lawyer")
        PSYCHOSOCIAL = "psychosocial", _("Psychosocial centre for refugees")
        ANTIDISCRIMINATION = "antidiscrimination", _("Anti-discrimination counselling")
        LANGUAGE_COURSE = "language_course", _("Integration / language course")
        RUCKSACK = "rucksack", _("Rucksack KiTa (parents)")
        DEBT = "debt", _("Debt counselling")
        TRACING = "tracing", _("DRK tracing service")
        RETURN = "return", _("Return counselling")
        PREGNANCY = "pregnancy", _("Pregnancy counselling")
        ADDICTION = "addiction", _("Addiction counselling")
        WOMEN = "women", _("Women's counselling / protection from violence")
        VOLUNTEERS = "volunteers", _("Volunteer accompaniment")
        HOMELESSNESS = "homelessness", _("Help for the homeless")
        OTHER = "other", _("other")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    category = models.CharField(_("referral category"), max_length=30, choices=Category, blank=True)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("service directory")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class KeyCanary(models.Model):
    """One encrypted value written at installation (post_migrate) and checked at every start
    (wsgi.py, `check --database default`, migrate) and after a restore: with a wrong or
    missing key the app fails loudly before it writes anything unreadable."""

    PLAINTEXT = "caseworks key canary v1"

    value = EncryptedTextField()
    blind_index = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("key canary")

    def __str__(self):
        return "key canary"


class RetentionRun(models.Model):
    """A record of every retention run: when, by which command, and counts only."""

    at = models.DateTimeField(_("at"), auto_now_add=True)
    dry_run = models.BooleanField(_("dry run"))
    # Per organisation: cases closed before this day were due (its retention period).
    cutoffs = models.JSONField(_("closed before"), default=dict)
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.counts}"
