"""Writes for events: creating and changing them, registrations with a waiting list that moves
up when a place comes free, and attendance (a training counts towards onboarding); and the
newsletter's drafts (sending is community.sending's)."""

import datetime
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caseworks.access.roles import Role, has_role
from caseworks.audit.log import save_audited
from caseworks.web.concurrency import versioned_update
from community import mails, profiles
from community.models import Event, Issue, Registration

EVENT_FIELDS = (
    "title",
    "kind",
    "starts_at",
    "duration_minutes",
    "place",
    "capacity",
    "audience",
    "description",
)


@transaction.atomic
def event_create(*, actor: User, **fields: Any) -> Event:
    event = Event(created_by=actor, **{k: fields[k] for k in EVENT_FIELDS if k in fields})
    save_audited(event, actor)
    return event


@transaction.atomic
def event_update(*, actor: User, event: Event, expected_version: int, **fields: Any) -> Event:
    """Change an event; ConcurrentEdit when another coordinator saved it since the form was
    loaded at `expected_version`. A larger capacity moves the waiting list up."""
    # The row lock versioned_update takes is the one a registration takes: a capacity change
    # and a registration do not cross (held until this transaction ends).
    event = versioned_update(
        event, actor=actor, expected_version=expected_version, data=fields, fields=EVENT_FIELDS
    )
    _fill_free_places(actor=actor, event=event)
    return event


def _confirmed_count(event: Event) -> int:
    return event.registrations.filter(status=Registration.Status.CONFIRMED).count()


def _fill_free_places(*, actor: User, event: Event) -> list[Registration]:
    """Move the waiting list up into free places, first come first served. The caller holds
    the event's row lock."""
    free = event.capacity - _confirmed_count(event)
    moved: list[Registration] = []
    if free <= 0:
        return moved
    waiting = event.registrations.filter(status=Registration.Status.WAITING).order_by(
        "queued_at", "pk"
    )
    for registration in waiting[:free]:
        registration.status = Registration.Status.CONFIRMED
        save_audited(registration, actor)
        moved.append(registration)
        transaction.on_commit(partial(mails.send_moved_up, registration))
    return moved


def registration_add(*, actor: User, event: Event, user: User) -> Registration:
    """A place for `user`, or a place on the waiting list when the event is full. Asking
    again returns the registration there is."""
    if not has_role(user, Role.VOLUNTEER):
        raise ValidationError(_("Only volunteers can be registered."))
    with transaction.atomic():
        # Race: two people asking for the last place at once. The event's row lock (on
        # SQLite the IMMEDIATE transaction) lets one count and insert before the other
        # counts, so the confirmed registrations never exceed the capacity.
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.cancelled_at is not None:
            raise ValidationError(_("This event was cancelled."))
        if event.is_over:
            raise ValidationError(_("This event is over."))
        existing = (
            event.registrations.filter(user=user)
            .exclude(status=Registration.Status.CANCELLED)
            .first()
        )
        if existing is not None:
            return existing
        full = _confirmed_count(event) >= event.capacity
        registration = Registration(
            event=event,
            user=user,
            status=Registration.Status.WAITING if full else Registration.Status.CONFIRMED,
            queued_at=timezone.now(),
        )
        save_audited(registration, actor)
        transaction.on_commit(lambda: mails.send_registered(registration))
    return registration


def registration_cancel(*, actor: User, registration: Registration) -> list[Registration]:
    """Cancel a registration; a freed place goes to the first on the waiting list. Returns
    the registrations moved up."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        registration = Registration.objects.get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            return []
        registration.status = Registration.Status.CANCELLED
        save_audited(registration, actor)
        return _fill_free_places(actor=actor, event=event)


@transaction.atomic
def attendance_set(*, actor: User, registration: Registration, attended: bool) -> Registration:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.CONFIRMED:
        raise ValidationError(_("Only registered participants can be marked present."))
    registration.attended = attended
    registration.attendance_taken_at = timezone.now()
    save_audited(registration, actor)
    event = registration.event
    if attended and event.is_training:
        # Onboarding (volunteers): the first-steps training counts once attended.
        profiles.training_attended(
            actor=actor, user=registration.user, on=timezone.localtime(event.starts_at).date()
        )
    return registration


def event_cancel(*, actor: User, event: Event) -> Event:
    """Cancel the event as the caller read it (a form open on it then meets a conflict)."""
    return versioned_update(
        event,
        actor=actor,
        expected_version=event.version,
        data={"cancelled_at": timezone.now()},
        fields=("cancelled_at",),
    )


# --- newsletter drafts ----------------------------------------------------------------------------

ISSUE_FIELDS = ("subject", "body", "audience", "languages", "districts", "interests")


@transaction.atomic
def issue_create(*, actor: User, **fields: Any) -> Issue:
    issue = Issue(created_by=actor, **{k: fields[k] for k in ISSUE_FIELDS if k in fields})
    save_audited(issue, actor)
    return issue


def _still_a_draft(issue: Issue) -> None:
    # Once sending has begun the text is what went out: it is not changed afterwards.
    if issue.status != Issue.Status.DRAFT:
        raise ValidationError(_("Only a draft can be changed; this issue is being sent or sent."))


def issue_update(*, actor: User, issue: Issue, expected_version: int, **fields: Any) -> Issue:
    """Change a draft; ConcurrentEdit when another coordinator saved it meanwhile."""
    return versioned_update(
        issue,
        actor=actor,
        expected_version=expected_version,
        data=fields,
        fields=ISSUE_FIELDS,
        clean=_still_a_draft,
    )


def reminders_due(*, now: datetime.datetime | None = None) -> int:
    """Mail everyone registered for an event in the next 24 hours, once. Returns the count."""
    now = now or timezone.now()
    sent = 0
    due = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        reminded_at__isnull=True,
        event__cancelled_at__isnull=True,
        event__starts_at__gt=now,
        event__starts_at__lte=now + datetime.timedelta(hours=24),
    ).select_related("event", "user")
    for registration in due:
        with transaction.atomic():
            # Claim first: a second run at the same time finds nothing to claim.
            claimed = Registration.objects.filter(
                pk=registration.pk, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
        if mails.send_reminder(registration):
            sent += 1
    return sent
