"""Visit, accompaniment, my-week, calendar and volunteer views: thin, scoped by selectors."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.selectors import case_get_for_user, open_case_get_for_user
from cases.views import case_context
from caseworks.audit import log_access
from caseworks.forms import error_text, submit
from caseworks.models import Service
from caseworks.permissions import CASE_ROLES, page_required, public, role_required, signed_in
from caseworks.roles import Role
from visits import calendar, services
from visits.forms import (
    AccompanimentForm,
    ArrivalCheckDoneForm,
    ChecklistForm,
    CompleteForm,
    VisitForm,
)
from visits.models import Visit
from visits.selectors import (
    accompaniment_get_for_case,
    accompaniment_get_for_volunteer,
    accompaniments_for_volunteer,
    last_visit,
    my_week,
    visit_get_for_case,
)

DEFAULT_NEXT_VISIT = datetime.timedelta(days=14)


@role_required(*CASE_ROLES)
def visit_new(request, code):
    case = open_case_get_for_user(user=request.user, code=code)
    previous = last_visit(case)
    kind = Visit.Kind.FOLLOW_UP if previous is not None else Visit.Kind.FIRST
    today = timezone.localdate()
    initial = {
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
    success = (
        _("First visit recorded.") if kind == Visit.Kind.FIRST else _("Follow-up visit recorded.")
    )
    if submit(
        request,
        lambda: services.visit_record(
            actor=request.user,
            case=case,
            kind=kind,
            checklist=checklist.cleaned_data if checklist else None,
            **{k: v for k, v in form.cleaned_data.items() if k != "version"},
        ),
        *forms,
        success=success,
    ):
        return redirect("cases:detail", code=case.code)
    return render(
        request,
        "visits/visit_new.html",
        case_context(
            request,
            case,
            form=form,
            checklist=checklist,
            kind=kind,
            kind_label=Visit.Kind(kind).label,
        ),
    )


@role_required(*CASE_ROLES)
def visit_detail(request, code, visit_code):
    case = case_get_for_user(user=request.user, code=code)
    visit = visit_get_for_case(case=case, code=visit_code)
    log_access(user=request.user, action="visit.viewed", obj=case, label=case.reference)
    return render(request, "visits/visit_detail.html", case_context(request, case, visit=visit))


@role_required(*CASE_ROLES)
def visit_edit(request, code, visit_code):
    case = open_case_get_for_user(user=request.user, code=code)
    visit = visit_get_for_case(case=case, code=visit_code)
    form = VisitForm(
        request.POST or None,
        case=case,
        instance=visit,
        initial={"present": list(visit.present.all())},
    )
    if submit(
        request,
        lambda: services.visit_update(
            actor=request.user,
            visit=visit,
            expected_version=form.cleaned_data["version"],
            data=form.cleaned_data,
        ),
        form,
        success=_("Visit saved."),
    ):
        return redirect("case_visits:visit_detail", code=case.code, visit_code=visit.code)
    return render(
        request, "visits/visit_edit.html", case_context(request, case, form=form, visit=visit)
    )


@role_required(*CASE_ROLES, methods=["POST"])
def arrival_check_done(request, code, item):
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


def _accompaniment_form(request, case, **kwargs):
    return AccompanimentForm(
        request.POST or None,
        case=case,
        companions=services.companions_for(case),
        services=Service.objects.filter(is_active=True),
        **kwargs,
    )


@role_required(*CASE_ROLES)
def accompaniment_new(request, code):
    case = open_case_get_for_user(user=request.user, code=code)
    previous = last_visit(case)
    initial = {"client": case.clients.first(), "accompanied_by": request.user}
    if previous is not None:
        initial.update(
            interpreter_language=previous.interpreter_language,
            interpreter_name=previous.interpreter_name,
        )
    form = _accompaniment_form(request, case, initial=initial)
    if submit(
        request,
        lambda: services.accompaniment_plan(actor=request.user, case=case, data=form.cleaned_data),
        form,
        success=_("Accompaniment planned."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(
        request, "visits/accompaniment_form.html", case_context(request, case, form=form, new=True)
    )


@role_required(*CASE_ROLES)
def accompaniment_edit(request, code, accompaniment_code):
    case = open_case_get_for_user(user=request.user, code=code)
    accompaniment = accompaniment_get_for_case(case=case, code=accompaniment_code)
    form = _accompaniment_form(request, case, instance=accompaniment)
    if submit(
        request,
        lambda: services.accompaniment_update(
            actor=request.user,
            accompaniment=accompaniment,
            expected_version=form.cleaned_data["version"] or 0,
            data=form.cleaned_data,
        ),
        form,
        success=_("Accompaniment saved."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(
        request,
        "visits/accompaniment_form.html",
        case_context(request, case, form=form, accompaniment=accompaniment, new=False),
    )


@page_required("visits:week")
def week(request):
    return render(request, "visits/week.html", my_week(user=request.user))


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


@page_required("volunteer:list")
def volunteer_list(request):
    items = accompaniments_for_volunteer(user=request.user).defer("purpose")
    planned = [a for a in items if a.status == "planned"]
    done = [a for a in items.order_by("-appointment_at") if a.status != "planned"][:20]
    return render(request, "visits/volunteer_list.html", {"planned": planned, "done": done})


@role_required(Role.VOLUNTEER)
def volunteer_detail(request, accompaniment_code):
    accompaniment = accompaniment_get_for_volunteer(user=request.user, code=accompaniment_code)
    if request.method == "GET":  # a volunteer sees a client's first name and phone number
        log_access(
            user=request.user,
            action="accompaniment.viewed",
            obj=accompaniment,
            label=accompaniment.case.reference,
        )
    form = CompleteForm(request.POST or None, initial={"version": accompaniment.version})
    if submit(
        request,
        lambda: services.accompaniment_complete(
            actor=request.user,
            accompaniment=accompaniment,
            expected_version=form.cleaned_data["version"],
            outcome=form.cleaned_data["outcome"],
        ),
        form,
        success=_("Thank you: the accompaniment is marked as done."),
    ):
        return redirect("volunteer:list")
    return render(
        request,
        "visits/volunteer_detail.html",
        {
            "accompaniment": accompaniment,
            "form": form,
            "can_complete": accompaniment.status == "planned"
            and accompaniment.appointment_at <= timezone.now(),
        },
    )
