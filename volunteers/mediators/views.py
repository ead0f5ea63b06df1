"""The pool and the bookings: the coordinator's pages, the caseworker's request from a record
of the case file, the volunteer mediator's own bookings. Thin: one gate each, scoped by
volunteers.mediators.selectors, saved through form_page (save-once, versioned updates)."""

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.page import SignedInRequest, case_form_page
from cases.selectors import case_get_for_user
from caseworks import languages
from caseworks.access.permissions import CASE_ROLES, page_required, role_required
from caseworks.access.roles import Role
from caseworks.audit.log import log_access
from caseworks.web.forms import form_page
from volunteers.mediators import selectors, services
from volunteers.mediators.forms import (
    BookForm,
    BookingRequestForm,
    ConfirmForm,
    MediatorForm,
    PoolFilterForm,
    RecordForm,
)
from volunteers.mediators.models import BookingStatus, MediationBooking

PAGE_SIZE = 25
COORDINATOR = Role.COORDINATOR

# --- the pool (the coordinator) -----------------------------------------------------------------


@page_required("volunteers:mediators")
def pool(request: SignedInRequest) -> HttpResponse:
    form = PoolFilterForm(request.GET or None, initial={"active": "yes"})
    mediators = selectors.mediators_for_user(user=request.user)
    if form.is_valid():
        mediators = selectors.pool_filter(mediators, **form.cleaned_data)
    else:
        mediators = mediators.filter(is_active=True)
    page = Paginator(mediators, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "volunteers/mediators/pool.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "open_requests": selectors.open_requests().count(),
        },
    )


@role_required(COORDINATOR)
def mediator_new(request: SignedInRequest) -> HttpResponse:
    form = MediatorForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.mediator_create(actor=request.user, data=form.changes()),
        success=_("Language mediator added to the pool."),
        done=lambda m: reverse("volunteers:mediator_edit", args=[m.code]),
        template="volunteers/mediators/mediator_form.html",
        context={"form": form, "new": True},
        creates=True,
    )


@role_required(COORDINATOR)
def mediator_edit(request: SignedInRequest, mediator_code: uuid.UUID) -> HttpResponse:
    mediator = selectors.mediator_get_for_user(user=request.user, code=mediator_code)
    form = MediatorForm(request.POST or None, instance=mediator)
    return form_page(
        request,
        form,
        save=lambda: form.update(services.mediator_update, actor=request.user, mediator=mediator),
        success=_("Saved."),
        done=reverse("volunteers:mediators"),
        template="volunteers/mediators/mediator_form.html",
        context={
            "form": form,
            "mediator": mediator,
            "bookings": mediator.bookings.order_by("-starts_at")[:20],
        },
    )


@role_required(COORDINATOR)
def mediator_active(request: SignedInRequest, mediator_code: uuid.UUID) -> HttpResponse:
    """Deactivate after a confirmation page (or take back into the pool); twice does no
    harm (the version)."""
    mediator = selectors.mediator_get_for_user(user=request.user, code=mediator_code)
    form = ConfirmForm(request.POST or None, initial={"version": mediator.version})
    return form_page(
        request,
        form,
        save=lambda: services.mediator_set_active(
            actor=request.user,
            mediator=mediator,
            expected_version=form.cleaned_data["version"],
            active=not mediator.is_active,
        ),
        success=_("Taken back into the pool.")
        if not mediator.is_active
        else _("Deactivated: no longer a candidate. The bookings stay."),
        done=reverse("volunteers:mediators"),
        template="volunteers/mediators/mediator_active.html",
        context={"form": form, "mediator": mediator},
    )


# --- bookings (the coordinator; the caseworker where the house allows) -------------------------


@page_required("volunteers:mediators")
def mediation(request: SignedInRequest) -> HttpResponse:
    """The open requests, soonest first, and the past bookings whose hours are missing."""
    page = Paginator(selectors.open_requests().select_related("case"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    return render(
        request,
        "volunteers/mediators/mediation.html",
        {
            "page": page,
            "query": "",
            "start": start,
            "totals": [
                {**row, "hours": round((row["minutes"] or 0) / 60, 1)}
                for row in selectors.totals_by_funder(start=start, end=today)
            ],
            "awaiting": selectors.awaiting_hours().select_related("mediator__volunteer__user")[:50],
        },
    )


def _detail(
    request: SignedInRequest,
    booking: MediationBooking,
    *,
    book: BookForm | None = None,
    record: RecordForm | None = None,
) -> dict[str, Any]:
    may_book = selectors.may_book(request.user)
    candidates = (
        selectors.candidates_for(booking)
        if may_book and booking.status == BookingStatus.REQUESTED
        else []
    )
    if book is None and candidates:
        book = BookForm(candidates=candidates, initial={"version": booking.version})
    past = booking.starts_at <= timezone.now()
    if record is None and may_book and past and booking.status != BookingStatus.REQUESTED:
        record = RecordForm(
            initial={
                "version": booking.version,
                "minutes": booking.minutes or booking.duration_minutes,
                "cost": booking.cost,
            }
        )
    if booking.status not in (BookingStatus.BOOKED, BookingStatus.DONE):
        record = None
    return {
        "b": booking,
        "may_book": may_book,
        "candidates": candidates,
        "book": book,
        "record": record,
        "may_cancel": booking.is_open and (may_book or booking.requested_by_id == request.user.pk),
    }


@role_required(COORDINATOR, *CASE_ROLES, methods=["GET", "HEAD"])
def booking_detail(request: SignedInRequest, booking_code: uuid.UUID) -> HttpResponse:
    booking = selectors.booking_get_for_user(user=request.user, code=booking_code)
    return render(request, "volunteers/mediators/booking.html", _detail(request, booking))


def _told(request: SignedInRequest, booking: MediationBooking) -> MediationBooking:
    """Whether the mail went out: a mediator without an address must be told in person."""
    if booking.mediator is not None and booking.mediator.mail_address:
        messages.info(request, _("The mediator is told by e-mail."))
    else:
        messages.warning(
            request,
            _(
                "This mediator has no e-mail address on file: please tell them yourself "
                "(reference %(ref)s)."
            )
            % {"ref": booking.reference},
        )
    return booking


@role_required(COORDINATOR, *CASE_ROLES)
def booking_book(request: SignedInRequest, booking_code: uuid.UUID) -> HttpResponse:
    booking = selectors.booking_get_for_booking(user=request.user, code=booking_code)
    form = BookForm(request.POST or None, candidates=selectors.candidates_for(booking))
    return form_page(
        request,
        form,
        save=lambda: _told(
            request,
            services.booking_book(
                actor=request.user,
                booking=booking,
                mediator=form.cleaned_data["mediator"],
                expected_version=form.cleaned_data["version"],
            ),
        ),
        success=_("Booked."),
        done=reverse("volunteers:booking", args=[booking.code]),
        template="volunteers/mediators/booking.html",
        context=_detail(request, booking, book=form),
    )


@role_required(COORDINATOR, *CASE_ROLES)
def booking_record(request: SignedInRequest, booking_code: uuid.UUID) -> HttpResponse:
    booking = selectors.booking_get_for_booking(user=request.user, code=booking_code)
    form = RecordForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.booking_record(
            actor=request.user,
            booking=booking,
            expected_version=form.cleaned_data["version"],
            minutes=form.cleaned_data["minutes"],
            cost=form.cleaned_data.get("cost"),
        ),
        success=_("Hours recorded."),
        done=reverse("volunteers:booking", args=[booking.code]),
        template="volunteers/mediators/booking.html",
        context=_detail(request, booking, record=form),
    )


@role_required(COORDINATOR, *CASE_ROLES)
def booking_cancel(request: SignedInRequest, booking_code: uuid.UUID) -> HttpResponse:
    """Cancel after a confirmation page; a booked mediator is told."""
    booking = selectors.booking_get_for_user(user=request.user, code=booking_code)
    detail = reverse("volunteers:booking", args=[booking.code])
    if not booking.is_open:
        return redirect(detail)
    form = ConfirmForm(request.POST or None, initial={"version": booking.version})
    return form_page(
        request,
        form,
        save=lambda: services.booking_cancel(
            actor=request.user, booking=booking, expected_version=form.cleaned_data["version"]
        ),
        success=_("Language mediation cancelled."),
        done=detail,
        template="volunteers/mediators/booking_cancel.html",
        context={"form": form, "b": booking},
    )


# --- the caseworker's request from a record of the case file -----------------------------------


def _initial(kind: str, record: Any) -> dict[str, Any]:
    """What the record already says: its time, the interpreting language it names."""
    at: datetime.datetime | None = None
    if kind == "accompaniment":
        at = record.appointment_at
    elif kind == "appointment":
        at = record.starts_at
    initial: dict[str, Any] = {"mode": "in_person", "duration_minutes": 60}
    if at is not None:
        initial["starts_at"] = timezone.localtime(at).replace(tzinfo=None)
    code = languages.parse(getattr(record, "interpreter_language", "") or "")
    if code:
        initial["language"] = code
    return initial


@role_required(*CASE_ROLES)
def booking_new(
    request: SignedInRequest, code: uuid.UUID, kind: str, **record_code: uuid.UUID
) -> HttpResponse:
    """ "Sprachmittlung anfragen" on a visit, accompaniment, contact or client appointment.
    The request goes to the coordination; where the house lets caseworkers book, the next
    page (the booking's) offers them the candidates."""
    case = case_get_for_user(user=request.user, code=code)
    record = selectors.record_for_case(case=case, kind=kind, code=record_code[f"{kind}_code"])
    may_book = selectors.may_book(request.user)
    form = BookingRequestForm(request.POST or None, initial=_initial(kind, record))
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.booking_request(
            actor=request.user, case=case, record=record, data=form.cleaned_data
        ),
        success=_("Language mediation requested. Choose the mediator below.")
        if may_book
        else _("Language mediation requested. The coordination is told."),
        done=lambda b: reverse("volunteers:booking", args=[b.code]),
        template="volunteers/mediators/booking_form.html",
        extra={"form": form, "record": record, "kind": kind},
        creates=True,
    )


# --- the volunteer mediator's own bookings ------------------------------------------------------


@role_required(Role.VOLUNTEER, methods=["GET", "HEAD"])
def my_bookings(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "volunteers/mediators/my_bookings.html",
        {"bookings": selectors.bookings_for_volunteer(user=request.user)},
    )


@role_required(Role.VOLUNTEER, methods=["GET", "HEAD"])
def my_booking(request: SignedInRequest, booking_code: uuid.UUID) -> HttpResponse:
    booking = selectors.booking_get_for_volunteer(user=request.user, code=booking_code)
    log_access(user=request.user, action="mediation.viewed", obj=booking, label=booking.reference)
    return render(request, "volunteers/mediators/my_booking.html", {"b": booking})
