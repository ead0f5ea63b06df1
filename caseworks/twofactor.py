"""Second factor (TOTP via django-otp, with one-time recovery codes) and the lock-out page.

Flow: the password login (Django's LoginView, guarded by django-axes) signs the user in
*unverified*; SecondFactorMiddleware then lets them reach only these pages until a code is
accepted. A user without a confirmed authenticator is sent to set one up first.
"""

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseworks.permissions import signed_in

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery"


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


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or settings.LOGIN_REDIRECT_URL
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def _verify(user, token: str):
    """The device that accepts `token`, or None. A TOTP code is refused a second time
    (django-otp keeps the last used time step); a recovery code is deleted when used.
    Every device throttles after failures."""
    with transaction.atomic():
        for device in (
            *TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True),
            *StaticDevice.objects.select_for_update().filter(user=user, confirmed=True),
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
            if isinstance(device, StaticDevice):
                left = StaticToken.objects.filter(device=device).count()
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
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@signed_in
@require_http_methods(["GET", "POST"])
def setup(request):
    """Add an authenticator app: scan the QR code (or type the key), confirm with a code."""
    if user_has_device(request.user) and not request.user.is_verified():
        # Replacing a device needs the old one first (or an admin resetting it).
        return redirect("otp_verify")
    device = TOTPDevice.objects.filter(
        user=request.user, confirmed=False
    ).first() or TOTPDevice.objects.create(
        user=request.user, name=AUTHENTICATOR_NAME, confirmed=False
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if device.verify_token(form.cleaned_data["otp_token"]):
                device.confirmed = True
                device.save()
                TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
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
    left = StaticToken.objects.filter(device__user=request.user).count()
    return render(
        request, "registration/security.html", {"has_device": has_device, "recovery_left": left}
    )


def locked_out(request, credentials, *args, **kwargs):
    """django-axes: the same page for every user name, known or not (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
