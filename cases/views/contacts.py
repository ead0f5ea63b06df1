"""Contacts and file notes, tasks, and the household's own appointments."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services
from cases.forms import AppointmentCancelForm, AppointmentForm, ContactForm, TaskForm
from cases.law.suggestions import Suggestion, suggestion_for_status
from cases.models import AppointmentKind, Case, ContactKind
from cases.page import SignedInRequest, case_context, case_form_page
from cases.selectors import (
    appointment_get_for_case,
    case_get_for_user,
    contact_get_for_case,
    main_contacts,
    open_case_get_for_user,
    task_get_for_case,
)
from caseworks.access.permissions import CASE_ROLES, role_required
from caseworks.models import Service
from caseworks.web.forms import error_text


def _suggestion_from(request: SignedInRequest, case: Case) -> Suggestion | None:
    """The suggestion a "create appointment/task" link came from (`?extend=<status code>`),
    if it still applies; it only pre-fills the form."""
    status_code = request.GET.get("extend", "")
    if not status_code or request.method != "GET":
        return None
    return suggestion_for_status(case, status_code)


# --- contacts ------------------------------------------------------------------------------------


@role_required(*CASE_ROLES)
def contact_new(request: SignedInRequest, code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    kind = request.GET.get("kind", "")
    initial = {
        "date": timezone.localdate(),
        "kind": kind if kind in ContactKind.values else ContactKind.PHONE,
        "duration_minutes": 0 if kind == ContactKind.FILE_NOTE else 15,
        "persons": list(main_contacts().filter(case=case)),
    }
    form = ContactForm(request.POST or None, case=case, initial=initial)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.contact_record(actor=request.user, case=case, **form.changes()),
        success=_("Contact recorded."),
        done=reverse("cases:detail", args=[case.code]),
        creates=True,
        template="cases/contact_form.html",
        extra={"form": form, "new": True},
    )


@role_required(*CASE_ROLES)
def contact_edit(request: SignedInRequest, code: str, contact_code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    contact = contact_get_for_case(case=case, code=contact_code)
    form = ContactForm(
        request.POST or None,
        case=case,
        instance=contact,
        initial={"persons": list(contact.persons.all())},
    )
    return case_form_page(
        request,
        case,
        form,
        save=lambda: form.update(services.contact_update, actor=request.user, contact=contact),
        success=_("Contact saved."),
        done=reverse("cases:detail", args=[case.code]),
        template="cases/contact_form.html",
        extra={"form": form, "contact": contact, "new": False},
    )


# --- tasks ---------------------------------------------------------------------------------------


@role_required(*CASE_ROLES)
def task_new(request: SignedInRequest, code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    initial: dict[str, Any] = {
        "assigned_to": case.assigned_to or request.user,
        "due_on": timezone.localdate() + datetime.timedelta(days=7),
    }
    suggestion = _suggestion_from(request, case)
    if suggestion is not None:
        initial.update(title=suggestion.task_title, due_on=suggestion.task_due_on)
    form = TaskForm(request.POST or None, assignees=services.task_assignees(case), initial=initial)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.task_create(actor=request.user, case=case, **form.changes()),
        success=_("Task recorded."),
        done=reverse("cases:detail", args=[case.code]),
        creates=True,
        template="cases/task_form.html",
        extra={"form": form, "new": True, "suggestion": suggestion},
    )


@role_required(*CASE_ROLES)
def task_edit(request: SignedInRequest, code: str, task_code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    task = task_get_for_case(case=case, code=task_code)
    form = TaskForm(request.POST or None, instance=task, assignees=services.task_assignees(case))
    return case_form_page(
        request,
        case,
        form,
        save=lambda: form.update(services.task_update, actor=request.user, task=task),
        success=_("Task saved."),
        done=reverse("cases:detail", args=[case.code]),
        template="cases/task_form.html",
        extra={"form": form, "task": task, "new": False},
    )


@role_required(*CASE_ROLES)
def task_done(request: SignedInRequest, code: str, task_code: str) -> HttpResponse:
    """A page that says what is marked done (reached from the case file and "my week"); the
    button on it marks it. Taken back on the task's page."""
    case = open_case_get_for_user(user=request.user, code=code)
    task = task_get_for_case(case=case, code=task_code)
    if request.method == "POST":
        action = request.POST.get("action", "done")
        try:
            if action == "reopen":
                services.task_reopen(actor=request.user, task=task)
            else:
                services.task_done(actor=request.user, task=task)
        except ValidationError as e:
            messages.error(request, error_text(e))
        else:
            messages.success(
                request,
                _("The task is open again.") if action == "reopen" else _("Task marked as done."),
            )
        back = request.POST.get("next", "")
        if back == "week":
            return redirect("visits:week")
        return redirect("cases:detail", code=case.code)
    return render(
        request,
        "cases/task_done.html",
        case_context(request, case, task=task, next=request.GET.get("next", "")),
    )


# --- appointments --------------------------------------------------------------------------------


def _appointment_services() -> QuerySet[Service]:
    return Service.objects.order_by("name")


@role_required(*CASE_ROLES)
def appointment_new(request: SignedInRequest, code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    initial: dict[str, Any] = {"persons": list(main_contacts().filter(case=case))}
    suggestion = _suggestion_from(request, case)
    if suggestion is not None:
        initial.update(
            kind=AppointmentKind.IMMIGRATION_OFFICE,
            persons=[suggestion.client],
            note=suggestion.appointment_note,
        )
    form = AppointmentForm(
        request.POST or None, case=case, services=_appointment_services(), initial=initial
    )
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.appointment_create(actor=request.user, case=case, **form.changes()),
        success=_("Appointment recorded."),
        done=reverse("cases:detail", args=[case.code]),
        creates=True,
        template="cases/appointment_form.html",
        extra={"form": form, "new": True, "suggestion": suggestion},
    )


@role_required(*CASE_ROLES)
def appointment_edit(request: SignedInRequest, code: str, appointment_code: str) -> HttpResponse:
    """A cancelled appointment shows no form; the service refuses to change it."""
    case = case_get_for_user(user=request.user, code=code)
    appointment = appointment_get_for_case(case=case, code=appointment_code)
    form = AppointmentForm(
        request.POST or None,
        case=case,
        services=_appointment_services(),
        instance=appointment,
        initial={"persons": list(appointment.persons.all())},
    )
    return case_form_page(
        request,
        case,
        form,
        save=lambda: form.update(
            services.appointment_update, actor=request.user, appointment=appointment
        ),
        success=_("Appointment saved."),
        done=reverse("cases:detail", args=[case.code]),
        template="cases/appointment_form.html",
        extra={"form": form, "appointment": appointment, "new": False},
    )


@role_required(*CASE_ROLES)
def appointment_cancel(request: SignedInRequest, code: str, appointment_code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    appointment = appointment_get_for_case(case=case, code=appointment_code)
    if appointment.is_cancelled:
        raise Http404("Already cancelled")
    form = AppointmentCancelForm(request.POST or None)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.appointment_cancel(
            actor=request.user, appointment=appointment, reason=form.cleaned_data["reason"]
        ),
        success=_("Appointment cancelled."),
        done=reverse("cases:detail", args=[case.code]),
        template="cases/appointment_cancel.html",
        extra={"form": form, "appointment": appointment},
    )
