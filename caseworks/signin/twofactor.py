"""Signing in: the lock-out and throttles (django-axes), the second factor (TOTP via django-otp,
with one-time recovery codes) and its first enrolment (enrolment codes).

Flow: the password login (Django's LoginView, guarded by django-axes) signs the user in
*unverified*; SecondFactorMiddleware then lets them reach only these pages until a code is
accepted. A user without a confirmed authenticator is sent to set one up first; with
CASEWORKS_REQUIRE_2FA, that first set-up needs an enrolment code from an administrator.

Secrets at rest: the TOTP seed is encrypted with the field keys (AuthenticatorDevice.key);
recovery codes and enrolment codes are stored as keyed hashes only (models.code_digest).
"""

import hmac
import ipaddress
import math
import secrets
from base64 import b32encode
from datetime import datetime, timedelta

import segno
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessLog as AxesAccessLog
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device

from caseworks.access.permissions import signed_in
from caseworks.fields import blind_index
from caseworks.models import (
    ENROLMENT_CODE_PURPOSE,
    RECOVERY_CODE_PURPOSE,
    AuthenticatorDevice,
    EnrolmentCode,
    RecoveryCode,
    RecoveryCodeDevice,
    SignInThrottle,
    code_digest,
)

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery"

ENROLMENT_CODE_VALID = timedelta(hours=72)
ENROLMENT_HOURS = int(ENROLMENT_CODE_VALID.total_seconds() // 3600)
# 16 characters of 32 (no 0/O, 1/I): 80 bits, read aloud or typed without confusion.
ENROLMENT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ENROLMENT_SESSION_KEY = "caseworks_enrolment_code"

# The throttle per user name, across all client addresses (see SignInHandler).
USERNAME_FREE_FAILURES = 10
USERNAME_MAX_WAIT = timedelta(minutes=15)
USERNAME_FORGET_AFTER = timedelta(days=1)
KNOWN_ADDRESS_FOR = timedelta(days=90)
USERNAME_PURPOSE = "sign-in throttle"


def now() -> datetime:
    """The clock of the throttles and enrolment codes (tests move it instead of sleeping)."""
    return timezone.now()


def _wait_seconds(failures: int, last_failure: datetime | None, at: datetime, free: int) -> int:
    """Seconds still to wait after `failures` failures, the last at `last_failure`: none for
    the first `free` ones, then 1 s, 2 s, 4 s … up to USERNAME_MAX_WAIT."""
    if failures < free or last_failure is None:
        return 0
    required = min(2 ** (failures - free), USERNAME_MAX_WAIT.total_seconds())
    remaining = (last_failure - at).total_seconds() + required
    return max(0, math.ceil(remaining))


# --- lock-out and throttle (django-axes) ------------------------------------------------------


def forwarded_client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE behind the TLS proxy (BEHIND_TLS_PROXY=True): the last entry
    of X-Forwarded-For, the one our proxy added. Entries before it come from the client and
    can say anything. Without a usable header, the connecting address."""
    last = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return request.META.get("REMOTE_ADDR")


def _username_key(username: str) -> str:
    return blind_index(username, purpose=USERNAME_PURPOSE)


class SignInHandler(AxesDatabaseHandler):
    """django-axes' database handler (lock-out per user name and address) plus a throttle per
    user name across all addresses: after USERNAME_FREE_FAILURES failed passwords (from
    anywhere, within a day), each further try for that name waits 1 s, 2 s, 4 s … at most
    USERNAME_MAX_WAIT after the last failure. It slows guessing from many addresses without
    locking anyone out for good, and it does not apply from an address the user signed in
    from before, so strangers cannot keep a colleague out. Refused tries check no password
    and count no failure; known and unknown names are treated alike."""

    def is_allowed(self, request, credentials=None) -> bool:
        if not super().is_allowed(request, credentials):
            request.caseworks_refused = True
            return False
        username = get_client_username(request, credentials)
        if username:
            wait = self._username_wait(username, request.axes_ip_address)
            if wait:
                request.caseworks_retry_after = wait
                request.axes_locked_out = True  # AxesMiddleware answers with locked_out()
                return False
        return True

    def _username_wait(self, username: str, ip_address: str | None) -> int:
        row = SignInThrottle.objects.filter(username_digest=_username_key(username)).first()
        if row is None:
            return 0
        at = now()
        if at - row.last_failure_at > USERNAME_FORGET_AFTER:
            return 0
        wait = _wait_seconds(row.failures, row.last_failure_at, at, USERNAME_FREE_FAILURES)
        if wait and ip_address:
            known = AxesAccessLog.objects.filter(
                username=username,
                ip_address=ip_address,
                attempt_time__gte=timezone.now() - KNOWN_ADDRESS_FOR,
            ).exists()
            if known:
                return 0
        return wait

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is not None and getattr(request, "caseworks_retry_after", None):
            return  # refused by the throttle: no password was checked
        refused = request is not None and getattr(request, "caseworks_refused", False)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or refused:
            return
        username = get_client_username(request, credentials)
        if username:
            self._count_failure(username)

    def _count_failure(self, username: str) -> None:
        at = now()
        with transaction.atomic():
            SignInThrottle.objects.filter(last_failure_at__lt=at - USERNAME_FORGET_AFTER).delete()
            row, created = SignInThrottle.objects.select_for_update().get_or_create(
                username_digest=_username_key(username),
                defaults={"failures": 1, "last_failure_at": at},
            )
            if not created:
                row.failures += 1
                row.last_failure_at = at
                row.save(update_fields=["failures", "last_failure_at"])

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False) -> int:
        """`axes_reset_username NAME` (and `axes_reset`) lift the throttle too."""
        count = super().reset_attempts(
            ip_address=ip_address, username=username, ip_or_username=ip_or_username
        )
        if username:
            SignInThrottle.objects.filter(username_digest=_username_key(username)).delete()
        elif not ip_address:
            SignInThrottle.objects.all().delete()
        return count


def locked_out(request, credentials, *args, **kwargs):
    """django-axes: the same page for every user name, known or not (429)."""
    wait = getattr(request, "caseworks_retry_after", None)
    if wait:
        response = render(request, "caseworks/otp_throttled.html", {"seconds": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


# --- the second factor ------------------------------------------------------------------------


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_(
            "The six-digit code from your authenticator app, or one of your recovery codes."
        ),
    )

    def clean_otp_token(self):
        return "".join(self.cleaned_data["otp_token"].split())


class EnrolmentForm(forms.Form):
    enrolment_code = forms.CharField(
        label=_("Enrolment code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
        help_text=_("The code an administrator gave you, e.g. ABCD-EFGH-JKLM-NPQR."),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or settings.LOGIN_REDIRECT_URL
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def _verify(user, token: str):
    """The device that accepts `token`, or None. A TOTP code is refused a second time
    (the device keeps the last used time step); a recovery code is deleted when used.
    Every device throttles after failures."""
    with transaction.atomic():
        for device in (
            *AuthenticatorDevice.objects.select_for_update().filter(user=user, confirmed=True),
            *RecoveryCodeDevice.objects.select_for_update().filter(user=user, confirmed=True),
        ):
            if device.verify_token(token):
                return device
    return None


@signed_in
@require_http_methods(["GET", "POST"])
def verify(request):
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not user_has_device(request.user):
        return redirect(f"{reverse('otp_setup')}?next={_next_url(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _verify(request.user, form.cleaned_data["otp_token"])
        if device is not None:
            otp_login(request, device)
            request.session.cycle_key()
            if isinstance(device, RecoveryCodeDevice):
                left = RecoveryCode.objects.filter(device=device).count()
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code. %(count)d codes are left; create new "
                        "ones under “Security” when few are left."
                    )
                    % {"count": left},
                )
            return redirect(_next_url(request))
        form.add_error(
            "otp_token",
            _(
                "This code is not valid. Codes can be used only once; wait for the next one. "
                "After several wrong codes, each further try has to wait longer."
            ),
        )
    return render(
        request, "registration/otp_verify.html", {"form": form, "next": _next_url(request)}
    )


def _new_recovery_codes(user) -> list[str]:
    """Ten new recovery codes (the old ones stop working), shown once, stored hashed."""
    device, _created = RecoveryCodeDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.codes.all().delete()
    codes = [b32encode(secrets.token_bytes(5)).decode().lower() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=code_digest(c, purpose=RECOVERY_CODE_PURPOSE))
        for c in codes
    )
    return codes


# --- enrolment codes --------------------------------------------------------------------------


def issue_enrolment_code(user, *, issued_by=None) -> str:
    """A new enrolment code for `user` (any earlier one stops working), valid 72 hours.
    Returned once to be shown to the administrator; only its keyed hash is stored."""
    code = "".join(secrets.choice(ENROLMENT_ALPHABET) for _ in range(16))
    at = now()
    with transaction.atomic():
        EnrolmentCode.objects.filter(user=user).delete()
        EnrolmentCode.objects.create(
            user=user,
            digest=code_digest(code, purpose=ENROLMENT_CODE_PURPOSE),
            issued_at=at,
            expires_at=at + ENROLMENT_CODE_VALID,
            issued_by=issued_by,
        )
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _enrolment_needed(request) -> bool:
    """The first second factor (also after a reset) needs an enrolment code; demo mode and
    a verified user replacing their app do not."""
    return settings.CASEWORKS_REQUIRE_2FA and not request.user.is_verified()


def _accepted_enrolment(request) -> EnrolmentCode | None:
    """The enrolment code accepted earlier in this session, while it is valid."""
    pk = request.session.get(ENROLMENT_SESSION_KEY)
    if pk is None:
        return None
    return EnrolmentCode.objects.filter(pk=pk, user=request.user, expires_at__gt=now()).first()


def _check_enrolment_code(user, typed: str) -> EnrolmentCode | None:
    with transaction.atomic():
        row = EnrolmentCode.objects.select_for_update().filter(user=user).first()
        if row is None:
            return None
        at = now()
        if row.expires_at <= at or _wait_seconds(
            row.throttling_failure_count, row.throttling_failure_timestamp, at, free=1
        ):
            return None
        digest = code_digest(typed, purpose=ENROLMENT_CODE_PURPOSE)
        if not hmac.compare_digest(row.digest, digest):
            row.throttling_failure_count += 1
            row.throttling_failure_timestamp = at
            row.save(update_fields=["throttling_failure_count", "throttling_failure_timestamp"])
            return None
        return row


def _enrolment(request):
    """The step before the QR code: the accepted enrolment code, or its page."""
    form = EnrolmentForm(request.POST if "enrolment_code" in request.POST else None)
    if form.is_bound and form.is_valid():
        row = _check_enrolment_code(request.user, form.cleaned_data["enrolment_code"])
        if row is not None:
            request.session[ENROLMENT_SESSION_KEY] = row.pk
            return row
        form.add_error(
            "enrolment_code",
            _(
                "This enrolment code is not valid: it may be mistyped, expired (after %(hours)d "
                "hours) or used already. Ask an administrator for a new one. After several "
                "wrong codes, each further try has to wait longer."
            )
            % {"hours": ENROLMENT_HOURS},
        )
    return render(
        request,
        "caseworks/otp_enrolment.html",
        {"form": form, "next": _next_url(request), "hours": ENROLMENT_HOURS},
    )


@signed_in
@require_http_methods(["GET", "POST"])
def setup(request):
    """Add an authenticator app: (the first time, the enrolment code,) then scan the QR code
    (or type the key) and confirm with a code."""
    if user_has_device(request.user) and not request.user.is_verified():
        # Replacing a device needs the old one first (or an admin resetting it).
        return redirect("otp_verify")
    enrolment = None
    if _enrolment_needed(request):
        enrolment = _accepted_enrolment(request) or _enrolment(request)
        if not isinstance(enrolment, EnrolmentCode):
            return enrolment  # the enrolment code's page
    device = AuthenticatorDevice.objects.filter(
        user=request.user, confirmed=False
    ).first() or AuthenticatorDevice.objects.create(
        user=request.user, name=AUTHENTICATOR_NAME, confirmed=False
    )
    form = TokenForm(request.POST if "otp_token" in request.POST else None)
    if form.is_bound and form.is_valid():
        with transaction.atomic():
            # One enrolment per code: whoever confirms first spends it.
            spendable = enrolment is None or (
                EnrolmentCode.objects.select_for_update()
                .filter(pk=enrolment.pk, expires_at__gt=now())
                .exists()
            )
            if spendable and device.verify_token(form.cleaned_data["otp_token"]):
                if enrolment is not None:
                    EnrolmentCode.objects.filter(pk=enrolment.pk).delete()
                    request.session.pop(ENROLMENT_SESSION_KEY, None)
                device.confirmed = True
                device.save()
                AuthenticatorDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
                codes = _new_recovery_codes(request.user)
                otp_login(request, device)
                request.session.cycle_key()
                return render(
                    request,
                    "registration/otp_recovery_codes.html",
                    {"codes": codes, "next": _next_url(request)},
                )
        form.add_error(
            "otp_token",
            _(
                "This code does not match. Check that the time on your phone is right and type "
                "the code that is shown now."
            ),
        )
    secret = b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "registration/otp_setup.html",
        {
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            # Marked safe in the template: segno writes only path data and escapes the title;
            # the secret and user name are encoded in the picture, never as text.
            "qr_svg": qr.svg_inline(scale=4, dark="#000", light="#fff", title=str(_("QR code"))),
            "next": _next_url(request),
        },
    )


@signed_in
@require_http_methods(["GET", "POST"])
def security(request):
    """The user's own sign-in settings: second factor, new recovery codes, password."""
    has_device = user_has_device(request.user)
    if request.method == "POST" and has_device and request.user.is_verified():
        codes = _new_recovery_codes(request.user)
        return render(
            request,
            "registration/otp_recovery_codes.html",
            {"codes": codes, "next": settings.LOGIN_REDIRECT_URL},
        )
    left = RecoveryCode.objects.filter(device__user=request.user).count()
    return render(
        request, "registration/security.html", {"has_device": has_device, "recovery_left": left}
    )
