"""Changes to the pool and the bookings: request, book, record hours and cost, cancel. Each
service checks who may do it itself (selectors.may_book), whatever the view showed."""

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from cases.services import require_open
from caseworks import languages
from caseworks.audit.log import save_audited
from caseworks.web.concurrency import versioned_update
from volunteers.mediators import notify
from volunteers.mediators.models import (
    RECORD_FIELDS,
    BookingStatus,
    MediationBooking,
    Mediator,
    MediatorKind,
    Mode,
)
from volunteers.mediators.selectors import candidates_for, is_coordinator, may_book

MEDIATOR_FIELDS = (
    "kind",
    "volunteer",
    "name",
    "email",
    "phone",
    "languages",
    "modes",
    "availability",
    "hourly_rate",
    "funder",
)


# --- the pool -----------------------------------------------------------------------------------


def _check_mediator(mediator: Mediator) -> None:
    if mediator.kind == MediatorKind.VOLUNTEER:
        if mediator.volunteer is None:
            raise ValidationError({"volunteer": [_("Choose the volunteer from the register.")]})
        # A volunteer's name and contact are in the register, not twice.
        mediator.name = mediator.email = mediator.phone = ""
        mediator.hourly_rate = None
    else:
        mediator.volunteer = None
        if not mediator.name.strip():
            raise ValidationError({"name": [_("Enter the mediator's or the agency's name.")]})
    unknown = [code for code in mediator.languages or () if code not in languages.BY_CODE]
    if not mediator.languages or unknown:
        raise ValidationError({"languages": [_("Choose at least one language.")]})
    if not mediator.modes or set(mediator.modes) - set(Mode.values):
        raise ValidationError({"modes": [_("Choose at least one mode.")]})


def _coordinator_only(actor: User) -> None:
    if not is_coordinator(actor):
        raise ValidationError(_("Only the volunteer coordination keeps the pool."))


@transaction.atomic
def mediator_create(*, actor: User, data: dict[str, Any]) -> Mediator:
    _coordinator_only(actor)
    mediator = Mediator(**{k: data[k] for k in MEDIATOR_FIELDS if k in data})
    _check_mediator(mediator)
    if (
        mediator.volunteer is not None
        and Mediator.objects.filter(volunteer=mediator.volunteer).exists()
    ):
        raise ValidationError({"volunteer": [_("This volunteer is in the pool already.")]})
    save_audited(mediator, actor)
    return mediator


@transaction.atomic
def mediator_update(
    *, actor: User, mediator: Mediator, expected_version: int, data: dict[str, Any]
) -> Mediator:
    _coordinator_only(actor)
    return versioned_update(
        mediator,
        actor=actor,
        expected_version=expected_version,
        data=data,
        fields=MEDIATOR_FIELDS,
        clean=_check_mediator,
    )


@transaction.atomic
def mediator_set_active(
    *, actor: User, mediator: Mediator, expected_version: int, active: bool
) -> Mediator:
    """Deactivate (no longer a candidate; their bookings stay) or take back into the pool."""
    _coordinator_only(actor)
    return versioned_update(
        mediator,
        actor=actor,
        expected_version=expected_version,
        data={"is_active": active},
        fields=("is_active",),
    )


# --- bookings -----------------------------------------------------------------------------------


def _record_field(record: models.Model) -> str:
    name = type(record).__name__.lower()
    if name not in RECORD_FIELDS:
        raise ValueError(f"a mediator cannot be requested for a {name}")
    return name


@transaction.atomic
def booking_request(
    *,
    actor: User,
    case: Case,
    record: models.Model,
    data: dict[str, Any],
) -> MediationBooking:
    """Ask for a mediator for a record of the case (found through the case, so the caller's
    case selector has decided the actor may see it); the coordination is told."""
    require_open(case)
    if getattr(record, "case_id", None) != case.pk:
        raise ValidationError(_("This record belongs to another case."))
    if getattr(record, "is_cancelled", False):
        raise ValidationError(_("It was cancelled: no language mediation for it."))
    starts_at: datetime.datetime = data["starts_at"]
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": [_("The time must be in the future.")]})
    if data.get("language") not in languages.BY_CODE:
        raise ValidationError({"language": [_("Choose a language.")]})
    mode = data["mode"]
    place = " ".join(str(data.get("place", "")).split())
    if mode == Mode.IN_PERSON and not place:
        raise ValidationError({"place": [_("Enter where the mediator is to come.")]})
    booking = MediationBooking(
        case=case,
        language=data["language"],
        mode=mode,
        starts_at=starts_at,
        duration_minutes=data.get("duration_minutes") or 60,
        place=place if mode == Mode.IN_PERSON else "",
        requested_by=actor,
        **{_record_field(record): record},
    )
    save_audited(booking, actor)
    notify.requested(booking)
    return booking


@transaction.atomic
def booking_book(
    *, actor: User, booking: MediationBooking, mediator: Mediator, expected_version: int
) -> MediationBooking:
    """Book a candidate; the mediator is told by mail (notify.booked: reference, time, place,
    mode). Race: two coordinators book the same request; the version check lets one through
    and shows the other what changed."""
    if not may_book(actor):
        raise ValidationError(_("Only the volunteer coordination books a mediator."))

    def book(current: MediationBooking) -> None:
        # The status as locked, before it changes (versioned_update applies `data` before
        # `clean`: so the change is made here, after the checks).
        if current.status != BookingStatus.REQUESTED:
            raise ValidationError(_("This request is booked or cancelled already."))
        if current.case.closed_on is not None:  # hours may be recorded then, nothing booked
            raise ValidationError(_("The case is closed: reopen it before changing it."))
        if mediator.pk not in {m.pk for m in candidates_for(current)}:
            raise ValidationError(
                {
                    "mediator": [
                        _("%(name)s does not cover this language and mode, or cannot be asked.")
                        % {"name": mediator}
                    ]
                }
            )
        current.status = BookingStatus.BOOKED
        current.mediator = mediator
        current.booked_by = actor
        current.booked_at = timezone.now()
        current.funder = mediator.funder if mediator.is_paid else ""

    current = versioned_update(
        booking, actor=actor, expected_version=expected_version, data={}, fields=(), clean=book
    )
    notify.booked(current)
    return current


@transaction.atomic
def booking_record(
    *,
    actor: User,
    booking: MediationBooking,
    expected_version: int,
    minutes: int,
    cost: Decimal | None = None,
) -> MediationBooking:
    """Afterwards: the minutes interpreted and, for a paid mediator, the cost (the rate's by
    default). Corrections are allowed while done."""
    if not may_book(actor):
        raise ValidationError(_("Only the volunteer coordination records hours."))

    def record(current: MediationBooking) -> None:
        if current.status not in (BookingStatus.BOOKED, BookingStatus.DONE):
            raise ValidationError(_("Only a booked language mediation can be recorded."))
        if current.starts_at > timezone.now():
            raise ValidationError(_("The language mediation has not taken place yet."))
        current.status = BookingStatus.DONE
        current.minutes = minutes
        current.cost = cost
        if cost is None and current.mediator is not None and current.mediator.is_paid:
            current.cost = current.planned_cost()

    return versioned_update(
        booking, actor=actor, expected_version=expected_version, data={}, fields=(), clean=record
    )


@transaction.atomic
def booking_cancel(
    *, actor: User, booking: MediationBooking, expected_version: int
) -> MediationBooking:
    """Call off a request or a booking; a booked mediator is told."""
    if not (may_book(actor) or booking.requested_by_id == actor.pk):
        raise ValidationError(_("Only the coordination or who asked can cancel."))
    was_booked = False

    def cancel(current: MediationBooking) -> None:
        nonlocal was_booked
        if not current.is_open:
            raise ValidationError(_("This language mediation is done or cancelled already."))
        was_booked = current.status == BookingStatus.BOOKED
        current.status = BookingStatus.CANCELLED

    current = versioned_update(
        booking, actor=actor, expected_version=expected_version, data={}, fields=(), clean=cancel
    )
    if was_booked:
        notify.cancelled(current)
    return current
