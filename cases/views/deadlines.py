"""Deadlines: a BAMF decision (the § 74 AsylG deadlines follow) or any other deadline,
marked done and taken back."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services
from cases.forms import BamfDecisionForm, DeadlineForm
from cases.models import Case, Deadline
from cases.page import SignedInRequest, case_context, case_form_page
from cases.selectors import case_get_for_user, open_case_get_for_user
from caseworks.access.permissions import CASE_ROLES, role_required
from caseworks.web.forms import error_text


@role_required(*CASE_ROLES)
def case_deadlines(request: SignedInRequest, code: str) -> HttpResponse:
    """Record a BAMF decision (the § 74 AsylG deadlines follow) or any other deadline: two
    forms on the page, the posted one (`action`) is the one saved."""
    case = case_get_for_user(user=request.user, code=code)
    action = request.POST.get("action") if request.method == "POST" else None
    decision_form = BamfDecisionForm(
        request.POST if action == "decision" else None, case=case, prefix="decision"
    )
    deadline_form = DeadlineForm(
        request.POST if action == "manual" else None, case=case, prefix="deadline"
    )
    posted: dict[str, tuple[Any, Callable[[], object], str]] = {
        "decision": (
            decision_form,
            lambda: services.bamf_decision_record(actor=request.user, **decision_form.cleaned_data),
            _("Decision recorded; the deadlines are computed."),
        ),
        "manual": (
            deadline_form,
            lambda: services.deadline_add(
                actor=request.user, case=case, **deadline_form.cleaned_data
            ),
            _("Deadline recorded."),
        ),
    }
    form, save, success = posted.get(action or "", posted["manual"])
    # Nothing posted (or an unknown action): both forms shown unbound; an unbound form is
    # never valid, so nothing is saved.
    forms = (form,) if action in posted else (decision_form, deadline_form)
    deadlines = list(
        case.deadlines.select_related("client", "decision", "done_by").order_by("done_on", "due_on")
    )
    now = timezone.now()
    undo_until = {
        deadline.pk: services.deadline_undo_until(deadline)
        for deadline in deadlines
        if services.deadline_may_undo(deadline, now=now)
    }
    return case_form_page(
        request,
        case,
        *forms,
        save=save,
        success=success,
        done=reverse("cases:deadlines", args=[case.code]),
        creates=True,
        template="cases/deadlines.html",
        extra={
            "decision_form": decision_form,
            "deadline_form": deadline_form,
            "deadlines": [(d, undo_until.get(d.pk)) for d in deadlines],
            "today": timezone.localdate(),
            "undo_hours": services.deadline_undo_hours(),
        },
    )


def _deadline_of(case: Case, deadline_code: str) -> Deadline:
    deadline = case.deadlines.select_related("client", "decision").filter(code=deadline_code)
    found = deadline.first()
    if found is None:
        raise Http404("No such deadline")
    return found


@role_required(*CASE_ROLES)
def deadline_done(request: SignedInRequest, code: str, deadline_code: str) -> HttpResponse:
    """Mark a deadline as done — after a look at what it is: a page, not a one-tap button
    next to another deadline's. Taken back on the deadlines page for a while."""
    case = open_case_get_for_user(user=request.user, code=code)
    deadline = _deadline_of(case, deadline_code)
    if request.method == "POST":
        try:
            services.deadline_done(actor=request.user, deadline=deadline)
        except ValidationError as e:
            messages.error(request, error_text(e))
        else:
            messages.success(
                request,
                _(
                    "Deadline marked as done. Marked by mistake? You can take it back on this "
                    "page within %(hours)s hours."
                )
                % {"hours": services.deadline_undo_hours()},
            )
        return redirect("cases:deadlines", code=case.code)
    return render(
        request,
        "cases/deadline_done.html",
        case_context(request, case, deadline=deadline, today=timezone.localdate()),
    )


@role_required(*CASE_ROLES, methods=["POST"])
def deadline_undo(request: SignedInRequest, code: str, deadline_code: str) -> HttpResponse:
    case = open_case_get_for_user(user=request.user, code=code)
    deadline = _deadline_of(case, deadline_code)
    try:
        services.deadline_undo(actor=request.user, deadline=deadline)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, _("The deadline is open again."))
    return redirect("cases:deadlines", code=case.code)
