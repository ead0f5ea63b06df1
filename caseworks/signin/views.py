"""The second factor's pages: the code after the password, the first set-up (with an enrolment
code) and the user's own security page.

Flow: the password login (Django's LoginView, guarded by django-axes: caseworks.signin.handlers)
signs the user in *unverified*; SecondFactorMiddleware then lets them reach only these pages
until a code is accepted. A user without a confirmed authenticator is sent to set one up
first; with CASEWORKS_REQUIRE_2FA, that first set-up needs an enrolment code from an
administrator (caseworks.signin.services.issue_enrolment_code).
"""

from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device

from caseworks.access.permissions import public, signed_in
from caseworks.models import AuthenticatorDevice, EnrolmentCode, RecoveryCode, RecoveryCodeDevice
from caseworks.signin import services
from caseworks.signin.forms import AccessResetForm, EnrolmentForm, TokenForm
from caseworks.signin.services import AUTHENTICATOR_NAME, ENROLMENT_HOURS

ENROLMENT_SESSION_KEY = "caseworks_enrolment_code"


def _user(request: HttpRequest) -> Any:
    """The signed-in user, with django-otp's is_verified() (OTPMiddleware adds it)."""
    return request.user


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or settings.LOGIN_REDIRECT_URL
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return str(target)
    return str(settings.LOGIN_REDIRECT_URL)


@signed_in
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.is_verified():
        return redirect(_next_url(request))
    if not user_has_device(user):
        return redirect(f"{reverse('otp_setup')}?next={_next_url(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.device_for_token(user, form.cleaned_data["otp_token"])
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


def _enrolment_needed(request: HttpRequest) -> bool:
    """The first second factor (also after a reset) needs an enrolment code; demo mode and
    a verified user replacing their app do not."""
    return bool(settings.CASEWORKS_REQUIRE_2FA) and not _user(request).is_verified()


def _accepted_enrolment(request: HttpRequest) -> EnrolmentCode | None:
    """The enrolment code accepted earlier in this session, while it is valid."""
    pk = request.session.get(ENROLMENT_SESSION_KEY)
    if pk is None:
        return None
    return services.valid_enrolment_code(_user(request), pk)


def _enrolment(request: HttpRequest) -> EnrolmentCode | HttpResponse:
    """The step before the QR code: the accepted enrolment code, or its page."""
    form = EnrolmentForm(request.POST if "enrolment_code" in request.POST else None)
    if form.is_bound and form.is_valid():
        row = services.check_enrolment_code(_user(request), form.cleaned_data["enrolment_code"])
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
def setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: (the first time, the enrolment code,) then scan the QR code
    (or type the key) and confirm with a code."""
    user = _user(request)
    if user_has_device(user) and not user.is_verified():
        # Replacing a device needs the old one first (or an admin resetting it).
        return redirect("otp_verify")
    enrolment = None
    if _enrolment_needed(request):
        accepted = _accepted_enrolment(request) or _enrolment(request)
        if not isinstance(accepted, EnrolmentCode):
            return accepted  # the enrolment code's page
        enrolment = accepted
    device = AuthenticatorDevice.objects.filter(
        user=user, confirmed=False
    ).first() or AuthenticatorDevice.objects.create(
        user=user, name=AUTHENTICATOR_NAME, confirmed=False
    )
    form = TokenForm(request.POST if "otp_token" in request.POST else None)
    if form.is_bound and form.is_valid():
        codes = services.authenticator_confirm(
            user, device, form.cleaned_data["otp_token"], enrolment=enrolment
        )
        if codes is not None:
            if enrolment is not None:
                request.session.pop(ENROLMENT_SESSION_KEY, None)
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
def security(request: HttpRequest) -> HttpResponse:
    """The user's own sign-in settings: second factor, new recovery codes, password."""
    user = _user(request)
    has_device = user_has_device(user)
    if request.method == "POST" and has_device and user.is_verified():
        codes = services.new_recovery_codes(user)
        return render(
            request,
            "registration/otp_recovery_codes.html",
            {"codes": codes, "next": settings.LOGIN_REDIRECT_URL},
        )
    left = RecoveryCode.objects.filter(device__user=user).count()
    return render(
        request, "registration/security.html", {"has_device": has_device, "recovery_left": left}
    )


@signed_in(methods=["GET"])
def session_alive(request: HttpRequest) -> HttpResponse:
    """The "stay signed in" button (static/js/session.js): a request like any other, which is
    all it takes to extend the session (SessionLifetimeMiddleware); nothing else happens.
    After the end, the usual redirect to the sign-in page tells the script so."""
    return HttpResponse(status=204)


@public(methods=["GET", "POST"])
def reset(request: HttpRequest) -> HttpResponse:
    """The person sets their own password with the one-time code an administrator had mailed
    to them (caseworks.house.services: the administrator never sees it), then sets up a new
    second factor with the same code. The same answer for an unknown name and a wrong code."""
    form = AccessResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = (
            get_user_model()
            .objects.filter(username=form.cleaned_data["username"], is_active=True)
            .first()
        )
        row = (
            services.reset_with_code(
                user, form.cleaned_data["enrolment_code"], form.cleaned_data["password1"]
            )
            if user is not None
            else None
        )
        if user is not None and row is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[ENROLMENT_SESSION_KEY] = row.pk
            messages.success(request, _("Password set. Now set up the authenticator app."))
            return redirect("otp_setup")
        form.add_error(
            "enrolment_code",
            _(
                "The user name or the code is not valid: it may be mistyped, expired (after "
                "%(hours)d hours) or used already. After several wrong codes, each further try "
                "has to wait longer."
            )
            % {"hours": ENROLMENT_HOURS},
        )
    return render(request, "caseworks/access_reset.html", {"form": form})
