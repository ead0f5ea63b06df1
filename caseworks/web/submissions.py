"""One save per filled-in form: a double tap, or the Back button and "save" again, must not
create a second visit, person or deadline.

A create view calls `submission_seen(request)` first when handling a POST; a response it
returns is the "already saved" page with a link to what was saved. Inside the transaction
that creates the row, the view calls `submission_record(request, url=…)`.

Two keys recognise a repeat, either suffices:
- the token `{% submission_field %}` puts into the form (a double tap sends it twice);
- a keyed hash of the user, the address and every field sent (without the CSRF token and
  the form token): pages are never cached (NoStoreMiddleware), so Back loads the form anew
  with a new token while the browser restores what was typed.
Both are kept CASEWORKS_RESUBMISSION_MINUTES. Two requests racing past the check both try to
record the same key; the second fails on the unique key, raises AlreadySaved, which rolls
its transaction back, and SubmissionMiddleware answers it with the same page.
"""

import datetime
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

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


def submission_seen(request: HttpRequest) -> HttpResponse | None:
    """The "already saved" page when this user sent this form before; else None."""
    if request.method != "POST" or not request.user.is_authenticated:
        return None
    earlier = earlier_submission(request)
    return already_saved_response(request, earlier) if earlier is not None else None


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


class SubmissionMiddleware:
    """Answers AlreadySaved (a racing duplicate, rolled back) with the "already saved" page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, AlreadySaved):
            submission = exception.submission
            if submission is not None and submission.user_id != request.user.pk:
                submission = None
            return already_saved_response(request, submission)
        return None
