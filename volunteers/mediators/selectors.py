"""Who sees which mediator and booking. The coordinator: the whole pool and every booking. A
caseworker or supervisor: the bookings of the cases they see (cases.selectors decides), and
books them only where the house allows it (may_book). A volunteer mediator: their own
bookings, from shortly before to the time window after (need-to-know in time)."""

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, Model, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from cases.models import Case
from cases.selectors import appointment_get_for_case, case_list_for_user, contact_get_for_case
from caseworks import languages
from caseworks.access.permissions import CASE_ROLES, may
from caseworks.access.roles import Role, has_role
from caseworks.extensions.supervision import local_days
from visits.selectors import accompaniment_get_for_case, visit_get_for_case
from volunteers.mediators.models import BookingStatus, MediationBooking, Mediator
from volunteers.models import Volunteer

Code = uuid.UUID | str

# The bookings a caseworker may make, per record kind: how the case's record is found (404 when
# it is not the case's).
RECORD_GETTERS: dict[str, Any] = {
    "visit": visit_get_for_case,
    "accompaniment": accompaniment_get_for_case,
    "contact": contact_get_for_case,
    "appointment": appointment_get_for_case,
}


def is_coordinator(user: User) -> bool:
    return has_role(user, Role.COORDINATOR)


def caseworkers_may_book() -> bool:
    """The house's choice (CASEWORKS_CASEWORKERS_MAY_BOOK_MEDIATORS, default off)."""
    return bool(getattr(settings, "CASEWORKS_CASEWORKERS_MAY_BOOK_MEDIATORS", False))


def may_book(user: User) -> bool:
    """The coordinator books; the caseworker (and supervisor) only where the house allows."""
    return is_coordinator(user) or (caseworkers_may_book() and may(user, *CASE_ROLES))


# --- the pool -----------------------------------------------------------------------------------


def mediators_for_user(*, user: User) -> QuerySet[Mediator]:
    if not is_coordinator(user):
        return Mediator.objects.none()
    return Mediator.objects.select_related("volunteer__user")


def mediator_get_for_user(*, user: User, code: Code) -> Mediator:
    found = mediators_for_user(user=user).filter(code=code).first()
    if found is None:
        raise Http404("No such mediator")
    return found


def pool_filter(
    mediators: QuerySet[Mediator],
    *,
    language: str = "",
    mode: str = "",
    kind: str = "",
    active: str = "",
) -> QuerySet[Mediator]:
    """The pool narrowed: a language covers its macrolanguage's members (caseworks.languages).
    The lists are JSON (no portable "contains"): read, a pool holds dozens, not millions."""
    if kind:
        mediators = mediators.filter(kind=kind)
    if active == "yes":
        mediators = mediators.filter(is_active=True)
    elif active == "no":
        mediators = mediators.filter(is_active=False)
    if language or mode:
        keep = [
            pk
            for pk, spoken, modes in mediators.values_list("pk", "languages", "modes")
            if (not language or any(languages.covers(language, s) for s in spoken or ()))
            and (not mode or mode in (modes or ()))
        ]
        mediators = mediators.filter(pk__in=keep)
    return mediators


def candidates_for(booking: MediationBooking) -> list[Mediator]:
    """Active mediators who speak the requested language (a member of a requested
    macrolanguage counts) in the requested mode; volunteers only with a complete onboarding
    and not absent that day. Volunteers first, then the paid mediators and agencies."""
    day = timezone.localtime(booking.starts_at).date()
    eligible = (
        Volunteer.objects.eligible(on=day)
        .exclude(absences__starts_on__lte=day, absences__ends_on__gte=day)
        .values("pk")
    )
    pool = Mediator.objects.filter(
        Q(volunteer__isnull=True) | Q(volunteer__in=eligible), is_active=True
    ).select_related("volunteer__user")
    found = [m for m in pool if booking.mode in (m.modes or ()) and m.speaks(booking.language)]
    return sorted(found, key=lambda m: (m.is_paid, m.pk))


# --- bookings -----------------------------------------------------------------------------------


def bookings_for_user(*, user: User) -> QuerySet[MediationBooking]:
    bookings = MediationBooking.objects.select_related(
        "case", "mediator__volunteer__user", "requested_by", "booked_by"
    )
    if is_coordinator(user):
        return bookings
    if may(user, *CASE_ROLES):
        return bookings.filter(case__in=case_list_for_user(user=user).values("pk"))
    return MediationBooking.objects.none()


def booking_get_for_user(*, user: User, code: Code) -> MediationBooking:
    found = bookings_for_user(user=user).filter(code=code).first()
    if found is None:
        raise Http404("No such booking")
    return found


def booking_get_for_booking(*, user: User, code: Code) -> MediationBooking:
    """A booking the user may book, record or cancel: 404 for a caseworker where the house
    does not let caseworkers book (the page does not exist for them)."""
    if not may_book(user):
        raise Http404("No such page for this user")
    return booking_get_for_user(user=user, code=code)


def open_requests() -> QuerySet[MediationBooking]:
    """The coordinator's work: requests to book, soonest first."""
    return MediationBooking.objects.filter(status=BookingStatus.REQUESTED).order_by("starts_at")


def awaiting_hours(now: datetime.datetime | None = None) -> QuerySet[MediationBooking]:
    """Booked and past: the hours and cost are to be recorded."""
    return MediationBooking.objects.filter(
        status=BookingStatus.BOOKED, starts_at__lt=now or timezone.now()
    ).order_by("starts_at")


def record_for_case(*, case: Case, kind: str, code: Code) -> Model:
    """The case's visit, accompaniment, contact or appointment a mediator is asked for."""
    getter = RECORD_GETTERS.get(kind)
    if getter is None:
        raise Http404("No such record")
    record: Model = getter(case=case, code=code)
    return record


def bookings_for_record(record: Model) -> QuerySet[MediationBooking]:
    kind = type(record).__name__.lower()
    return MediationBooking.objects.filter(**{kind: record}).select_related("mediator")


# --- the volunteer mediator's own -------------------------------------------------------------


def window() -> datetime.timedelta:
    """How long after its start a volunteer still sees a booking (as for accompaniments:
    CASEWORKS_VOLUNTEER_CONTACT_HOURS)."""
    return datetime.timedelta(hours=getattr(settings, "CASEWORKS_VOLUNTEER_CONTACT_HOURS", 24))


def bookings_for_volunteer(
    *, user: User, now: datetime.datetime | None = None
) -> QuerySet[MediationBooking]:
    """A volunteer mediator's own bookings (booked or done) of open cases, until the window
    after their start has passed: reference, time, place, mode and language — nothing else
    is loaded (the case's and the record's fields stay in the database)."""
    if not has_role(user, Role.VOLUNTEER):
        return MediationBooking.objects.none()
    now = now or timezone.now()
    return (
        MediationBooking.objects.filter(
            mediator__volunteer__user=user,
            status__in=[BookingStatus.BOOKED, BookingStatus.DONE],
            case__closed_on__isnull=True,
            starts_at__gte=now - window(),
        )
        .only(
            "code",
            "reference",
            "language",
            "mode",
            "starts_at",
            "duration_minutes",
            "place",
            "status",
            "version",
        )
        .order_by("starts_at")
    )


def booking_get_for_volunteer(*, user: User, code: Code) -> MediationBooking:
    found = bookings_for_volunteer(user=user).filter(code=code).first()
    if found is None:
        raise Http404("No such booking")
    return found


def totals_by_funder(*, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    """The coordinator's account for the funders: done mediations of the period, minutes and
    costs per funder (one grouped query; "" is the volunteers')."""
    first, after = local_days(start, end)
    return list(
        MediationBooking.objects.filter(
            status=BookingStatus.DONE, starts_at__gte=first, starts_at__lt=after
        )
        .values("funder")
        .annotate(minutes=Sum("minutes"), cost=Sum("cost"), n=Count("pk"))
        .order_by("funder")
    )
