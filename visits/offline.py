"""Visits where there is no signal: the installable app's server side.

What a phone may keep offline is deliberately small and listed in one place,
`cacheable_urls()`: the app shell (empty forms for a visit, a contact and a task), its static
files, and the day's planned visits and accompaniments by reference number and time. The
service worker (static/js/sw.js, served at the site root by `service_worker`) caches those
addresses and nothing else; no page with a name, a note or a document is on the list.

What is typed offline stays in the browser, encrypted (static/js/offline.js, AES-GCM) with a
key whose material the server hands only to the signed-in session (`session_key`); it lives
as long as that session. Back online, each draft is sent to `send`, which saves it the way a
form page does: the one save-once protocol (`submit(..., creates=...)` with the draft's own
token) and the one version check (`lock_versioned` on the case the draft was written for). A
case closed or changed meanwhile is answered as a conflict with the current state, never
merged; the browser keeps the draft until the caseworker decides.
"""

import base64
import datetime
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import services as case_services
from cases.forms import ContactForm, TaskForm
from cases.models import Case, ContactKind
from cases.page import SignedInRequest
from cases.selectors import case_get_for_user
from caseworks.access.permissions import CASE_ROLES, public, role_required
from caseworks.web.concurrency import ConcurrentEdit, lock_versioned
from caseworks.web.forms import TextLimits, VersionedForm, submit
from caseworks.web.submissions import AlreadySaved
from caseworks.web.users import display_name
from visits import services
from visits.forms import VisitForm
from visits.models import Visit
from visits.selectors import last_visit, my_week

# In the session: the random key material for the drafts and a tag naming this session to
# the browser (never the session's own key, which is a credential).
SESSION_KEY = "caseworks_offline"

# The static files the shell needs offline (its style, its script, the app's icons).
SHELL_STATIC = (
    "css/base.css",
    "css/visits.css",
    "css/offline.css",
    "js/offline.js",
    "img/favicon.svg",
    "img/icon-192.png",
    "img/icon-512.png",
)


def cacheable_urls() -> list[str]:
    """Every address the service worker may keep: the allow-list, nothing else. A page with
    personal data (a case file, a visit, my week, a document) must never be added here: the
    tests check each entry's answer for the names and notes of a case."""
    return [
        reverse("visits:offline"),
        reverse("visits:offline_day"),
        reverse("visits:offline_manifest"),
        *(static(path) for path in SHELL_STATIC),
    ]


def offline_session(request: HttpRequest) -> dict[str, str]:
    """This session's draft key material and tag, made on first use; both die with the
    session (sign-out, idle end, another sign-in: a new session, new ones)."""
    found = request.session.get(SESSION_KEY)
    if not isinstance(found, dict) or not {"key", "tag"} <= found.keys():
        found = {
            "key": base64.b64encode(secrets.token_bytes(32)).decode(),
            "tag": secrets.token_urlsafe(12),
        }
        request.session[SESSION_KEY] = found
    return found


# --- the service worker and the manifest ---------------------------------------------------------


@cache
def _worker_source() -> str:
    path = finders.find("js/sw.js")
    if not isinstance(path, str):
        raise RuntimeError("static/js/sw.js is missing")
    with open(path, encoding="utf-8") as source:
        return source.read()


def worker_script() -> str:
    """static/js/sw.js with its allow-list and cache name filled in (a new list, a new cache:
    the old one is deleted when the new worker takes over)."""
    urls = cacheable_urls()
    digest = hashlib.sha256(json.dumps(urls).encode() + _worker_source().encode()).hexdigest()
    return (
        _worker_source()
        .replace('"__OFFLINE_URLS__"', json.dumps(urls))
        .replace("__CACHE_NAME__", f"caseworks-offline-{digest[:12]}")
    )


@public(methods=["GET", "HEAD"])
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker's scope is the offline shell's address and nothing wider (it controls no
    other page); the script is the same for everybody and holds no personal data."""
    response = HttpResponse(worker_script(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("visits:offline")
    return response


@public(methods=["GET", "HEAD"])
def manifest(request: HttpRequest) -> HttpResponse:
    body = {
        "name": "Caseworks",
        "short_name": "Caseworks",
        "description": _("Visits where there is no signal"),
        "lang": "de",
        "start_url": reverse("visits:offline"),
        "scope": reverse("visits:offline"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f5f8b",
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return HttpResponse(json.dumps(body), content_type="application/manifest+json")


# --- the shell: empty forms, the same fields as the online ones ---------------------------------


@dataclass(frozen=True)
class DraftKind:
    """A kind of record a draft can become: the shell's empty form (these fields of the online
    form, with these first values), and how a sent draft is saved (the online form, validated
    the same way, and the service the online page calls)."""

    form_class: type[VersionedForm]
    fields: tuple[str, ...]
    initial: dict[str, Any]
    form: Callable[[QueryDict, SignedInRequest, Case], VersionedForm]
    save: Callable[[VersionedForm, SignedInRequest, Case], Any]
    done: Callable[[Case, Any], str]

    def empty_form(self, prefix: str) -> forms.Form:
        """The shell's form: nothing of a case (the household's names and the case plan stay
        online) and no date (the page fills in the phone's today: the copy is cached)."""
        fields = {name: self.form_class.base_fields[name] for name in self.fields}
        empty = type(f"Offline{self.form_class.__name__}", (TextLimits, forms.Form), fields)
        form: forms.Form = empty(prefix=prefix, auto_id=f"id_{prefix}_%s", initial=self.initial)
        return form


def _visit_save(form: VersionedForm, request: SignedInRequest, case: Case) -> Visit:
    kind = Visit.Kind.FOLLOW_UP if last_visit(case) is not None else Visit.Kind.FIRST
    return services.visit_record(actor=request.user, case=case, kind=kind, **form.changes())


def _task_form(data: QueryDict, request: SignedInRequest, case: Case) -> TaskForm:
    assignees = case_services.task_assignees(case)
    if "assigned_to" not in data and assignees.filter(pk=request.user.pk).exists():
        data = data.copy()  # offline no names are listed: the task is the writer's own
        data["assigned_to"] = str(request.user.pk)
    return TaskForm(data, assignees=assignees)


def _case_url(case: Case, _record: Any) -> str:
    return reverse("cases:detail", args=[case.code])


KINDS: dict[str, DraftKind] = {
    "visit": DraftKind(
        form_class=VisitForm,
        fields=(
            "date",
            "duration_minutes",
            "place",
            "interpreter_language",
            "interpreter_name",
            "topics",
            "notes",
            "next_visit_due",
        ),
        initial={"date": None, "duration_minutes": 60, "place": "accommodation"},
        form=lambda data, request, case: VisitForm(data, case=case),
        save=_visit_save,
        done=lambda case, visit: reverse("case_visits:visit_detail", args=[case.code, visit.code]),
    ),
    "contact": DraftKind(
        form_class=ContactForm,
        fields=("kind", "date", "duration_minutes", "topics", "note"),
        initial={"date": None, "duration_minutes": 15, "kind": ContactKind.PHONE},
        form=lambda data, request, case: ContactForm(data, case=case),
        save=lambda form, request, case: case_services.contact_record(
            actor=request.user, case=case, **form.changes()
        ),
        done=_case_url,
    ),
    "task": DraftKind(
        form_class=TaskForm,
        fields=("title", "due_on"),
        initial={"due_on": None},
        form=_task_form,
        save=lambda form, request, case: case_services.task_create(
            actor=request.user, case=case, **form.changes()
        ),
        done=_case_url,
    ),
}


@role_required(*CASE_ROLES, methods=["GET", "HEAD"])
def shell(request: SignedInRequest) -> HttpResponse:
    """The offline page: the same for every user and day (the day's list is fetched as
    data), so the cached copy holds nobody's data and no key."""
    empty = {name: kind.empty_form(name) for name, kind in KINDS.items()}
    return render(request, "visits/offline.html", {"forms": empty})


def _day_items(request: SignedInRequest) -> list[dict[str, Any]]:
    """Today's planned accompaniments and the visits due (today or before), by reference
    number and time: what my week lists, without a name, a place or a purpose."""
    week = my_week(user=request.user)
    today = week["today"]
    entries = [e for e in week["overdue"] if e.kind == "visit_due"]
    for day in week["days"]:
        if day.day == today:
            entries += [e for e in day.entries if e.kind in ("visit_due", "accompaniment")]
    items = []
    for entry in entries:
        items.append(
            {
                "kind": entry.kind,
                "reference": entry.case.reference,
                "time": timezone.localtime(entry.at).strftime("%H:%M") if entry.at else "",
                "case": str(entry.case.code),
                "version": entry.case.version,
            }
        )
    return items


@role_required(*CASE_ROLES, methods=["GET", "HEAD"])
def day(request: SignedInRequest) -> JsonResponse:
    return JsonResponse({"date": timezone.localdate().isoformat(), "items": _day_items(request)})


@role_required(*CASE_ROLES, methods=["GET"])
def session_key(request: SignedInRequest) -> JsonResponse:
    """The drafts' key material, the session's tag and a CSRF token, for the signed-in
    session only (never cached: not on the allow-list, and every answer is no-store)."""
    found = offline_session(request)
    return JsonResponse({"tag": found["tag"], "key": found["key"], "csrf": get_token(request)})


# --- a draft sent back online -------------------------------------------------------------------


class DraftForm(forms.Form):
    """What every draft carries besides its fields: what it is, the case and the version of
    the case it was written against (from the day's list)."""

    draft_kind = forms.ChoiceField(choices=[(name, name) for name in KINDS])
    case = forms.UUIDField()
    case_version = forms.IntegerField(min_value=0)


DRAFT_SENT = gettext_lazy("Draft sent.")


class CaseClosed(Exception):
    def __init__(self, case: Case) -> None:
        super().__init__("case closed")
        self.case = case


def _when(value: datetime.datetime | None) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""


def _current_state(case: Case) -> dict[str, Any]:
    """The server's side of a conflict: what the case is now (no names, no notes)."""
    latest = last_visit(case)
    return {
        "reference": case.reference,
        "version": case.version,
        "closed_on": date_format(case.closed_on, "SHORT_DATE_FORMAT") if case.closed_on else "",
        "next_visit_due": (
            date_format(case.next_visit_due, "SHORT_DATE_FORMAT") if case.next_visit_due else ""
        ),
        "last_visit": (
            {
                "date": date_format(latest.date, "SHORT_DATE_FORMAT"),
                "kind": str(latest.get_kind_display()),
                "topics": latest.get_topic_labels(),
            }
            if latest is not None
            else None
        ),
    }


def _conflict(case: Case, reason: str, message: str, **more: Any) -> JsonResponse:
    body: dict[str, Any] = {"status": "conflict", "reason": reason, "message": message}
    body["current"] = _current_state(case)
    body.update(more)
    return JsonResponse(body, status=409)


@role_required(*CASE_ROLES, methods=["POST"])
def send(request: SignedInRequest) -> JsonResponse:
    """Save one draft, exactly once, or say why not. The draft's own token (made when it was
    written) is the save-once token: sent twice (a lost answer, two tabs), it is saved once
    and the second answer says so."""
    draft = DraftForm(request.POST)
    if not draft.is_valid():
        return JsonResponse(
            {"status": "invalid", "errors": draft.errors.get_json_data()}, status=400
        )
    draft_kind = KINDS[draft.cleaned_data["draft_kind"]]
    case = case_get_for_user(user=request.user, code=draft.cleaned_data["case"])
    form = draft_kind.form(request.POST, request, case)
    expected = draft.cleaned_data["case_version"]
    conflicts: list[ConcurrentEdit] = []

    def save() -> Any:
        try:  # the one version check, on the case the draft was written for
            current = lock_versioned(case, expected)
        except ConcurrentEdit as conflict:
            conflicts.append(conflict)
            raise
        if not case_services.case_accepts_records(current):
            raise CaseClosed(current)
        return draft_kind.save(form, request, current)

    try:
        saved = submit(
            request,
            save,
            form,
            success=str(DRAFT_SENT),
            creates=lambda record: draft_kind.done(case, record),
        )
    except AlreadySaved as repeat:
        url = repeat.submission.url if repeat.submission is not None else ""
        return JsonResponse({"status": "saved", "already": True, "url": url})
    except CaseClosed as closed:
        return _closed(closed.case)
    _drop_sent_message(request)
    if saved:
        return JsonResponse({"status": "saved", "url": draft_kind.done(case, saved.value)})
    if conflicts:
        conflict = conflicts[0]
        current = conflict.current
        assert isinstance(current, Case)
        if not case_services.case_accepts_records(current):
            return _closed(current)
        return _conflict(
            current,
            "changed",
            _(
                "%(who)s changed this case at %(when)s while you were offline. Nothing was "
                "saved. Compare your draft with the case as it is now, then send it anyway "
                "or delete it."
            )
            % {
                "who": display_name(conflict.changed_by) or _("someone"),
                "when": _when(conflict.changed_at),
            },
            changed_fields=conflict.changed_fields,
        )
    errors = form.errors.get_json_data()
    return JsonResponse({"status": "invalid", "errors": errors}, status=400)


def _drop_sent_message(request: HttpRequest) -> None:
    """The page shows its own state ("last sent"): submit's success message must not wait
    for the next page. Any other message waiting (another tab's) stays."""
    storage = messages.get_messages(request)
    waiting = [
        m for m in storage if str(m.message) != str(DRAFT_SENT)
    ]  # looking marks all as shown
    for message in waiting:
        messages.add_message(request, message.level, message.message, message.extra_tags)


def _closed(case: Case) -> JsonResponse:
    return _conflict(
        case,
        "closed",
        _(
            "This case was closed while you were offline. Nothing was saved. Your draft is "
            "kept: copy what you need, ask a supervisor to reopen the case, or delete it."
        ),
    )
