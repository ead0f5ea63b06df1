"""The case file: its overview with the timeline, its history, and the case's own details."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cases import services
from cases.forms import CaseForm
from cases.history import case_history
from cases.page import SignedInRequest, case_context, case_form_page, with_data
from cases.selectors import case_get_for_user, cover_candidates, household_with_statuses
from caseworks.access.permissions import CASE_ROLES, role_required
from caseworks.audit.log import log_access
from caseworks.extensions.casefile import panels_for, timeline_for

TIMELINE_PAGE = 50
TIMELINE_MAX = 1000
RECENT_VISITS = 3  # the newest visits, near the top of the case file (above the household)


@role_required(*CASE_ROLES)
def case_detail(request: SignedInRequest, code: str) -> HttpResponse:
    try:
        case = case_get_for_user(user=request.user, code=code)
    except Http404:
        if cover_candidates(user=request.user).filter(code=code).exists():
            return redirect("cases:cover", code=code)  # a team case: open it with a reason
        raise
    log_access(user=request.user, action="case.viewed", obj=case, label=case.reference)
    household = household_with_statuses(case)
    limit = TIMELINE_PAGE
    entries = request.GET.get("entries", "")
    if entries.isascii() and entries.isdigit() and len(entries) < 6:
        limit = min(int(entries), TIMELINE_MAX)
    timeline, more = timeline_for(case, limit=limit)
    return render(
        request,
        "cases/case_detail.html",
        case_context(
            request,
            case,
            household=household,
            tab="overview",
            shares=case.shares.select_related("user"),
            panels=panels_for(case, user=request.user),
            timeline=timeline,
            recent_visits=[entry for entry in timeline if entry.kind == "visit"][:RECENT_VISITS],
            more_entries=limit + TIMELINE_PAGE if more else None,
        ),
    )


@role_required(*CASE_ROLES)
def case_history_view(request: SignedInRequest, code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    log_access(user=request.user, action="case.history_viewed", obj=case, label=case.reference)
    entries = case_history(case)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request, "cases/case_history.html", case_context(request, case, page=page, tab="history")
    )


@role_required(*CASE_ROLES)
def case_edit(request: SignedInRequest, code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    form = CaseForm(request.POST or None, instance=case)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: form.update(with_data(services.case_update, actor=request.user, case=case)),
        success=_("Case saved."),
        done=reverse("cases:detail", args=[case.code]),
        template="cases/case_edit.html",
        extra={"form": form},
    )
