"""Visit, accompaniment, my-week, calendar and volunteer views: thin, scoped by selectors."""

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.models import Case
from cases.page import SignedInRequest, case_context, case_form_page
from cases.plan.selectors import volunteer_hints_for
from cases.selectors import case_get_for_user, open_case_get_for_user
from cases.services import deadline_undo_hours
from caseworks.access.permissions import CASE_ROLES, page_required, public, role_required, signed_in
from caseworks.access.roles import Role
from caseworks.audit.log import log_access
from caseworks.extensions import volunteering
from caseworks.models import Service
from caseworks.web.forms import EARLIEST_DATE, LATEST_DATE, error_text, form_page
from visits import calendar, services
from visits.forms import (
    AccompanimentForm,
    ArrivalCheckDoneForm,
    CancelForm,
    ChecklistForm,
    CompleteForm,
    OutcomeForm,
    VisitForm,
)
from visits.models import VOLUNTEER_CANCEL_REASONS, Accompaniment, CancelReason, Visit
from visits.selectors import (
    accompaniment_get_for_case,
    accompaniment_get_for_volunteer,
    accompaniments_for_volunteer,
    last_visit,
    my_week,
    visit_get_for_case,
)

DEFAULT_NEXT_VISIT = datetime.timedelta(days=14)


def _visit_url(case: Case, visit: Visit) -> str:
    return reverse("case_visits:visit_detail", args=[case.code, visit.code])


def _accompaniment_url(case: Case, accompaniment: Accompaniment) -> str:
    return reverse("case_visits:accompaniment_detail", args=[case.code, accompaniment.code])


@role_required(*CASE_ROLES)
def visit_new(request: SignedInRequest, code: uuid.UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    previous = last_visit(case)
    kind = Visit.Kind.FOLLOW_UP if previous is not None else Visit.Kind.FIRST
    today = timezone.localdate()
    initial: dict[str, Any] = {
        "date": today,
        "present": list(case.clients.all()),
        "duration_minutes": 60,
        "next_visit_due": today + DEFAULT_NEXT_VISIT,
    }
    if previous is not None:  # the usual interpreter and place, for a one-minute entry
        initial.update(
            place=previous.place,
            interpreter_language=previous.interpreter_language,
            interpreter_name=previous.interpreter_name,
            duration_minutes=previous.duration_minutes,
        )
    data = request.POST if request.method == "POST" else None
    form = VisitForm(data, case=case, initial=initial)
    checklist = ChecklistForm(data, prefix="check") if kind == Visit.Kind.FIRST else None
    forms = [form] + ([checklist] if checklist else [])
    return case_form_page(
        request,
        case,
        *forms,
        save=lambda: services.visit_record(
            actor=request.user,
            case=case,
            kind=kind,
            checklist=checklist.cleaned_data if checklist else None,
            **form.changes(),
        ),
        success=(
            _("First visit recorded.")
            if kind == Visit.Kind.FIRST
            else _("Follow-up visit recorded.")
        ),
        done=lambda visit: _visit_url(case, visit),
        creates=True,
        template="visits/visit_new.html",
        extra={
            "form": form,
            "checklist": checklist,
            "kind": kind,
            "kind_label": Visit.Kind(kind).label,
        },
    )


@role_required(*CASE_ROLES)
def visit_detail(request: SignedInRequest, code: uuid.UUID, visit_code: uuid.UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    visit = visit_get_for_case(case=case, code=visit_code)
    log_access(user=request.user, action="visit.viewed", obj=case, label=case.reference)
    return render(request, "visits/visit_detail.html", case_context(request, case, visit=visit))


@role_required(*CASE_ROLES)
def visit_edit(request: SignedInRequest, code: uuid.UUID, visit_code: uuid.UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    visit = visit_get_for_case(case=case, code=visit_code)
    form = VisitForm(
        request.POST or None,
        case=case,
        instance=visit,
        initial={"present": list(visit.present.all())},
    )
    return case_form_page(
        request,
        case,
        form,
        save=lambda: form.update(services.visit_update, actor=request.user, visit=visit),
        success=_("Visit saved."),
        done=_visit_url(case, visit),
        template="visits/visit_edit.html",
        extra={"form": form, "visit": visit},
    )


@role_required(*CASE_ROLES)
def visit_cancel(request: SignedInRequest, code: uuid.UUID, visit_code: uuid.UUID) -> HttpResponse:
    """Cancel instead of delete, after a confirmation page (POST); twice does no harm."""
    case = case_get_for_user(user=request.user, code=code)
    visit = visit_get_for_case(case=case, code=visit_code)
    if visit.is_cancelled:
        if request.method == "POST":
            messages.info(request, _("This visit was already cancelled."))
            return redirect(_visit_url(case, visit))
        return render(request, "visits/visit_cancel.html", case_context(request, case, visit=visit))
    form = CancelForm(request.POST or None)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.visit_cancel(actor=request.user, visit=visit, **form.cleaned_data),
        success=_("Visit cancelled. It stays in the history and no longer counts."),
        done=_visit_url(case, visit),
        template="visits/visit_cancel.html",
        extra={"form": form, "visit": visit},
    )


@role_required(*CASE_ROLES, methods=["POST"])
def arrival_check_done(request: SignedInRequest, code: uuid.UUID, item: str) -> HttpResponse:
    case = open_case_get_for_user(user=request.user, code=code)
    check = case.arrival_checks.filter(item=item).first()
    form = ArrivalCheckDoneForm(request.POST)
    if check is None or not form.is_valid():
        raise Http404("No such checklist point")
    try:
        services.arrival_check_done(actor=request.user, check=check, note=form.cleaned_data["note"])
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(
            request, _("Checklist point done: %(item)s") % {"item": check.get_item_display()}
        )
    return redirect("cases:detail", code=case.code)


def _accompaniment_form(request: SignedInRequest, case: Case, **kwargs: Any) -> AccompanimentForm:
    return AccompanimentForm(
        request.POST or None,
        case=case,
        staff=services.staff_for(case),
        volunteers=services.volunteers_for(case),
        services=Service.objects.filter(is_active=True),
        **kwargs,
    )


@role_required(*CASE_ROLES)
def accompaniment_new(request: SignedInRequest, code: uuid.UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    previous = last_visit(case)
    initial: dict[str, Any] = {"client": case.clients.first()}
    if services.staff_for(case).filter(pk=request.user.pk).exists():
        initial["accompanied_by"] = request.user
    if previous is not None:
        initial.update(
            interpreter_language=previous.interpreter_language,
            interpreter_name=previous.interpreter_name,
        )
    form = _accompaniment_form(request, case, initial=initial)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.accompaniment_plan(
            actor=request.user, case=case, data=form.changes()
        ),
        success=_("Accompaniment planned."),
        done=lambda accompaniment: _accompaniment_url(case, accompaniment),
        creates=True,
        template="visits/accompaniment_form.html",
        extra={"form": form, "new": True},
    )


@role_required(*CASE_ROLES)
def accompaniment_detail(
    request: SignedInRequest, code: uuid.UUID, accompaniment_code: uuid.UUID
) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    accompaniment = accompaniment_get_for_case(case=case, code=accompaniment_code)
    log_access(user=request.user, action="accompaniment.viewed", obj=case, label=case.reference)
    return render(
        request,
        "visits/accompaniment_detail.html",
        case_context(
            request,
            case,
            accompaniment=accompaniment,
            is_past=accompaniment.appointment_at <= timezone.now(),
        ),
    )


@role_required(*CASE_ROLES)
def accompaniment_edit(
    request: SignedInRequest, code: uuid.UUID, accompaniment_code: uuid.UUID
) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    accompaniment = accompaniment_get_for_case(case=case, code=accompaniment_code)
    if accompaniment.is_cancelled:
        messages.info(request, _("This accompaniment was cancelled: it cannot be changed."))
        return redirect(_accompaniment_url(case, accompaniment))
    form = _accompaniment_form(request, case, instance=accompaniment)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: form.update(
            services.accompaniment_update, actor=request.user, accompaniment=accompaniment
        ),
        success=_("Accompaniment saved."),
        done=reverse("cases:detail", args=[case.code]),
        template="visits/accompaniment_form.html",
        extra={"form": form, "accompaniment": accompaniment, "new": False},
    )


@role_required(*CASE_ROLES)
def accompaniment_outcome(
    request: SignedInRequest, code: uuid.UUID, accompaniment_code: uuid.UUID
) -> HttpResponse:
    """After the appointment: took place (with a short outcome) or not (on to cancelling)."""
    case = case_get_for_user(user=request.user, code=code)
    accompaniment = accompaniment_get_for_case(case=case, code=accompaniment_code)
    detail = _accompaniment_url(case, accompaniment)
    if accompaniment.status != Accompaniment.Status.PLANNED:
        messages.info(request, _("The result of this accompaniment is already recorded."))
        return redirect(detail)
    form = OutcomeForm(request.POST or None, instance=accompaniment)
    if request.method == "POST" and form.said_no():
        return redirect(
            "case_visits:accompaniment_cancel",
            code=case.code,
            accompaniment_code=accompaniment.code,
        )
    return case_form_page(
        request,
        case,
        form,
        save=lambda: form.update(
            services.accompaniment_complete, actor=request.user, accompaniment=accompaniment
        ),
        success=_("Outcome recorded."),
        done=detail,
        template="visits/accompaniment_outcome.html",
        extra={
            "form": form,
            "accompaniment": accompaniment,
            "too_early": accompaniment.appointment_at > timezone.now(),
        },
    )


@role_required(*CASE_ROLES)
def accompaniment_cancel(
    request: SignedInRequest, code: uuid.UUID, accompaniment_code: uuid.UUID
) -> HttpResponse:
    """Cancel instead of delete, after a confirmation page (POST); twice does no harm."""
    case = case_get_for_user(user=request.user, code=code)
    accompaniment = accompaniment_get_for_case(case=case, code=accompaniment_code)
    detail = _accompaniment_url(case, accompaniment)
    if accompaniment.is_cancelled:
        if request.method == "POST":
            messages.info(request, _("This accompaniment was already cancelled."))
        return redirect(detail)
    form = CancelForm(request.POST or None)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.accompaniment_cancel(
            actor=request.user, accompaniment=accompaniment, **form.cleaned_data
        ),
        success=_("Accompaniment cancelled. It stays in the history and no longer counts."),
        done=detail,
        template="visits/accompaniment_cancel.html",
        extra={"form": form, "accompaniment": accompaniment},
    )


def _week_param(value: str) -> datetime.date | None:
    """?week=YYYY-MM-DD (any day of the week); anything else is this week."""
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return day if EARLIEST_DATE <= day <= LATEST_DATE else None


@page_required("visits:week")
def week(request):
    start = _week_param(request.GET.get("week", "")[:10])
    return render(request, "visits/week.html", my_week(user=request.user, start=start))


@signed_in
def calendar_settings(request):
    token = None
    if request.method == "POST":
        token = calendar.calendar_token_renew(user=request.user)
        messages.success(
            request, _("A new calendar address was created. The previous one no longer works.")
        )
    feed_url = (
        request.build_absolute_uri(reverse("visits:calendar_feed", args=[token])) if token else None
    )
    has_feed = hasattr(request.user, "calendar_token")
    return render(request, "visits/calendar.html", {"feed_url": feed_url, "has_feed": has_feed})


@public
@require_GET
def calendar_feed(request, token):
    """No login: the secret in the URL is the credential (calendar apps cannot log in)."""
    user = calendar.calendar_user_for_token(token)
    if user is None:
        raise Http404("Unknown calendar")
    body = calendar.calendar_feed(user=user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store, private"
    return response


def contact_visible(
    appointment_at: datetime.datetime, now: datetime.datetime | None = None
) -> bool:
    """Need-to-know in time: a volunteer sees the client's first name and phone from
    CASEWORKS_VOLUNTEER_CONTACT_HOURS before to as many hours after the appointment only;
    outside it the date, the place and their own notes."""
    now = now or timezone.now()
    window = datetime.timedelta(hours=getattr(settings, "CASEWORKS_VOLUNTEER_CONTACT_HOURS", 24))
    return appointment_at - window <= now <= appointment_at + window


@page_required("volunteer:list")
def volunteer_list(request):
    """The volunteer's start page: what waits for their answer, then their accompaniments."""
    items = accompaniments_for_volunteer(user=request.user)
    planned = [a for a in items if a.status == "planned"]
    for a in planned:  # the template's flag, set on the row it lists
        vars(a)["show_contact"] = contact_visible(a.appointment_at)
    done = [a for a in items.order_by("-appointment_at") if a.status != "planned"][:20]
    # Boxes other apps contribute (caseworks.extensions.volunteering), above the list.
    found = [panel(request.user) for panel in volunteering.start_panels]
    panels = [
        render_to_string(p.template, p.context, request=request)
        for p in sorted((p for p in found if p is not None), key=lambda p: p.order)
    ]
    return render(
        request,
        "visits/volunteer_list.html",
        {"planned": planned, "done": done, "panels": panels},
    )


@role_required(Role.VOLUNTEER)
def volunteer_detail(request, accompaniment_code):
    accompaniment = accompaniment_get_for_volunteer(user=request.user, code=accompaniment_code)
    show_contact = contact_visible(accompaniment.appointment_at)
    if request.method == "GET" and show_contact:  # a client's first name and phone number
        log_access(
            user=request.user,
            action="accompaniment.viewed",
            obj=accompaniment,
            label=accompaniment.case.reference,
        )
    form = CompleteForm(request.POST or None, instance=accompaniment)
    return form_page(
        request,
        form,
        save=lambda: form.update(
            services.accompaniment_complete, actor=request.user, accompaniment=accompaniment
        ),
        success=_("Thank you: the accompaniment is marked as done."),
        done=reverse("volunteer:list"),
        template="visits/volunteer_detail.html",
        context={
            "accompaniment": accompaniment,
            # What the caseworker wrote for the volunteer (cases.plan.models): never the need
            # itself.
            "hints": volunteer_hints_for(
                clients=[
                    accompaniment.client_id,
                    *accompaniment.others.values_list("pk", flat=True).order_by(),
                ]
            ),
            "form": form,
            "show_contact": show_contact,
            "can_complete": accompaniment.status == "planned"
            and accompaniment.appointment_at <= timezone.now(),
            "can_report": accompaniment.status == "planned"
            and services.report_not_held_possible(accompaniment),
            "undo_until": _undo_until(accompaniment, request.user),
        },
    )


def _undo_until(accompaniment: Accompaniment, user: Any) -> datetime.datetime | None:
    """Until when the volunteer may take their own "did not take place" back (None: not)."""
    until = services.report_not_held_undo_until(accompaniment)
    if until is None or accompaniment.cancelled_by_id != user.pk or until <= timezone.now():
        return None
    return until


@role_required(Role.VOLUNTEER)
def volunteer_cancel(request, accompaniment_code):
    """The volunteer reports that the appointment did not take place (confirmation, POST)."""
    accompaniment = accompaniment_get_for_volunteer(user=request.user, code=accompaniment_code)
    if accompaniment.status != Accompaniment.Status.PLANNED:
        if request.method == "POST" and accompaniment.is_cancelled:
            messages.info(request, _("This was already reported."))
        return redirect("volunteer:detail", accompaniment_code=accompaniment.code)
    if not services.report_not_held_possible(accompaniment):
        messages.info(
            request,
            _(
                "Only an appointment of today or earlier can be reported as not held. If it "
                "is called off in advance, tell the caseworker."
            ),
        )
        return redirect("volunteer:detail", accompaniment_code=accompaniment.code)
    reasons = [(r.value, r.label) for r in CancelReason if r in VOLUNTEER_CANCEL_REASONS]
    form = CancelForm(request.POST or None, reasons=reasons)
    return form_page(
        request,
        form,
        save=lambda: services.accompaniment_report_not_held(
            actor=request.user, accompaniment=accompaniment, **form.cleaned_data
        ),
        success=_("Thank you: the caseworker sees that the appointment did not take place."),
        done=reverse("volunteer:detail", args=[accompaniment.code]),
        template="visits/volunteer_cancel.html",
        context={
            "accompaniment": accompaniment,
            "form": form,
            "undo_hours": deadline_undo_hours(),
        },
    )


@role_required(Role.VOLUNTEER, methods=["POST"])
def volunteer_cancel_undo(request, accompaniment_code):
    """The volunteer takes their "did not take place" back, for a while after reporting it."""
    accompaniment = accompaniment_get_for_volunteer(user=request.user, code=accompaniment_code)
    if not accompaniment.is_cancelled:  # taken back already (a double tap, a second tab)
        return redirect("volunteer:detail", accompaniment_code=accompaniment.code)
    try:
        services.accompaniment_report_not_held_undo(
            actor=request.user,
            accompaniment=accompaniment,
            expected_version=int(request.POST.get("version") or accompaniment.version),
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Taken back: the accompaniment is planned again."))
    return redirect("volunteer:detail", accompaniment_code=accompaniment.code)
