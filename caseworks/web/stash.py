"""What a user typed when their session had ended, kept encrypted until they sign in again.

A form sent after the session ended (idle time, absolute lifetime) cannot be saved: nobody is
signed in. Instead of losing it, SessionLifetimeMiddleware hands such a POST to `keep`: the
form's fields (never files, passwords or tokens) are encrypted with a fresh random key
(AES-GCM, bound to the user whose session it was and to the form's address). The ciphertext
goes into the new, anonymous session (a server-side row that dies with that session); the key
into a cookie that the browser sends only to the form's address (HttpOnly, SameSite=Lax,
Secure over HTTPS, KEEP_MINUTES). Neither half alone reveals anything, and both are gone after
KEEP_MINUTES; nothing of it is ever logged.

After signing in again (password and second factor) the user lands on the form; form_page
calls `restore`, which fills the forms with what was typed (initial values: nothing is saved)
and deletes the stash, so a second visit finds nothing. Someone else signing in in the same
browser discards it (`discard_unless_for`, at sign-in).
"""

import base64
import json
import secrets
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django import forms as django_forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _

# In the session: the ciphertext and who/where it belongs to. In the cookie: the key.
SESSION_KEY = "caseworks_stash"
COOKIE = "caseworks_stash_key"
KEEP_MINUTES = 15
# A form larger than this (a pasted book) is not kept: the session row is no file store.
MAX_BYTES = 512 * 1024
# Never kept: secrets, and the tokens the restored page renews (CSRF, save once).
SKIPPED = {
    "password",
    "password1",
    "password2",
    "old_password",
    "new_password1",
    "new_password2",
    "otp_token",
    "enrolment_code",
    "csrfmiddlewaretoken",
    "submission",
}
_USED = "_caseworks_stash_used"


def _associated(user_id: str, path: str) -> bytes:
    """What the ciphertext is bound to: decrypting it for another user or address fails."""
    return f"caseworks-stash\x00{user_id}\x00{path}".encode()


def keep(request: HttpRequest, response: HttpResponse, *, user_id: str) -> bool:
    """Encrypt the fields of this POST for `user_id`: the ciphertext into the session, the
    key into a cookie on `response`. False when there is nothing to keep (no field, only
    tokens) or too much."""
    fields = [
        [name, value]
        for name in request.POST
        if name not in SKIPPED
        for value in request.POST.getlist(name)
    ]
    if not any(value.strip() for _name, value in fields):
        return False
    plaintext = json.dumps(fields).encode()
    if len(plaintext) > MAX_BYTES:
        return False
    key = AESGCM.generate_key(bit_length=256)
    nonce = secrets.token_bytes(12)
    box = nonce + AESGCM(key).encrypt(nonce, plaintext, _associated(user_id, request.path))
    request.session[SESSION_KEY] = {
        "user": user_id,
        "path": request.path,
        "at": int(time.time()),
        "files": bool(request.FILES),
        "box": base64.b64encode(box).decode(),
    }
    response.set_cookie(
        COOKIE,
        base64.urlsafe_b64encode(key).decode(),
        max_age=KEEP_MINUTES * 60,
        path=request.path,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return True


def _take(request: HttpRequest) -> tuple[list[list[str]], bool] | None:
    """The fields kept for this user and address, decrypted; the stash is removed either way
    once it is looked at here (first use), and whenever it is stale."""
    stash = request.session.get(SESSION_KEY)
    if not isinstance(stash, dict) or stash.get("path") != request.path:
        return None
    del request.session[SESSION_KEY]
    setattr(request, _USED, stash["path"])  # noqa: B010  # finish() deletes the cookie
    key = request.COOKIES.get(COOKIE)
    user_id = str(request.user.pk)
    if (
        key is None
        or stash.get("user") != user_id
        or time.time() - stash.get("at", 0) > KEEP_MINUTES * 60
    ):
        return None
    box = base64.b64decode(stash["box"])
    try:
        plaintext = AESGCM(base64.urlsafe_b64decode(key)).decrypt(
            box[:12], box[12:], _associated(user_id, request.path)
        )
    except (InvalidTag, ValueError):
        # The key comes from the browser: a changed or foreign cookie is bad input (nothing
        # to restore), unlike a wrong server key, which would be an error.
        return None
    return json.loads(plaintext), bool(stash.get("files"))


def _fill(form: django_forms.BaseForm, data: QueryDict) -> None:
    """Show `data` as the form's initial values, each read the way its widget reads a POST
    (lists for multiple choices, a checkbox left empty as unticked)."""
    for name, field in form.fields.items():
        if field.disabled or isinstance(field, django_forms.FileField):
            continue
        widget = field.widget
        key = form.add_prefix(name)
        if widget.value_omitted_from_data(data, {}, key):
            continue
        form.initial[name] = widget.value_from_datadict(data, {}, key)


def restore(request: HttpRequest, *forms: django_forms.BaseForm) -> bool:
    """On a form page's GET: fill `forms` with what this user typed here before their session
    ended (not saved), and say so. The version a versioned form was loaded with comes back
    too, so a change made meanwhile by someone else is detected on saving."""
    if SESSION_KEY not in request.session or not request.user.is_authenticated:
        return False
    taken = _take(request)
    if taken is None:
        return False
    fields, files = taken
    data = QueryDict(mutable=True)
    for name, value in fields:
        data.appendlist(name, value)
    for form in forms:
        _fill(form, data)
    messages.warning(
        request,
        _(
            "Your session had ended. What you typed is filled in again but not saved yet: "
            "please check it and save."
        ),
    )
    if files:
        messages.warning(request, _("Attached files could not be kept: please choose them again."))
    return True


def discard_unless_for(request: HttpRequest, user_id: str) -> None:
    """At sign-in: a stash typed by someone else is dropped, never shown."""
    stash = request.session.get(SESSION_KEY)
    if isinstance(stash, dict) and stash.get("user") != user_id:
        del request.session[SESSION_KEY]


def finish(request: HttpRequest, response: HttpResponse) -> None:
    """After a restore (or a stale stash looked at): the key cookie goes too."""
    path = getattr(request, _USED, None)
    if path is not None:
        response.delete_cookie(COOKIE, path=path, samesite="Lax")
