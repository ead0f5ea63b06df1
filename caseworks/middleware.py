"""Request-wide protections: no caching, session lifetime, the second factor."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

SIGNED_IN_AT = "caseworks_signed_in_at"
LAST_SEEN = "caseworks_last_seen"


class NoStoreMiddleware:
    """Every page may show personal data: no browser or proxy may keep a copy.
    (Static files are answered by WhiteNoise before this and stay cacheable.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, no_cache=True, private=True)
        return response


@receiver(user_logged_in)
def _remember_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now


class SessionLifetimeMiddleware:
    """Ends a session after CASEWORKS_SESSION_IDLE_MINUTES without a request, and
    CASEWORKS_SESSION_MAX_HOURS after signing in, whatever happened in between. Ending means
    logout(): the session row is deleted on the server, not just the cookie forgotten."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            signed_in = session.get(SIGNED_IN_AT)
            last_seen = session.get(LAST_SEEN, signed_in)
            idle = settings.CASEWORKS_SESSION_IDLE_MINUTES * 60
            maximum = settings.CASEWORKS_SESSION_MAX_HOURS * 3600
            if signed_in is None or now - last_seen > idle or now - signed_in > maximum:
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return redirect_to_login(request.get_full_path())
            session[LAST_SEEN] = now
        return self.get_response(request)


# Pages a signed-in but not yet verified user may reach.
SECOND_FACTOR_EXEMPT = {"otp_verify", "otp_setup", "logout", "set_language"}


class SecondFactorMiddleware:
    """With CASEWORKS_REQUIRE_2FA, a password alone opens nothing but the code pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.CASEWORKS_REQUIRE_2FA:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.url_name in SECOND_FACTOR_EXEMPT:
            return None
        return redirect_to_login(request.get_full_path(), login_url="otp_verify")
