"""The case plan's pages: the plan of a case (needs, special protection needs, schooling and
work, residence perspectives), its forms, and the admin's needs catalogue. Thin: scope
through selectors, write through services, render."""

import contextlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.law.perspectives import case_prompts
from cases.page import case_context
from cases.plan import services
from cases.plan.forms import (
    ActivityForm,
    NeedCategoryForm,
    NeedFinishForm,
    NeedForm,
    SpecialNeedForm,
)
from cases.plan.models import FINISHED, NeedStatus, SpecialNeedKind
from cases.plan.selectors import (
    activity_get_for_case,
    category_get,
    need_get_for_case,
    needs_for_case,
    special_need_get_for_case,
    special_needs_for_case,
    special_needs_visible,
)
from cases.selectors import case_get_for_user, client_get_for_case, open_case_get_for_user
from caseworks.access.permissions import CASE_ROLES, role_required
from caseworks.access.roles import Role
from caseworks.audit.log import log_access
from caseworks.models import Service
from caseworks.web.forms import error_text, submit
from caseworks.web.submissions import submission_seen

# Each special protection need suggests where to refer (caseworks.Service.Category).
SPECIAL_REFERRALS = {
    SpecialNeedKind.UNACCOMPANIED_MINOR: Service.Category.YOUTH_MIGRATION,
    SpecialNeedKind.PREGNANCY: Service.Category.PREGNANCY,
    SpecialNeedKind.DISABILITY: Service.Category.MIGRATION_ADULTS,
    SpecialNeedKind.SERIOUS_ILLNESS: Service.Category.MIGRATION_ADULTS,
    SpecialNeedKind.MENTAL_ILLNESS: Service.Category.PSYCHOSOCIAL,
    SpecialNeedKind.TORTURE_TRAUMA: Service.Category.PSYCHOSOCIAL,
    SpecialNeedKind.TRAFFICKING: Service.Category.WOMEN,
    SpecialNeedKind.GENDER_VIOLENCE: Service.Category.WOMEN,
    SpecialNeedKind.LGBTIQ: Service.Category.ANTIDISCRIMINATION,
    SpecialNeedKind.ELDERLY: Service.Category.MIGRATION_ADULTS,
    SpecialNeedKind.SINGLE_PARENT: Service.Category.MIGRATION_ADULTS,
}


def referral_suggestions(categories) -> dict:
    """For each directory category: its label and up to three active services, for the
    referral shortcuts (one query for all of them)."""
    categories = set(categories)
    found: dict = {
        c: {
            "category": c,
            "label": Service.Category(c).label if c in Service.Category.values else "",
            "services": [],
        }
        for c in categories
    }
    services = (
        Service.objects.filter(category__in=categories, is_active=True)
        .order_by("name")
        .only("name", "code", "category")
    )
    for service in services:
        if len(found[service.category]["services"]) < 3:
            found[service.category]["services"].append(service)
    return found


def referral_suggestion(category: str) -> dict:
    return referral_suggestions([category])[category]


def plan_context(case, *, user, today=None) -> dict:
    """What the plan panel and the plan page show: needs (open first), each person's special
    protection needs (for those who may see them), their schooling and work, and the
    residence perspectives the data suggests."""
    today = today or timezone.localdate()
    needs = list(needs_for_case(case))
    needs.sort(key=lambda n: (n.status in FINISHED, n.due_on is None, n.due_on or today))
    specials = special_needs_for_case(case=case, user=user)
    wanted = {SPECIAL_REFERRALS.get(s.kind, "other") for s in specials}
    suggestions = referral_suggestions(wanted | {Service.Category.ASYLUM_COUNSELLING})
    for special in specials:
        special.referral = suggestions[SPECIAL_REFERRALS.get(special.kind, "other")]
    prompts = case_prompts(case, today)
    referral_for_prompts = suggestions[Service.Category.ASYLUM_COUNSELLING]
    return {
        "needs": needs,
        "open_needs": [n for n in needs if not n.is_finished],
        "special_needs": specials,
        "may_see_special": special_needs_visible(case=case, user=user),
        "prompts": prompts,
        "prompt_referral": referral_for_prompts,
        "today": today,
    }


@role_required(*CASE_ROLES)
def plan(request, code):
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


def _need_data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


@role_required(*CASE_ROLES)
def need_new(request, code):
    case = open_case_get_for_user(user=request.user, code=code)
    if (already := submission_seen(request)) is not None:
        return already
    source = _served_by(request, case)
    initial = {"status": NeedStatus.OPEN}
    if client_code := request.GET.get("client"):
        with contextlib.suppress(Http404, ValidationError, ValueError):
            initial["client"] = client_get_for_case(case=case, code=client_code)
    form = NeedForm(request.POST or None, case=case, initial=initial)

    def save():
        need = services.need_create(actor=request.user, case=case, **_need_data(form))
        if source is not None:
            services.need_link_source(actor=request.user, need=need, source=source)
        return need

    saved = submit(
        request,
        save,
        form,
        success=_("Need recorded."),
        creates=lambda need: reverse("plan:need_edit", args=[case.code, need.code]),
    )
    if saved:
        if source is not None:
            return redirect(source.back)
        return redirect("plan:plan", code=case.code)
    return render(
        request,
        "cases/plan/need_form.html",
        case_context(request, case, form=form, new=True, creates=True, source=source),
    )


def _served_by(request, case):
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
def need_edit(request, code, need_code):
    case = case_get_for_user(user=request.user, code=code)
    need = need_get_for_case(case=case, code=need_code)
    form = NeedForm(
        request.POST or None,
        case=case,
        instance=need,
        initial={"contacts": list(need.contacts.all())},
    )
    if not case.is_closed and submit(
        request,
        lambda: services.need_update(
            actor=request.user,
            need=need,
            expected_version=form.cleaned_data["version"],
            **_need_data(form),
        ),
        form,
        success=_("Need saved."),
    ):
        return redirect("plan:plan", code=case.code)
    served = services.need_served_by(need)
    return render(
        request,
        "cases/plan/need_form.html",
        case_context(request, case, form=form, need=need, new=False, served=served),
    )


@role_required(*CASE_ROLES)
def need_finish(request, code, need_code):
    """Mark a need reached or dropped (with a reason); `action=reopen` takes it back."""
    case = open_case_get_for_user(user=request.user, code=code)
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
    if submit(
        request,
        lambda: services.need_finish(
            actor=request.user,
            need=need,
            status=form.cleaned_data["status"],
            drop_reason=form.cleaned_data.get("drop_reason") or "",
            on=form.cleaned_data["on"],
        ),
        form,
        success=_("Need updated."),
    ):
        return redirect("plan:plan", code=case.code)
    return render(
        request, "cases/plan/need_finish.html", case_context(request, case, form=form, need=need)
    )


# --- special protection needs --------------------------------------------------------------------


@role_required(*CASE_ROLES)
def special_new(request, code, client_code):
    case = open_case_get_for_user(user=request.user, code=code)
    if not special_needs_visible(case=case, user=request.user):
        raise Http404("No such page")
    person = client_get_for_case(case=case, code=client_code)
    if (already := submission_seen(request)) is not None:
        return already
    form = SpecialNeedForm(request.POST or None, initial={"noted_on": timezone.localdate()})
    saved = submit(
        request,
        lambda: services.special_need_create(
            actor=request.user,
            client=person,
            **{k: v for k, v in form.cleaned_data.items() if k != "version"},
        ),
        form,
        success=_("Special protection need recorded."),
        creates=lambda s: reverse("plan:special_edit", args=[case.code, s.code]),
    )
    if saved:
        return redirect("plan:plan", code=case.code)
    return render(
        request,
        "cases/plan/special_form.html",
        case_context(request, case, form=form, person=person, new=True, creates=True),
    )


@role_required(*CASE_ROLES)
def special_edit(request, code, special_code):
    case = case_get_for_user(user=request.user, code=code)
    special = special_need_get_for_case(case=case, user=request.user, code=special_code)
    log_access(user=request.user, action="special_need.viewed", obj=case, label=case.reference)
    form = SpecialNeedForm(request.POST or None, instance=special)
    if not case.is_closed and submit(
        request,
        lambda: services.special_need_update(
            actor=request.user,
            special=special,
            expected_version=form.cleaned_data["version"],
            **{k: v for k, v in form.cleaned_data.items() if k != "version"},
        ),
        form,
        success=_("Special protection need saved."),
    ):
        return redirect("plan:plan", code=case.code)
    return render(
        request,
        "cases/plan/special_form.html",
        case_context(
            request,
            case,
            form=form,
            person=special.client,
            special=special,
            new=False,
            referral=referral_suggestion(SPECIAL_REFERRALS.get(special.kind, "other")),
        ),
    )


# --- schooling, training, work -------------------------------------------------------------------


@role_required(*CASE_ROLES)
def activity_new(request, code, client_code):
    case = open_case_get_for_user(user=request.user, code=code)
    person = client_get_for_case(case=case, code=client_code)
    if (already := submission_seen(request)) is not None:
        return already
    form = ActivityForm(request.POST or None)
    saved = submit(
        request,
        lambda: services.activity_create(
            actor=request.user,
            client=person,
            **{k: v for k, v in form.cleaned_data.items() if k != "version"},
        ),
        form,
        success=_("Recorded."),
        creates=lambda a: reverse("plan:activity_edit", args=[case.code, a.code]),
    )
    if saved:
        return redirect("plan:plan", code=case.code)
    return render(
        request,
        "cases/plan/activity_form.html",
        case_context(request, case, form=form, person=person, new=True, creates=True),
    )


@role_required(*CASE_ROLES)
def activity_edit(request, code, activity_code):
    case = case_get_for_user(user=request.user, code=code)
    activity = activity_get_for_case(case=case, code=activity_code)
    form = ActivityForm(request.POST or None, instance=activity)
    if not case.is_closed and submit(
        request,
        lambda: services.activity_update(
            actor=request.user,
            activity=activity,
            expected_version=form.cleaned_data["version"],
            **{k: v for k, v in form.cleaned_data.items() if k != "version"},
        ),
        form,
        success=_("Saved."),
    ):
        return redirect("plan:plan", code=case.code)
    return render(
        request,
        "cases/plan/activity_form.html",
        case_context(
            request, case, form=form, person=activity.client, activity=activity, new=False
        ),
    )


# --- the needs catalogue (admin) -----------------------------------------------------------------


@role_required(Role.ADMIN)
def category_list(request):
    from cases.plan.models import NeedCategory

    categories = NeedCategory.objects.order_by("-is_active", "order", "name")
    return render(request, "cases/plan/category_list.html", {"categories": categories})


def _category_form(request, category=None):
    creating = category is None
    form = NeedCategoryForm(request.POST or None, instance=category)

    def save():
        data = dict(form.cleaned_data)
        if creating:
            return services.category_create(actor=request.user, **data)
        return services.category_update(actor=request.user, category=category, **data)

    saved = submit(
        request,
        save,
        form,
        success=_("Need category saved."),
        creates=(lambda c: reverse("plan:category_edit", args=[c.pk])) if creating else None,
    )
    if saved:
        return redirect("plan:category_list")
    return render(
        request,
        "cases/plan/category_form.html",
        {"form": form, "category": category, "creating": creating},
    )


@role_required(Role.ADMIN)
def category_new(request):
    return _category_form(request)


@role_required(Role.ADMIN)
def category_edit(request, category_id):
    return _category_form(request, category_get(pk=category_id))
