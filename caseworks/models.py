"""Carriers (organisations), teams, and the append-only access log."""

import secrets
import time
import uuid
from base64 import b32encode
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from simple_history.models import HistoricalRecords

from caseworks.fields import (
    EncryptedTextField,
    LanguageCodesField,
    blind_index,
    normalise_identifier,
)


class Versioned(models.Model):
    """A record people edit in forms: its `version` detects a concurrent save (optimistic
    locking). Changed only through caseworks.web.concurrency.versioned_update, which compares
    the version the form was loaded with and bumps it."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class Organisation(Versioned, models.Model):
    """A carrier (Träger) such as AWO, Caritas or Diakonie, with its own data protection law."""

    class ProtectionLaw(models.TextChoices):
        DSGVO = "dsgvo", _("GDPR / BDSG")
        KDG = "kdg", _("KDG (Catholic church data protection law)")
        DSG_EKD = "dsg_ekd", _("DSG-EKD (Protestant church data protection law)")

    # How /manage/ addresses it (never the sequential id).
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    protection_law = models.CharField(
        _("data protection law"), max_length=10, choices=ProtectionLaw, default=ProtectionLaw.DSGVO
    )
    # § 195 BGB: the civil limitation period of three years is the common default.
    retention_years = models.PositiveSmallIntegerField(_("retention period (years)"), default=3)
    dpo_contact = models.TextField(_("data protection officer (contact)"), blank=True)
    # Art. 13 (2) d DSGVO, § 15 KDG, § 17 DSG-EKD: the one the person may complain to. Which
    # one depends on the carrier's seat (a Land, a diocese); empty: named by its law only.
    supervisory_authority = models.TextField(
        _("competent supervisory authority"),
        blank=True,
        help_text=_(
            "Name and address of the data protection supervisory authority competent for "
            "this carrier (e.g. the Land's data protection commissioner, the diocese's "
            "Catholic data protection centre). Printed on the information sheet and in the "
            "joint arrangement."
        ),
    )
    # The accounts that are this carrier's data protection officer: the one source of who is a
    # DPO and for which carrier (caseworks.access.dpo). A DPO reads this carrier's access log,
    # disclosures and retention reports, and no other carrier's.
    data_protection_officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="dpo_of",
        blank=True,
        verbose_name=_("data protection officers"),
    )
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
    history = HistoricalRecords(excluded_fields=["logo"], m2m_fields=[data_protection_officers])

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


class Team(Versioned, models.Model):
    """A team of an organisation; its version is raised by membership changes from either side
    (the team's form and an account's)."""

    # How /manage/ addresses it (never the sequential id).
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
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


class UserCode(models.Model):
    """The code by which /manage/ addresses an account: auth.User (Django's model) has only its
    sequential id. One row per user, made by the account-creating service
    (caseworks.house.services.user_create) and, for accounts made elsewhere (createsuperuser,
    the Django admin), by the post_save receiver below."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="manage_code"
    )
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("account code")
        verbose_name_plural = _("account codes")

    def __str__(self):
        return str(self.code)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def give_new_user_a_code(sender: Any, instance: Any, created: bool, raw: bool, **kwargs: Any):
    # raw: a fixture being loaded brings its own rows.
    if created and not raw:
        UserCode.objects.get_or_create(user=instance)


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
    # The carrier (controller) whose record was touched, stamped when the entry is written
    # (caseworks.audit.log.organisation_of): that carrier's DPO reads it, no other carrier's
    # (caseworks.audit.views). Empty for entries about the house: accounts without a team,
    # the set-up, searches across the house; every DPO reads those.
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    # A reason given by the user (cover access); it may mention a person, so encrypted.
    reason = EncryptedTextField(_("reason"), blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at"]
        # The data protection officer is no permission: it is per carrier,
        # Organisation.data_protection_officers (caseworks.access.dpo).

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The access log is append-only.")


class Service(Versioned, models.Model):
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
    # ISO 639-3 codes (caseworks.languages); what was typed before the codes and names no
    # language of the catalogue waits in languages_other for the administrator.
    languages = LanguageCodesField(_("languages"), default=list, blank=True)
    languages_other = models.CharField(
        _("languages (not yet assigned)"), max_length=255, blank=True, editable=False
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("service directory")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class LanguageDecision(Versioned, models.Model):
    """The administrator's answer for a language text that named no language of the catalogue
    (issue 32, /manage/languages/): the code assigned to every record that held it, or none —
    kept as a note (then it is no longer listed as open). Changed through versioned_update."""

    key = models.CharField(max_length=255, unique=True, editable=False)  # the text, folded
    text = models.CharField(_("language as typed"), max_length=255)
    code = models.CharField(_("language"), max_length=8, blank=True)  # "": kept as a note
    records = models.PositiveIntegerField(_("records changed"), default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("language decision")
        verbose_name_plural = _("language decisions")
        ordering = ["key"]

    def __str__(self):
        return self.text


# --- sign-in: the second factor and the throttles (caseworks.signin)
# ------------------------


def new_totp_key() -> str:
    """A TOTP seed: 20 random bytes (RFC 4226 recommends 160 bits), as hex."""
    return secrets.token_hex(20)


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (TOTP, RFC 6238): django-otp's TOTPDevice, but with the seed
    stored encrypted with the field keys (and re-encrypted by rotate_keys), never as text.

    A code is accepted once: `last_t` keeps the last time step used, and only later steps
    verify. Failures throttle (1 s, 2 s, 4 s …, django-otp's ThrottlingMixin)."""

    key = EncryptedTextField(_("key"), default=new_totp_key, editable=False)
    # (Annotated: Device comes from an untyped package, so the stubs cannot infer them.)
    step: "models.PositiveSmallIntegerField[int, int]" = models.PositiveSmallIntegerField(
        default=30
    )
    t0: "models.BigIntegerField[int, int]" = models.BigIntegerField(default=0)
    digits: "models.PositiveSmallIntegerField[int, int]" = models.PositiveSmallIntegerField(
        default=6
    )
    tolerance: "models.PositiveSmallIntegerField[int, int]" = models.PositiveSmallIntegerField(
        default=1
    )
    drift: "models.SmallIntegerField[int, int]" = models.SmallIntegerField(default=0)
    last_t: "models.BigIntegerField[int, int]" = models.BigIntegerField(default=-1)

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    @property
    def bin_key(self) -> bytes:
        return bytes.fromhex(self.key)

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        allowed, _reason = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            number = int(token)
        except (TypeError, ValueError):
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(number, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    @property
    def config_url(self) -> str:
        """The otpauth:// URI for the QR code (Key Uri Format of Google Authenticator)."""
        issuer = str(settings.OTP_TOTP_ISSUER).replace(":", "")
        label = f"{issuer}:{self.user.get_username()}"
        params = {
            "secret": b32encode(self.bin_key).decode(),
            "algorithm": "SHA1",
            "digits": self.digits,
            "period": self.step,
            "issuer": issuer,
        }
        return f"otpauth://totp/{quote(label)}?{urlencode(params, quote_via=quote)}"


RECOVERY_CODE_PURPOSE = "otp recovery code"
ENROLMENT_CODE_PURPOSE = "otp enrolment code"


def code_digest(code: str, *, purpose: str) -> str:
    """A keyed hash (HMAC-SHA256 under the blind index key) of a one-time code, as stored.
    The codes are random (40 bits and more): a keyed hash is as good as a slow one against
    guessing from a stolen database, and checking ten of them costs nothing. Case, spaces
    and dashes do not matter."""
    return blind_index(code, purpose=purpose, normaliser=normalise_identifier)


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """The user's recovery codes (django-otp's StaticDevice, with hashed codes)."""

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        allowed, _reason = self.verify_is_allowed()
        if not allowed:
            return False
        digest = code_digest(str(token), purpose=RECOVERY_CODE_PURPOSE)
        # Deleting is the check: two requests with the same code cannot both succeed.
        used, _rows = self.codes.filter(digest=digest).delete()
        if not used:
            self.throttle_increment(commit=True)
            return False
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self):
        return "recovery code"


class EnrolmentCode(models.Model):
    """A one-time code an administrator gives a user for enrolling the first second factor
    (also after a reset). Stored as a keyed hash; one at a time per user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="enrolment_code"
    )
    digest = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Wrong codes: each further try waits longer (1 s, 2 s, 4 s …).
    throttling_failure_count = models.PositiveIntegerField(default=0)
    throttling_failure_timestamp = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment code")
        verbose_name_plural = _("enrolment codes")

    def __str__(self):
        return "enrolment code"


class SignInThrottle(models.Model):
    """Failed passwords for one user name, from any address: after a few, each further try
    waits longer (caseworks.signin.handlers.SignInHandler). The name is stored as a keyed hash."""

    username_digest = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("sign-in throttle")
        verbose_name_plural = _("sign-in throttles")

    def __str__(self):
        return f"{self.failures} failures"


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
    """A record of every retention run: when, by which command, and counts only.

    Written when the run starts ("running") and completed at its end; the counts grow with
    every case deleted (in that case's transaction). A run that died stays "running" (or
    "interrupted") without finished_at: visible, with what it did delete."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        INTERRUPTED = "interrupted", _("interrupted")

    # When the run started.
    at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.RUNNING)
    dry_run = models.BooleanField(_("dry run"))
    # Per organisation: cases closed before this day were due (its retention period).
    cutoffs = models.JSONField(_("closed before"), default=dict)
    counts = models.JSONField(_("counts"), default=dict)
    # The same counts per organisation (keyed like `cutoffs`, by the organisation's id): each
    # carrier's DPO reads its own carrier's part of a run, never the others' nor the total.
    organisation_counts = models.JSONField(_("counts per organisation"), default=dict)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_status_display()} {self.counts}"

    @property
    def started_at(self):
        return self.at


class Submission(models.Model):
    """A create form that was saved (caseworks.web.submissions): the same form sent again — a
    double tap, or the Back button and "save" once more — shows "already saved" instead of
    creating a second row. `key` is a keyed hash of who sent what to which address; `url`
    the saved object's page. No form content is stored."""

    key = models.CharField(max_length=64, unique=True)
    token = models.CharField(max_length=64, blank=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    url = models.CharField(max_length=300)
    label = models.CharField(max_length=80, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("saved form")
        verbose_name_plural = _("saved forms")

    def __str__(self):
        return f"{self.label or 'form'} at {self.at:%Y-%m-%d %H:%M}"


class AccountRequest(models.Model):
    """A change to an account that a second person must approve before it is made
    (separation of duties, caseworks.house.services; DESIGN.md "Roles and access"): a new
    account's roles, a new e-mail address, an administrative role next to one that reads
    client files, and any change to a data protection officer's account (approved by that
    carrier's other DPO). Who asked, who decided and when stay on record."""

    class Kind(models.TextChoices):
        CREATE = "create", _("new account")
        UPDATE = "update", _("change of roles, teams or e-mail")
        ACTIVATE = "activate", _("activation")
        DEACTIVATE = "deactivate", _("deactivation")
        RESET = "reset", _("access reset")
        DPO = "dpo", _("data protection officer assignment")

    class Approver(models.TextChoices):
        ADMIN = "admin", _("another administrator")
        DPO = "dpo", _("the carrier's data protection officer")

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="account_requests"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The parts named (caseworks.house.services.PART_LABELS) and the wanted state: roles,
    # team ids, names and e-mail; never a password or a code.
    parts = models.JSONField(_("parts"), default=list)
    change = models.JSONField(_("change"), default=dict)
    approver = models.CharField(_("approved by"), max_length=10, choices=Approver.choices)
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("account change request")
        verbose_name_plural = _("account change requests")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.kind} {self.state} ({self.requested_at:%Y-%m-%d})"


# The directory sign-in's models live with it (caseworks.directory); imported here so
# that Django registers them with this app.
import caseworks.directory.models  # noqa: E402, F401
