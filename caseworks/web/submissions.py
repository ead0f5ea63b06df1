"""One save per filled-in form: a double tap, or the Back button and "save" again, must not
create a second visit, person or deadline.

The one protocol is `caseworks.web.forms.submit(..., creates=...)` (used by form_page with
`creates=True`): before saving it asks `earlier_submission(request)`, and inside the
transaction that creates the row it calls `submission_record(request, url=…)`.

Two keys recognise a repeat, either suffices:
- the token `{% submission_field %}` puts into the form (a double tap sends it twice);
- a keyed hash of the user, the address and every field sent (without the CSRF token and
  the form token): pages are never cached (NoStoreMiddleware), so Back loads the form anew
  with a new token while the browser restores what was typed.
Both are kept CASEWORKS_RESUBMISSION_MINUTES. Two requests racing past the check both try to
record the same key; the second fails on the unique key, raises AlreadySaved, which rolls
its transaction back.

SubmissionMiddleware answers AlreadySaved. The same form sent twice (its token: a double
tap) goes where the first one went, as if it had been the only one: the browser dropped the
first answer, whose success message waits in the session and shows there. The same content
sent from a form loaded anew (Back and save) gets the "already saved" page, which says that
nothing was saved twice and how to record a second, identical entry on purpose.
"""

import datetime
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.base import BaseStorage
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from caseworks.fields import _hmac_key
from caseworks.models import Submission

FIELD = "submission"
IGNORED = {"csrfmiddlewaretoken", FIELD}


class AlreadySaved(Exception):
    """Raised by submission_record when a concurrent request saved the same form first."""

    def __init__(self, submission: Submission | None) -> None:
        super().__init__("form already saved")
        self.submission = submission


def new_token() -> str:
    return secrets.token_urlsafe(18)


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.CASEWORKS_RESUBMISSION_MINUTES)


def _content_key(request: HttpRequest) -> str:
    key = _hmac_key(settings.CASEWORKS_BLIND_INDEX_KEY)
    mac = hmac.new(key, b"submission\x00", hashlib.sha256)
    mac.update(f"{request.user.pk}\x00{request.path}\x00".encode())
    for name in sorted(request.POST):
        if name in IGNORED:
            continue
        for value in request.POST.getlist(name):
            mac.update(f"{name}\x01{value}\x02".encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            mac.update(f"{name}\x01{upload.name}\x01{upload.size}\x02".encode())
    return mac.hexdigest()


TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _token(request: HttpRequest) -> str:
    """The form's token as sent; anything but what new_token() makes counts as none (a
    tampered field must not reach the database: PostgreSQL refuses NUL in text)."""
    token = request.POST.get(FIELD, "")
    return token if TOKEN.fullmatch(token) else ""


def earlier_submission(request: HttpRequest) -> Submission | None:
    recent = Submission.objects.filter(user_id=request.user.pk or 0, at__gte=_window_start())
    token = _token(request)
    if token:
        found = recent.filter(token=token).first()
        if found is not None:
            return found
    return recent.filter(key=_content_key(request)).first()


def already_saved_response(request: HttpRequest, submission: Submission | None) -> HttpResponse:
    return render(
        request,
        "caseworks/already_saved.html",
        {"submission": submission, "form_url": request.get_full_path()},
        status=200,
    )


def submission_record(request: HttpRequest, *, url: str, label: str = "") -> None:
    """Remember that this form was saved; call inside the saving transaction. `label` is a
    kind ("visit"), never personal data. Raises AlreadySaved when another request saved the
    same form a moment earlier (the caller's transaction must then roll back)."""
    if request.method != "POST" or not request.user.is_authenticated:
        return
    key = _content_key(request)
    Submission.objects.filter(at__lt=_window_start()).delete()
    try:
        with transaction.atomic():
            Submission.objects.create(
                key=key, token=_token(request), user=request.user, url=url[:300], label=label[:80]
            )
    except IntegrityError:
        raise AlreadySaved(Submission.objects.filter(key=key).first()) from None


def _double_tap(request: HttpRequest, submission: Submission) -> bool:
    """This very form was sent before (its token), not one loaded anew with the same
    content; and what it saved has a page of this site to go back to."""
    token = _token(request)
    url = submission.url
    return bool(token) and submission.token == token and url.startswith("/") and "//" not in url


def _say_saved(request: HttpRequest) -> None:
    """The first request's success message waits in the session (the browser dropped that
    answer for the second tap's): show it, once. Only when none is waiting (it was shown
    meanwhile, or the two requests raced) a short one of our own."""
    storage = messages.get_messages(request)
    waiting = any(message.level == messages.SUCCESS for message in storage)
    if isinstance(storage, BaseStorage):
        storage.used = False  # looking does not count as shown (Django's documented way)
    if not waiting:
        messages.success(request, _("Saved."))


def repeat_response(request: HttpRequest, submission: Submission | None) -> HttpResponse:
    """The answer to a create form sent again (see the module's docstring)."""
    if submission is not None and submission.user_id != request.user.pk:
        submission = None
    if submission is not None and _double_tap(request, submission):
        _say_saved(request)
        return HttpResponseRedirect(submission.url)
    return already_saved_response(request, submission)


class SubmissionMiddleware:
    """Answers AlreadySaved (a repeat found before saving, or a racing duplicate, rolled
    back): repeat_response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, AlreadySaved):
            return repeat_response(request, exception.submission)
        return None
