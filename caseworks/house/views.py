"""The house setup (`/manage/`) for the administrator role: accounts, teams, organisations and
the service directory, in German, without the Django admin. Every view has one gate (the
administrator role, else 404); services in caseworks.house.services save and log."""

import uuid
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from caseworks.access.permissions import page_required, role_required, signed_in
from caseworks.access.roles import Role
from caseworks.extensions.setup import manage_links
from caseworks.house import services
from caseworks.house.forms import (
    EnrolmentCodeForm,
    OrganisationForm,
    ServiceForm,
    TeamForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
)
from caseworks.models import AccountRequest, Organisation, Service, Team
from caseworks.signin import services as signin
from caseworks.web.forms import VersionedForm, error_text, form_page

PAGE_SIZE = 50

admin_only = role_required(Role.ADMIN)


def _actor(request: HttpRequest) -> User:
    """The signed-in administrator (the gate has let only them through)."""
    return cast(User, request.user)


def _reset_url(request: HttpRequest) -> str:
    """The page where a person sets their own password with the mailed code."""
    return request.build_absolute_uri(reverse("access_reset"))


class _Outcome:
    """The message after a save that may have become a request for approval instead: read
    (str) when the message is stored, after the service ran."""

    def __init__(
        self,
        done: str,
        requested: str,
        waits: Callable[[Any], bool] = lambda result: isinstance(result, AccountRequest),
    ) -> None:
        self.done, self.requested, self.waits = done, requested, waits
        self.result: Any = None

    def keep(self, result: Any) -> Any:
        self.result = result
        return result

    def __str__(self) -> str:
        return self.requested if self.waits(self.result) else self.done


@page_required("manage:index", methods=["GET"])
def index(request: HttpRequest) -> HttpResponse:
    counts = {
        "users": services.user_list_for_manage(actor=_actor(request))
        .filter(is_active=True)
        .count(),
        "teams": Team.objects.count(),
        "organisations": Organisation.objects.count(),
        "services": Service.objects.filter(is_active=True).count(),
    }
    return render(request, "manage/index.html", {"counts": counts, "more": manage_links()})


# --- users ------------------------------------------------------------------------------------


@role_required(Role.ADMIN, methods=["GET", "HEAD"])
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    users = services.user_list_for_manage(actor=_actor(request))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        users = services.user_filter(
            users, role=data["role"], team=data["team"], active=data["active"]
        )
        if data["q"]:
            q = data["q"].strip()
            users = users.filter(
                Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
            )
    elif form.is_bound:
        users = users.none()
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    for account in page:
        account.role_labels = services.role_labels(account)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "manage/user_list.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@admin_only
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.user_create(actor=_actor(request), **form.cleaned_data),
        success=_(
            "Account created, without roles yet: another administrator approves its roles "
            "and teams; then the person gets a one-time code by e-mail to set their password "
            "and second factor."
        ),
        done=_user_url,
        template="manage/user_create.html",
        context={"form": form},
        creates=True,
    )


def _user_url(user: User) -> str:
    return reverse("manage:user_detail", args=[user.manage_code.code])


@admin_only
def user_detail(request: HttpRequest, user_code: uuid.UUID) -> HttpResponse:
    """The account: its roles and teams (the form), its sign-in state, and the actions."""
    user = services.user_get_for_manage(actor=_actor(request), code=user_code)
    form = UserEditForm(request.POST or None, user=user, actor=_actor(request))
    outcome = _Outcome(
        _("Account saved."),
        _("The change waits for a second person's approval; nothing has changed yet."),
    )
    return form_page(
        request,
        form,
        save=lambda: outcome.keep(
            form.update(services.user_update, actor=_actor(request), user=user)
        ),
        success=outcome,  # type: ignore[arg-type]  # a str when the message is stored
        done=_user_url(user),
        template="manage/user_detail.html",
        context={
            "account": user,
            "form": form,
            "has_second_factor": services.has_second_factor(user),
            "sign_in": services.sign_in_block(user),
            "is_self": user.pk == request.user.pk,
            "role_labels": services.role_labels(user),
            "pending": services.request_pending_about(user),
            "dpo_of": services.dpo_organisations(user),
        },
    )


def _user_action(
    request: HttpRequest,
    user_code: uuid.UUID,
    *,
    template: str,
    action: Callable[[User], Any],
    success: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A confirmation page (GET) and the action (POST) on one account."""
    user = services.user_get_for_manage(actor=_actor(request), code=user_code)
    if request.method == "POST":
        # Not inside a transaction: a refusal's access-log entry stays.
        try:
            result = action(user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            if isinstance(result, AccountRequest):
                messages.info(
                    request,
                    _("The change waits for a second person's approval; nothing has changed yet."),
                )
            else:
                messages.success(request, success)
        return redirect(_user_url(user))
    return render(request, template, {"account": user, **(extra or {})})


@admin_only
def user_deactivate(request: HttpRequest, user_code: uuid.UUID) -> HttpResponse:
    return _user_action(
        request,
        user_code,
        template="manage/user_deactivate.html",
        action=lambda user: services.user_set_active(
            actor=_actor(request), user=user, active=False
        ),
        success=_("Account deactivated. It can no longer sign in."),
    )


@admin_only
def user_activate(request: HttpRequest, user_code: uuid.UUID) -> HttpResponse:
    return _user_action(
        request,
        user_code,
        template="manage/user_activate.html",
        action=lambda user: services.user_set_active(actor=_actor(request), user=user, active=True),
        success=_("Account activated again."),
    )


@admin_only
def user_unlock(request: HttpRequest, user_code: uuid.UUID) -> HttpResponse:
    user = services.user_get_for_manage(actor=_actor(request), code=user_code)
    return _user_action(
        request,
        user_code,
        template="manage/user_unlock.html",
        action=lambda user: services.user_unlock(actor=_actor(request), user=user),
        success=_("Sign-in unlocked: the failed attempts are forgotten."),
        extra={"sign_in": services.sign_in_block(user)},
    )


@admin_only
def user_password(request: HttpRequest, user_code: uuid.UUID) -> HttpResponse:
    """Reset access (the old "set a password" address): the administrator never sets or
    sees a password; the person gets a one-time code by e-mail."""
    return _user_action(
        request,
        user_code,
        template="manage/user_password.html",
        action=lambda user: services.user_reset_access(
            actor=_actor(request), user=user, reset_url=_reset_url(request)
        ),
        success=_(
            "Access reset: the password and the second factor no longer work. The person got "
            "a one-time code by e-mail to set new ones."
        ),
        extra={"hours": signin.ENROLMENT_HOURS},
    )


@admin_only
def user_enrolment_code(request: HttpRequest, user_code: uuid.UUID) -> HttpResponse:
    """A new enrolment code, mailed to the person (never shown here)."""
    user = services.user_get_for_manage(actor=_actor(request), code=user_code)
    # Bound on every POST: the form's one checkbox, unticked, sends nothing.
    form = EnrolmentCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return _user_action(
            request,
            user_code,
            template="manage/enrolment_code.html",
            action=lambda user: services.user_issue_enrolment_code(
                actor=_actor(request),
                user=user,
                remove_second_factor=form.cleaned_data["remove_second_factor"],
                reset_url=_reset_url(request),
            ),
            success=_("A new enrolment code was sent to the person's e-mail address."),
        )
    return render(
        request,
        "manage/enrolment_code.html",
        {
            "account": user,
            "form": form,
            "hours": signin.ENROLMENT_HOURS,
            "has_second_factor": services.has_second_factor(user),
        },
    )


# --- requests: the second person --------------------------------------------------------------


@page_required("manage:request_list", methods=["GET", "HEAD"])
def request_list(request: HttpRequest) -> HttpResponse:
    """The requests waiting for the signed-in person's approval (an administrator's, or a
    carrier DPO's about a DPO account). Anyone else: 404."""
    actor = _actor(request)
    return render(
        request,
        "manage/request_list.html",
        {"requests": services.request_list_for(actor=actor), "is_admin": services.is_admin(actor)},
    )


@signed_in
def request_detail(request: HttpRequest, request_code: uuid.UUID) -> HttpResponse:
    """One request: approve or decline (a second person only: 404 for whoever asked, the
    account concerned and anyone who may not decide it)."""
    actor = _actor(request)
    pending = services.request_get_to_decide(actor=actor, code=request_code)
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        try:
            services.request_decide(
                actor=actor, request=pending, approve=approve, reset_url=_reset_url(request)
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request, _("Approved: the change is made.") if approve else _("Declined.")
            )
        return redirect("manage:request_list")
    return render(
        request,
        "manage/request_detail.html",
        {
            "pending": pending,
            "names": services.request_names(pending),
            "is_admin": services.is_admin(actor),
        },
    )


# --- organisations ----------------------------------------------------------------------------


@role_required(Role.ADMIN, methods=["GET", "HEAD"])
def organisation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "manage/organisation_list.html", {"organisations": services.organisation_list()}
    )


def _setup_form(
    request: HttpRequest,
    form: VersionedForm,
    service: Callable[..., Any],
    *,
    record: str,
    created: str,
    saved: str,
    done: str,
    template: str,
    requested: str = "",
    waits: Callable[[Any], bool] = lambda _result: False,
    **context: Any,
) -> HttpResponse:
    """A setup record's page, new or edited: `service(actor=…, <record>=…)` through
    VersionedForm.update (the version it was loaded at, None for a new one). `waits(result)`:
    part of the change became a request for approval (the message says `requested` then)."""
    creating = form.instance.pk is None
    outcome = _Outcome(created if creating else saved, requested, waits)
    return form_page(
        request,
        form,
        save=lambda: outcome.keep(
            form.update(service, actor=_actor(request), **{record: form.instance})
        ),
        success=outcome,  # type: ignore[arg-type]  # a str when the message is stored
        done=reverse(done),
        template=template,
        context={"form": form, record: form.instance, "creating": creating, **context},
        creates=creating,
    )


def _organisation_form(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    return _setup_form(
        request,
        OrganisationForm(
            request.POST or None,
            request.FILES or None,
            instance=organisation,
            actor=_actor(request),
        ),
        services.organisation_save,
        record="organisation",
        created=_("Organisation created."),
        saved=_("Organisation saved."),
        done="manage:organisation_list",
        template="manage/organisation_form.html",
    )


@admin_only
def organisation_create(request: HttpRequest) -> HttpResponse:
    return _organisation_form(request, Organisation())


@admin_only
def organisation_edit(request: HttpRequest, organisation_code: uuid.UUID) -> HttpResponse:
    return _organisation_form(request, services.organisation_get(code=organisation_code))


# --- teams ------------------------------------------------------------------------------------


@role_required(Role.ADMIN, methods=["GET", "HEAD"])
def team_list(request: HttpRequest) -> HttpResponse:
    return render(request, "manage/team_list.html", {"teams": services.team_list()})


def _team_form(request: HttpRequest, team: Team) -> HttpResponse:
    return _setup_form(
        request,
        TeamForm(request.POST or None, instance=team, actor=_actor(request)),
        services.team_save,
        record="team",
        created=_("Team created."),
        saved=_("Team saved."),
        requested=_(
            "Team saved. Some changes to accounts wait for a second person's approval "
            "(Requests to approve); those accounts have not changed yet."
        ),
        waits=lambda saved: bool(saved.requests),
        done="manage:team_list",
        template="manage/team_form.html",
        no_organisation=not Organisation.objects.exists(),
    )


@admin_only
def team_create(request: HttpRequest) -> HttpResponse:
    return _team_form(request, Team())


@admin_only
def team_edit(request: HttpRequest, team_code: uuid.UUID) -> HttpResponse:
    return _team_form(request, services.team_get(code=team_code))


# --- the service directory --------------------------------------------------------------------


@role_required(Role.ADMIN, methods=["GET", "HEAD"])
def service_list(request: HttpRequest) -> HttpResponse:
    return render(request, "manage/service_list.html", {"services": services.service_list()})


def _service_form(request: HttpRequest, service: Service) -> HttpResponse:
    return _setup_form(
        request,
        ServiceForm(request.POST or None, instance=service),
        services.service_save,
        record="service",
        created=_("Service created."),
        saved=_("Service saved."),
        done="manage:service_list",
        template="manage/service_form.html",
    )


@admin_only
def service_create(request: HttpRequest) -> HttpResponse:
    return _service_form(request, Service())


@admin_only
def service_edit(request: HttpRequest, service_code: uuid.UUID) -> HttpResponse:
    return _service_form(request, services.service_get(code=service_code))


def _service_active(request: HttpRequest, service_code: uuid.UUID, *, active: bool) -> HttpResponse:
    service = services.service_get(code=service_code)
    if request.method == "POST":
        services.service_set_active(actor=_actor(request), service=service, active=active)
        messages.success(
            request,
            _("Service activated again.")
            if active
            else _("Service deactivated: it is no longer offered for new entries."),
        )
        return redirect("manage:service_list")
    return render(request, "manage/service_active.html", {"service": service, "activating": active})


@admin_only
def service_deactivate(request: HttpRequest, service_code: uuid.UUID) -> HttpResponse:
    return _service_active(request, service_code, active=False)


@admin_only
def service_activate(request: HttpRequest, service_code: uuid.UUID) -> HttpResponse:
    return _service_active(request, service_code, active=True)
