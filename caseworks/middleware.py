"""Request-wide protections: no caching, session lifetime, the second factor; requests too
large to read and storage that fails (a locked database, a full disk) answered with a page
that says so in the user's language."""

import errno
import logging
import time
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout, user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import DatabaseError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from caseworks.access.permissions import PUBLIC, gate_of
from caseworks.web import stash

logger = logging.getLogger("caseworks.storage")

# Fields never written back into a page (the sign-in's password and code, the CSRF token,
# which the page renews, and the save-once token, which keeps its meaning when sent again).
NOT_REPEATED = {"password", "password1", "password2", "otp_token", "csrfmiddlewaretoken"}


# What a locked database or a full disk says (SQLite, PostgreSQL); any other failure (a lost
# connection, a bug) stays the 500 page.
BUSY = ("database is locked", "database table is locked", "lock timeout", "deadlock detected")
FULL = ("database or disk is full", "no space left", "could not extend", "disk quota")


def _storage_error(exception: BaseException) -> DatabaseError | OSError | None:
    """The locked database or full disk behind an exception (its cause chain), if any."""
    seen: BaseException | None = exception
    while seen is not None:
        if isinstance(seen, OperationalError) and any(
            words in str(seen).lower() for words in BUSY + FULL
        ):
            return seen
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def storage_unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """503 in German: busy (a lock) or storage full; what the user typed comes back in a form
    that sends it again (never a password; files cannot be kept). Logged for the operator
    without the request's data."""
    text = str(error).lower()
    full = isinstance(error, OSError) or any(words in text for words in FULL)
    logger.error(
        "Storage %s on %s %s: %s",
        "full" if full else "unavailable",
        request.method,
        request.path,
        type(error).__name__,
    )
    fields = []
    files = False
    if request.method == "POST":
        try:
            fields = [
                (name, value)
                for name in request.POST
                if name not in NOT_REPEATED
                for value in request.POST.getlist(name)
            ]
            files = bool(request.FILES)
        except Exception:  # the body could not be read again: nothing to offer
            fields = []
    context = {"full": full, "fields": fields, "files": files, "action": request.get_full_path()}
    try:
        response = render(request, "caseworks/storage_unavailable.html", context, status=503)
    except Exception:  # the page's own context (navigation) needed the storage that failed
        logger.exception("The storage page could not be rendered with the request")
        response = HttpResponse(
            loader.get_template("caseworks/storage_unavailable.html").render(context), status=503
        )
    response["Retry-After"] = "30"
    return response


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that a session that cannot be saved because the database is locked or
    the disk full is said to be that (Django answers "Bad Request": the session "was deleted
    … the user may have logged out"), with what the user sent kept on the page."""

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except (SessionInterrupted, DatabaseError, OSError) as exception:
            error = _storage_error(exception)
            if error is None:
                raise
            return storage_unavailable(request, error)


class StorageErrorMiddleware:
    """A view that fails on a locked database or a full disk: the same page, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        error = _storage_error(exception)
        return None if error is None else storage_unavailable(request, error)


def _body_limit(request: HttpRequest) -> int:
    """The largest body read at all. An upload (multipart) within four times the document
    limit reaches its form, whose upload handler refuses a file over the limit while it
    arrives and shows the form again with what was typed; only a body far past that is
    refused here. Any other form: Django's DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if request.content_type == "multipart/form-data":
        return (4 * int(settings.CASEWORKS_DOCUMENT_MAX_MB) + 1) * 1024 * 1024
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440)


# What is read and thrown away of a body that is too large, so that the browser gets to read
# the answer instead of a connection reset; a body larger still is not read.
DRAIN_LIMIT = 64 * 1024 * 1024


class RequestSizeMiddleware:
    """413 with a page naming the limit, before anything reads a body that is too large
    (Django would answer 400 from deep inside, and the server reset the connection)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = _body_limit(request)
        if length <= limit:
            return self.get_response(request)
        if length <= DRAIN_LIMIT:
            stream = request.META.get("wsgi.input")
            remaining = length
            while stream is not None and remaining > 0:
                chunk = stream.read(min(remaining, 1024 * 1024))
                if not chunk:
                    break
                remaining -= len(chunk)
        response = request_too_large(request, limit=limit, sent=length)
        if length > DRAIN_LIMIT:
            response["Connection"] = "close"
        return response


def request_too_large(request: HttpRequest, *, limit: int, sent: int | None) -> HttpResponse:
    """413 with the limit named (also for Django's own RequestDataTooBig, caseworks.views)."""
    logger.warning("Request body of %s bytes refused on %s (limit %d)", sent, request.path, limit)
    megabytes = {"limit_mb": f"{limit / 1024 / 1024:.1f}".removesuffix(".0")}
    if sent:
        megabytes["sent_mb"] = f"{sent / 1024 / 1024:.1f}"
    # Before LocaleMiddleware: the page in the language the request asks for, as later ones.
    with translation.override(translation.get_language_from_request(request)):
        return render(request, "413.html", megabytes, status=413)


SIGNED_IN_AT = "caseworks_signed_in_at"
LAST_SEEN = "caseworks_last_seen"
# LAST_SEEN is written when it moved by at least this many seconds: a request that changes
# nothing writes nothing (no session save, no commit; issue 37). Idle limits are in minutes.
LAST_SEEN_RESOLUTION = 60


class NoStoreMiddleware:
    """Every page may show personal data: no browser or proxy may keep a copy.
    (Static files are answered by WhiteNoise before this and stay cacheable.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, no_cache=True, private=True)
        return response


# The user whose session ended in this browser, kept in the new (anonymous) session: what a
# form sent afterwards is kept for them alone (caseworks.web.stash).
ENDED_USER = "caseworks_ended_user"


@receiver(user_logged_in)
def _remember_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now
        request.session.pop(ENDED_USER, None)
        stash.discard_unless_for(request, str(user.pk))


def _session_store() -> type[SessionBase]:
    store: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    return store


def _recall_ended_session(request: HttpRequest) -> None:
    """A cookie naming a session that expired (the idle time passed without a request; its
    row outlives it until `clearsessions`): note whose it was in the new session, and delete
    the row. Only used to bind what is typed next to that user, never to sign anyone in."""
    cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    store = _session_store()
    if (
        not cookie
        or request.session.session_key is not None
        or not hasattr(store, "get_model_class")
    ):
        return
    row = store.get_model_class().objects.filter(session_key=cookie).first()
    if row is None:
        return
    user_id = store().decode(row.session_data).get(SESSION_KEY)
    row.delete()
    if user_id is not None:
        request.session[ENDED_USER] = str(user_id)


class SessionLifetimeMiddleware:
    """Ends a session after CASEWORKS_SESSION_IDLE_MINUTES without a request, and
    CASEWORKS_SESSION_MAX_HOURS after signing in, whatever happened in between. Ending means
    logout(): the session row is deleted on the server, not just the cookie forgotten.

    The idle end is never early and at most a minute late: the time of the last request is
    kept to the minute (LAST_SEEN_RESOLUTION; written only when it moved that far, so it is
    at most 59 seconds behind the real last request), and the end comes when even that
    lagging time is more than the idle limit plus those 59 seconds ago. The session row
    expires a minute after the idle limit accordingly (settings.SESSION_COOKIE_AGE).

    After the end, a page behind the sign-in leads to the sign-in page saying the session
    ended; a form sent to one is not processed, and what was typed is kept encrypted
    (caseworks.web.stash) until the same user signs in again and lands on the form."""

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
            lag = LAST_SEEN_RESOLUTION - 1
            if signed_in is None or now - last_seen > idle + lag or now - signed_in > maximum:
                user_id = str(request.user.pk)
                logout(request)
                request.session[ENDED_USER] = user_id
                if request.method != "POST":
                    messages.info(request, _("Your session has ended. Please sign in again."))
                    return redirect_to_login(request.get_full_path())
                # A form goes on to process_view, which keeps what was typed.
            elif now - last_seen >= LAST_SEEN_RESOLUTION:
                session[LAST_SEEN] = now
        elif settings.SESSION_COOKIE_NAME in request.COOKIES:
            _recall_ended_session(request)
        response = self.get_response(request)
        stash.finish(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.user.is_authenticated:
            return None
        user_id = request.session.get(ENDED_USER)
        gate = gate_of(view_func)
        if user_id is None or gate is None or gate == PUBLIC:
            return None
        response = redirect_to_login(request.get_full_path())
        if request.method == "POST" and stash.keep(request, response, user_id=user_id):
            messages.info(
                request,
                _("Your session has expired. After signing in, what you typed is back."),
            )
        else:
            messages.info(request, _("Your session has ended. Please sign in again."))
        return response


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
