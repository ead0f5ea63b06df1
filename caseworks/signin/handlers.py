"""The lock-out and throttles (django-axes): settings name this module (AXES_HANDLER,
AXES_LOCKOUT_CALLABLE, AXES_CLIENT_IP_CALLABLE)."""

import ipaddress
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessLog as AxesAccessLog
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from caseworks.models import SignInThrottle
from caseworks.signin import services
from caseworks.signin.services import (
    KNOWN_ADDRESS_FOR,
    USERNAME_FORGET_AFTER,
    USERNAME_FREE_FAILURES,
    username_key,
    wait_seconds,
)


def forwarded_client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE behind the TLS proxy (BEHIND_TLS_PROXY=True): the last entry
    of X-Forwarded-For, the one our proxy added. Entries before it come from the client and
    can say anything. Without a usable header, the connecting address."""
    last = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return request.META.get("REMOTE_ADDR")


class SignInHandler(AxesDatabaseHandler):
    """django-axes' database handler (lock-out per user name and address) plus a throttle per
    user name across all addresses: after USERNAME_FREE_FAILURES failed passwords (from
    anywhere, within a day), each further try for that name waits 1 s, 2 s, 4 s … at most
    USERNAME_MAX_WAIT after the last failure. It slows guessing from many addresses without
    locking anyone out for good, and it does not apply from an address the user signed in
    from before, so strangers cannot keep a colleague out. Refused tries check no password
    and count no failure; known and unknown names are treated alike."""

    def is_allowed(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
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
        row = SignInThrottle.objects.filter(username_digest=username_key(username)).first()
        if row is None:
            return 0
        at = services.now()
        if at - row.last_failure_at > USERNAME_FORGET_AFTER:
            return 0
        wait = wait_seconds(row.failures, row.last_failure_at, at, USERNAME_FREE_FAILURES)
        if wait and ip_address:
            known = AxesAccessLog.objects.filter(
                username=username,
                ip_address=ip_address,
                attempt_time__gte=timezone.now() - KNOWN_ADDRESS_FOR,
            ).exists()
            if known:
                return 0
        return wait

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: Any = None,
        **kwargs: Any,
    ) -> None:
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
        at = services.now()
        with transaction.atomic():
            SignInThrottle.objects.filter(last_failure_at__lt=at - USERNAME_FORGET_AFTER).delete()
            row, created = SignInThrottle.objects.select_for_update().get_or_create(
                username_digest=username_key(username),
                defaults={"failures": 1, "last_failure_at": at},
            )
            if not created:
                row.failures += 1
                row.last_failure_at = at
                row.save(update_fields=["failures", "last_failure_at"])

    def reset_attempts(
        self,
        *,
        ip_address: str | None = None,
        username: str | None = None,
        ip_or_username: bool = False,
    ) -> int:
        """`axes_reset_username NAME` (and `axes_reset`) lift the throttle too."""
        count: int = super().reset_attempts(
            ip_address=ip_address, username=username, ip_or_username=ip_or_username
        )
        if username:
            SignInThrottle.objects.filter(username_digest=username_key(username)).delete()
        elif not ip_address:
            SignInThrottle.objects.all().delete()
        return count


def locked_out(request: HttpRequest, credentials: Any, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes: the same page for every user name, known or not (429)."""
    wait = getattr(request, "caseworks_retry_after", None)
    if wait:
        response = render(request, "caseworks/otp_throttled.html", {"seconds": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
