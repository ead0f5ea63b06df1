"""A carrier's directory (OpenID provider), its group mappings, the accounts it vouches for
and their sessions. Imported at the end of caseworks.models so that Django registers them
with the app."""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, DeviceManager

from caseworks.fields import EncryptedTextField
from caseworks.models import Versioned

# The second factor the provider vouched for by default: RFC 8176 "mfa" (Entra ID, Keycloak
# with a second step), "otp" and "hwk" (a one-time code, a hardware key).
DEFAULT_SECOND_FACTOR_AMR = "mfa, otp, hwk"


def words(value: str) -> list[str]:
    """A comma- or space-separated setting as a list."""
    return [w for w in re.split(r"[,\s]+", value) if w]


class DirectoryProvider(Versioned, models.Model):
    """A carrier's OpenID provider (Entra ID, Keycloak, …): at most one per carrier."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.OneToOneField(
        "caseworks.Organisation",
        models.PROTECT,
        related_name="directory",
        verbose_name=_("organisation"),
    )
    label = models.CharField(
        _("button text"),
        max_length=80,
        help_text=_("Shown on the sign-in page, e.g. “Sign in with your Caritas account”."),
    )
    issuer = models.URLField(
        _("issuer"),
        max_length=300,
        help_text=_(
            "The provider's issuer URL; its discovery document is read from "
            "/.well-known/openid-configuration below it."
        ),
    )
    client_id = models.CharField(_("client ID"), max_length=200)
    # Empty: read from CASEWORKS_DIRECTORY_<env_name>_CLIENT_SECRET (or …_FILE).
    client_secret = EncryptedTextField(_("client secret"), blank=True)
    env_name = models.CharField(
        _("name in the environment"),
        max_length=30,
        blank=True,
        validators=[RegexValidator(r"^[A-Z][A-Z0-9_]*$", _("Capital letters, digits and _."))],
        help_text=_(
            "Instead of a secret stored here: CASEWORKS_DIRECTORY_<name>_CLIENT_SECRET or "
            "…_CLIENT_SECRET_FILE on the server."
        ),
    )
    scopes = models.CharField(_("scopes"), max_length=200, default="openid email profile")
    groups_claim = models.CharField(_("group claim"), max_length=60, default="groups")
    second_factor_amr = models.CharField(
        _("amr values that count as a second factor"),
        max_length=200,
        blank=True,
        default=DEFAULT_SECOND_FACTOR_AMR,
    )
    second_factor_acr = models.CharField(
        _("acr values that count as a second factor"), max_length=200, blank=True
    )
    check_minutes = models.PositiveIntegerField(
        _("check every (minutes)"),
        default=15,
        validators=[MinValueValidator(1)],
        help_text=_(
            "How often check_directory asks the provider whether each account still exists "
            "and is enabled; a leaver loses access within this time."
        ),
    )
    session_hours = models.PositiveIntegerField(
        _("session lasts at most (hours)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_(
            "As long as the directory's own sign-in session (Entra ID: sign-in frequency; "
            "Keycloak: SSO Session Max). After it, Caseworks signs the person out and the "
            "directory is asked again. A shorter session the provider announces counts."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    # The technical account (inactive, no password) in whose name the directory's changes to
    # accounts are made and logged: "the directory did it", never an administrator.
    actor = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True, editable=False
    )

    class Meta:
        verbose_name = _("sign-in directory")
        verbose_name_plural = _("sign-in directories")

    def __str__(self) -> str:
        return self.label

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


class DirectoryMapping(models.Model):
    """A directory group and what it gives: roles and a team of the provider's carrier. Counts
    only once a second administrator approved it (nobody grants a file on their own)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        DirectoryProvider, models.CASCADE, related_name="mappings", verbose_name=_("directory")
    )
    group = models.CharField(
        _("group"),
        max_length=200,
        help_text=_("As the provider sends it in the group claim (Entra ID: the object ID)."),
    )
    roles = models.JSONField(_("roles"), default=list)
    team = models.ForeignKey(
        "caseworks.Team",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "group"], name="directory_group_once")
        ]

    def __str__(self) -> str:
        return self.group

    def clean(self) -> None:
        team = self.team
        if team is not None and team.organisation_id != self.provider.organisation_id:
            raise ValidationError(
                {"team": _("Only a team of this directory's carrier can be mapped.")}
            )


class DirectoryIdentity(models.Model):
    """The account a provider's subject signs in to. Never linked to an existing account by
    name or address (that would hand the account to whoever controls the directory entry)."""

    provider = models.ForeignKey(DirectoryProvider, models.PROTECT, related_name="identities")
    subject = models.CharField(max_length=255)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="directory_identity"
    )
    # For the periodic check: a refresh the provider refuses means the account is disabled.
    refresh_token = EncryptedTextField(blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    # Deactivated by the check or a sign-in with no mapped group (not by an administrator):
    # a later sign-in the directory vouches for again makes the account active again.
    deactivated_by_directory = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="directory_subject_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.user_id}"


class DirectorySession(models.Model):
    """A Caseworks session opened through the directory: ended when the provider says so
    (back-channel logout), or when the account is deactivated."""

    identity = models.ForeignKey(DirectoryIdentity, models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    sid = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the directory's session ends (the provider's limit, else the provider's hours):
    # DirectorySessionMiddleware ends this one then. Null: rows from before (no end).
    ends_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.identity_id}:{self.created_at:%Y-%m-%d %H:%M}"


class _NoDevicesForUser(DeviceManager):
    """django-otp asks every device model whether a user has one (the code page, the set-up):
    the directory's confirmation is no device the user can type a code from."""

    def devices_for_user(self, user: object, confirmed: bool | None = None) -> QuerySet[Device]:
        return self.none()


class DirectoryDevice(Device):
    """The second factor the provider confirmed (amr/acr): marks the session verified
    (django_otp.login); it accepts no code."""

    objects = _NoDevicesForUser()

    def verify_token(self, token: str) -> bool:
        return False
