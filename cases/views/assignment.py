"""Who works on a case: assigning it, sharing it with a colleague, covering for one, and
closing and reopening it."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services
from cases.forms import AssignForm, CloseForm, CoverForm, ReopenForm, ShareForm
from cases.models import COVER_HOURS, CoverAccess
from cases.page import SignedInRequest, case_context, case_form_page
from cases.selectors import (
    case_get_for_user,
    case_may_manage_sharing,
    cover_candidates,
    supervised_case_get_for_user,
)
from caseworks.access.permissions import CASE_ROLES, role_required
from caseworks.access.roles import Role
from caseworks.web.forms import form_page


@role_required(Role.SUPERVISOR)
def case_assign(request: SignedInRequest, code: str) -> HttpResponse:
    case = supervised_case_get_for_user(user=request.user, code=code)
    form = AssignForm(
        request.POST or None,
        caseworkers=services.caseworkers_of(case.team),
        initial={"caseworker": case.assigned_to},
    )
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.case_assign(
            actor=request.user, case=case, caseworker=form.cleaned_data["caseworker"]
        ),
        success=_("Case assigned."),
        done=reverse("cases:detail", args=[case.code]),
        template="cases/case_assign.html",
        extra={"form": form},
    )


@role_required(*CASE_ROLES)
def case_share(request: SignedInRequest, code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    if not case_may_manage_sharing(case=case, user=request.user):
        raise Http404("Only the assignee or a supervisor shares a case")
    colleagues = services.caseworkers_of(case.team).exclude(shared_cases__case=case)
    if case.assigned_to_id is not None:
        colleagues = colleagues.exclude(pk=case.assigned_to_id)
    form = ShareForm(request.POST or None, colleagues=colleagues)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.case_share(
            actor=request.user, case=case, user=form.cleaned_data["user"]
        ),
        success=_("Case shared."),
        done=reverse("cases:detail", args=[case.code]),
        template="cases/case_share.html",
        extra={"form": form, "shares": case.shares.select_related("user")},
    )


@role_required(*CASE_ROLES, methods=["POST"])
def case_unshare(request: SignedInRequest, code: str, share_code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    share = case.shares.filter(code=share_code).select_related("user").first()
    if share is None or not case_may_manage_sharing(case=case, user=request.user):
        raise Http404("No such share")
    services.case_unshare(actor=request.user, case=case, user=share.user)
    messages.success(request, _("Sharing ended."))
    return redirect("cases:detail", code=case.code)


@role_required(Role.SUPERVISOR)
def case_close(request: SignedInRequest, code: str) -> HttpResponse:
    """Closing lists what is still open; the supervisor handles each item (its link) or
    ticks that it stays open. Which items were acknowledged goes into the case's history.
    A closed case shows the page read-only (cases.page.case_form_page)."""
    case = supervised_case_get_for_user(user=request.user, code=code)
    open_items = services.case_open_items(case)
    form = CloseForm(
        request.POST or None, open_items=open_items, initial={"closed_on": timezone.localdate()}
    )
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.case_close(
            actor=request.user,
            case=case,
            reason=form.cleaned_data["reason"],
            closed_on=form.cleaned_data["closed_on"],
            acknowledged=form.acknowledged(),
            deadline_reason=form.cleaned_data.get("deadline_reason", ""),
        ),
        success=_("Case closed."),
        done=reverse("cases:detail", args=[case.code]),
        template="cases/case_close.html",
        extra={"form": form, "open_rows": form.item_rows(), "deadlines": form.deadlines},
    )


@role_required(Role.SUPERVISOR)
def case_reopen(request: SignedInRequest, code: str) -> HttpResponse:
    """The one form a closed case takes (so not case_form_page): on an open case it is the
    page that is read-only (and the service refuses all the same)."""
    case = supervised_case_get_for_user(user=request.user, code=code)
    form = ReopenForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.case_reopen(
            actor=request.user, case=case, reason=form.cleaned_data["reason"]
        ),
        success=_("Case reopened."),
        done=reverse("cases:detail", args=[case.code]),
        template="cases/case_reopen.html",
        context=case_context(request, case, form=form),
        read_only=_("The case is open.") if services.case_accepts_records(case) else None,
    )


@role_required(Role.CASEWORKER)
def case_cover(request: SignedInRequest, code: str) -> HttpResponse:
    """Ask for the reason before a team colleague's case file opens (nothing of it is shown
    here but its reference number)."""
    case = cover_candidates(user=request.user).select_related("team").filter(code=code).first()
    if case is None:
        raise Http404("No such case")
    form = CoverForm(request.POST or None)

    def grant() -> CoverAccess:
        access = services.cover_access_grant(
            actor=request.user, case=case, reason=form.cleaned_data["reason"]
        )
        if access.awaiting_approval:
            messages.info(
                request,
                _(
                    "You have opened several colleagues' case files today: this one opens once "
                    "a supervisor of the team approves."
                ),
            )
        else:
            messages.success(
                request, _("Cover access granted for %(hours)s hours.") % {"hours": COVER_HOURS}
            )
        return access

    return form_page(
        request,
        form,
        save=grant,
        success=_("Your reason is recorded and shown to the team's supervisors."),
        done=lambda access: (
            reverse("cases:list")
            if access.awaiting_approval
            else reverse("cases:detail", args=[case.code])
        ),
        template="cases/case_cover.html",
        context={"case": case, "form": form},
    )
