"""The case plan's pages: the plan of a case (needs, special protection needs, schooling and
work, residence perspectives), its forms, and the admin's needs catalogue. Thin: scope
through selectors, write through services, render."""

import contextlib
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from cases.page import SignedInRequest, case_context, case_form_page
from cases.plan import services
from cases.plan.forms import (
    ActivityForm,
    NeedCategoryForm,
    NeedFinishForm,
    NeedForm,
    SpecialNeedForm,
)
from cases.plan.models import Need, NeedCategory, NeedStatus
from cases.plan.overview import SPECIAL_REFERRALS, plan_context, referral_suggestion
from cases.plan.selectors import (
    activity_get_for_case,
    category_get,
    need_get_for_case,
    special_need_get_for_case,
    special_needs_visible,
)
from cases.selectors import case_get_for_user, client_get_for_case
from caseworks.access.permissions import CASE_ROLES, role_required
from caseworks.access.roles import Role
from caseworks.audit.log import log_access
from caseworks.extensions.plan import NeedSource
from caseworks.web.forms import error_text, form_page


@role_required(*CASE_ROLES)
def plan(request: SignedInRequest, code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    log_access(user=request.user, action="case.plan_viewed", obj=case, label=case.reference)
    context = plan_context(case, user=request.user)
    clients = list(case.clients.prefetch_related("activities").order_by("id"))
    context["persons"] = [
        {
            "client": c,
            "activities": list(c.activities.all()),
            "special": [s for s in context["special_needs"] if s.client_id == c.pk],
        }
        for c in clients
    ]
    return render(request, "cases/plan/plan.html", case_context(request, case, **context))


# --- needs ---------------------------------------------------------------------------------------


@role_required(*CASE_ROLES)
def need_new(request: SignedInRequest, code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    source = _served_by(request, case)
    initial: dict[str, Any] = {"status": NeedStatus.OPEN}
    if client_code := request.GET.get("client"):
        with contextlib.suppress(Http404, ValidationError, ValueError):
            initial["client"] = client_get_for_case(case=case, code=client_code)
    form = NeedForm(request.POST or None, case=case, initial=initial)

    def save() -> Need:
        need = services.need_create(actor=request.user, case=case, **form.changes())
        if source is not None:
            services.need_link_source(actor=request.user, need=need, source=source)
        return need

    return case_form_page(
        request,
        case,
        form,
        save=save,
        success=_("Need recorded."),
        done=source.back if source is not None else reverse("plan:plan", args=[case.code]),
        creates=True,
        template="cases/plan/need_form.html",
        extra={"form": form, "new": True, "creates": True, "source": source},
    )


def _served_by(request: SignedInRequest, case: Case) -> NeedSource | None:
    """`?visit=<code>` or `?accompaniment=<code>`: the record the new need is linked to
    (the visits app resolves it, caseworks.extensions.plan.register_need_source)."""
    for kind in ("visit", "accompaniment"):
        value = request.GET.get(kind, "")
        if value.isascii() and len(value) == 36:
            source = services.need_source(case=case, kind=kind, code=value)
            if source is not None:
                return source
    return None


@role_required(*CASE_ROLES)
def need_edit(request: SignedInRequest, code: str, need_code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    need = need_get_for_case(case=case, code=need_code)
    form = NeedForm(
        request.POST or None,
        case=case,
        instance=need,
        initial={"contacts": list(need.contacts.all())},
    )
    return case_form_page(
        request,
        case,
        form,
        save=lambda: form.update(services.need_update, actor=request.user, need=need),
        success=_("Need saved."),
        done=reverse("plan:plan", args=[case.code]),
        template="cases/plan/need_form.html",
        extra={"form": form, "need": need, "new": False, "served": services.need_served_by(need)},
    )


@role_required(*CASE_ROLES)
def need_finish(request: SignedInRequest, code: str, need_code: str) -> HttpResponse:
    """Mark a need reached or dropped (with a reason); `action=reopen` takes it back."""
    case = case_get_for_user(user=request.user, code=code)
    need = need_get_for_case(case=case, code=need_code)
    if request.method == "POST" and request.POST.get("action") == "reopen":
        try:
            services.need_reopen(actor=request.user, need=need)
        except ValidationError as e:
            messages.error(request, error_text(e))
        else:
            messages.success(request, _("The need is in progress again."))
        return redirect("plan:plan", code=case.code)
    form = NeedFinishForm(
        request.POST or None,
        initial={
            "status": request.GET.get("status") or NeedStatus.REACHED,
            "on": timezone.localdate(),
        },
    )
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.need_finish(
            actor=request.user,
            need=need,
            status=form.cleaned_data["status"],
            drop_reason=form.cleaned_data.get("drop_reason") or "",
            on=form.cleaned_data["on"],
        ),
        success=_("Need updated."),
        done=reverse("plan:plan", args=[case.code]),
        template="cases/plan/need_finish.html",
        extra={"form": form, "need": need},
    )


# --- special protection needs --------------------------------------------------------------------


@role_required(*CASE_ROLES)
def special_new(request: SignedInRequest, code: str, client_code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    if not special_needs_visible(case=case, user=request.user):
        raise Http404("No such page")
    person = client_get_for_case(case=case, code=client_code)
    form = SpecialNeedForm(request.POST or None, initial={"noted_on": timezone.localdate()})
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.special_need_create(
            actor=request.user, client=person, **form.changes()
        ),
        success=_("Special protection need recorded."),
        done=reverse("plan:plan", args=[case.code]),
        creates=True,
        template="cases/plan/special_form.html",
        extra={"form": form, "person": person, "new": True, "creates": True},
    )


@role_required(*CASE_ROLES)
def special_edit(request: SignedInRequest, code: str, special_code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    special = special_need_get_for_case(case=case, user=request.user, code=special_code)
    log_access(user=request.user, action="special_need.viewed", obj=case, label=case.reference)
    form = SpecialNeedForm(request.POST or None, instance=special)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: form.update(services.special_need_update, actor=request.user, special=special),
        success=_("Special protection need saved."),
        done=reverse("plan:plan", args=[case.code]),
        template="cases/plan/special_form.html",
        extra={
            "form": form,
            "person": special.client,
            "special": special,
            "new": False,
            "referral": referral_suggestion(SPECIAL_REFERRALS.get(special.kind, "other")),
        },
    )


# --- schooling, training, work -------------------------------------------------------------------


@role_required(*CASE_ROLES)
def activity_new(request: SignedInRequest, code: str, client_code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    person = client_get_for_case(case=case, code=client_code)
    form = ActivityForm(request.POST or None)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.activity_create(actor=request.user, client=person, **form.changes()),
        success=_("Recorded."),
        done=reverse("plan:plan", args=[case.code]),
        creates=True,
        template="cases/plan/activity_form.html",
        extra={"form": form, "person": person, "new": True, "creates": True},
    )


@role_required(*CASE_ROLES)
def activity_edit(request: SignedInRequest, code: str, activity_code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    activity = activity_get_for_case(case=case, code=activity_code)
    form = ActivityForm(request.POST or None, instance=activity)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: form.update(services.activity_update, actor=request.user, activity=activity),
        success=_("Saved."),
        done=reverse("plan:plan", args=[case.code]),
        template="cases/plan/activity_form.html",
        extra={"form": form, "person": activity.client, "activity": activity, "new": False},
    )


# --- the needs catalogue (admin) -----------------------------------------------------------------


@role_required(Role.ADMIN)
def category_list(request: SignedInRequest) -> HttpResponse:
    categories = NeedCategory.objects.order_by("-is_active", "order", "name")
    return render(request, "cases/plan/category_list.html", {"categories": categories})


def _category_form(request: SignedInRequest, category: NeedCategory | None = None) -> HttpResponse:
    form = NeedCategoryForm(request.POST or None, instance=category)

    def save() -> NeedCategory:
        if category is None:
            return services.category_create(actor=request.user, **form.changes())
        return form.update(services.category_update, actor=request.user, category=category)

    return form_page(
        request,
        form,
        save=save,
        success=_("Need category saved."),
        done=reverse("plan:category_list"),
        creates=category is None,
        template="cases/plan/category_form.html",
        context={"form": form, "category": category, "creating": category is None},
    )


@role_required(Role.ADMIN)
def category_new(request: SignedInRequest) -> HttpResponse:
    return _category_form(request)


@role_required(Role.ADMIN)
def category_edit(request: SignedInRequest, category_code: str) -> HttpResponse:
    return _category_form(request, category_get(code=category_code))
