"""Sign-in with a carrier's directory (OpenID Connect): the button's start, the provider's
callback and its back-channel logout (public: the provider's signed tokens are the
credential), and the administrator's set-up pages under /manage/directory/ (404 for anyone
else). The rules are caseworks.house.directory's; the protocol
caseworks.directory.protocol's."""

import uuid
from typing import cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django_otp import login as otp_login

from caseworks.access.permissions import public, role_required
from caseworks.access.roles import Role
from caseworks.audit.log import log_event
from caseworks.directory import protocol
from caseworks.directory.middleware import SESSION_KEY
from caseworks.directory.models import DirectoryDevice, DirectoryProvider
from caseworks.extensions.setup import ManageLink, register_manage_links
from caseworks.house import directory
from caseworks.house.directory_forms import MappingForm, ProviderForm
from caseworks.house.services import organisation_get
from caseworks.signin.views import _next_url
from caseworks.web.forms import error_text, form_page

FLOW = "caseworks_directory_flow"

admin_only = role_required(Role.ADMIN)


@register_manage_links
def _links() -> list[ManageLink]:
    return [
        ManageLink(
            "manage:directory_list",
            gettext_lazy("Sign-in with the carriers' directories"),
            gettext_lazy("OpenID Connect: Entra ID, Keycloak …, groups to roles and teams"),
        )
    ]


# --- sign-in ----------------------------------------------------------------------------------


def _callback_url(request: HttpRequest, provider: DirectoryProvider) -> str:
    return request.build_absolute_uri(
        reverse("directory_callback", args=[provider.organisation.code])
    )


def _refused(
    request: HttpRequest, provider: DirectoryProvider, message: str, *, status: int
) -> HttpResponse:
    return render(
        request,
        "registration/directory_refused.html",
        {"message": message, "provider": provider},
        status=status,
    )


@public(methods=["GET"])
def directory_start(request: HttpRequest, organisation_code: uuid.UUID) -> HttpResponse:
    """The button: to the provider, with state, nonce and the PKCE challenge."""
    provider = directory.enabled_provider(organisation_code=organisation_code)
    try:
        start = protocol.begin(provider, _callback_url(request, provider))
    except (protocol.DirectoryError, ImproperlyConfigured):
        return _refused(
            request,
            provider,
            _(
                "The directory of %(carrier)s cannot be reached just now. Try again later, or "
                "sign in with your Caseworks password if you have one."
            )
            % {"carrier": provider.organisation.name},
            status=503,
        )
    request.session[FLOW] = {
        "provider": str(provider.code),
        "state": start.state,
        "nonce": start.nonce,
        "verifier": start.code_verifier,
        "next": _next_url(request),
    }
    return redirect(start.url)


@public(methods=["GET"])
def directory_callback(request: HttpRequest, organisation_code: uuid.UUID) -> HttpResponse:
    """The provider sends the browser back with a code: tokens, the ID token checked, the
    account made or updated from the groups, signed in (with the provider's second factor
    when its token says so, else Caseworks' own code is asked next)."""
    provider = directory.enabled_provider(organisation_code=organisation_code)
    # Each flow once: a replayed callback (or one started elsewhere) finds nothing.
    flow = request.session.pop(FLOW, None)
    if (
        not isinstance(flow, dict)
        or flow.get("provider") != str(provider.code)
        or not constant_time_compare(request.GET.get("state", ""), flow.get("state", ""))
    ):
        return _refused(
            request,
            provider,
            _("This sign-in was not started here or was used already. Please start again."),
            status=400,
        )
    if "error" in request.GET or "code" not in request.GET:
        return _refused(
            request,
            provider,
            _("The directory did not sign you in. Please start again."),
            status=403,
        )
    try:
        signed_in = protocol.finish(
            provider,
            _callback_url(request, provider),
            code=request.GET["code"],
            code_verifier=flow["verifier"],
            nonce=flow["nonce"],
            iss=request.GET.get("iss"),
        )
    except (protocol.DirectoryError, ImproperlyConfigured) as error:
        assert provider.actor is not None
        log_event(
            user=provider.actor,
            action="directory.sign_in_refused",
            object_type="directoryprovider",
            label=provider.organisation.name,
            detail={"reason": "token", "check": str(error)[:200], "directory": str(provider.code)},
        )
        return _refused(
            request,
            provider,
            _(
                "The directory's answer could not be verified, so you are not signed in. "
                "Please start again; if this happens again, tell your administrator."
            ),
            status=403,
        )
    try:
        user = directory.directory_sign_in(
            provider=provider, claims=signed_in.claims, refresh_token=signed_in.refresh_token
        )
    except directory.Refusal as refusal:
        return _refused(request, provider, str(refusal), status=403)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    second_factor = directory.second_factor_from(provider, signed_in.claims)
    if second_factor:
        device, _created = DirectoryDevice.objects.get_or_create(
            user=user, defaults={"name": str(provider.label)[:64], "confirmed": True}
        )
        otp_login(request, device)
    request.session.save()
    row = directory.session_opened(
        identity=user.directory_identity,
        session_key=str(request.session.session_key),
        sid=str(signed_in.claims.get("sid") or ""),
        second_factor=second_factor,
        session_seconds=signed_in.session_seconds,
    )
    request.session[SESSION_KEY] = row.pk
    return redirect(flow.get("next") or "/")


@csrf_exempt  # the provider posts from its server, with a signed logout token
@public(methods=["POST"])
def directory_backchannel_logout(
    request: HttpRequest, organisation_code: uuid.UUID
) -> HttpResponse:
    provider = directory.enabled_provider(organisation_code=organisation_code)
    try:
        claims = protocol.logout_token_claims(provider, request.POST.get("logout_token", ""))
    except protocol.DirectoryError:
        return JsonResponse({"error": "invalid_request"}, status=400)
    directory.backchannel_logout(provider=provider, claims=claims)
    return HttpResponse(status=200)


# --- set-up (/manage/directory/) --------------------------------------------------------------


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


@role_required(Role.ADMIN, methods=["GET", "HEAD"])
def directory_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "manage/directory_list.html", {"organisations": directory.provider_list()}
    )


@admin_only
def directory_edit(request: HttpRequest, organisation_code: uuid.UUID) -> HttpResponse:
    organisation = organisation_get(code=organisation_code)
    provider = directory.provider_of(organisation)
    form = ProviderForm(
        request.POST or None, instance=provider or DirectoryProvider(organisation=organisation)
    )
    return form_page(
        request,
        form,
        save=lambda: directory.provider_save(
            actor=_actor(request),
            organisation=organisation,
            data=form.changes(),
            expected_version=form.cleaned_data.get("version"),
        ),
        success=_("Directory sign-in saved."),
        done=reverse("manage:directory_mappings", args=[organisation.code]),
        template="manage/directory_edit.html",
        context={
            "form": form,
            "organisation": organisation,
            "provider": provider,
            "creating": provider is None,
            "callback_url": request.build_absolute_uri(
                reverse("directory_callback", args=[organisation.code])
            ),
            "logout_url": request.build_absolute_uri(
                reverse("directory_backchannel_logout", args=[organisation.code])
            ),
        },
        creates=provider is None,
    )


@admin_only
def directory_mappings(request: HttpRequest, organisation_code: uuid.UUID) -> HttpResponse:
    """The groups and what each gives; a new one waits for a second administrator."""
    organisation = organisation_get(code=organisation_code)
    provider = directory.provider_of(organisation)
    if provider is None:  # nothing to map yet: set the directory up first
        return redirect("manage:directory_edit", organisation.code)
    here = reverse("manage:directory_mappings", args=[organisation.code])
    if request.method == "POST" and "mapping" in request.POST:
        try:
            code = uuid.UUID(request.POST["mapping"])
        except ValueError:
            raise Http404("No such mapping") from None
        mapping = directory.mapping_get(provider=provider, code=code)
        try:
            if "approve" in request.POST:
                directory.mapping_approve(actor=_actor(request), mapping=mapping)
                messages.success(request, _("Mapping approved: it counts from the next sign-in."))
            else:
                directory.mapping_remove(actor=_actor(request), mapping=mapping)
                messages.success(
                    request, _("Mapping removed: it counts no more from the next sign-in.")
                )
        except ValidationError as error:
            messages.error(request, error_text(error))
        return redirect(here)
    form = MappingForm(request.POST or None, provider=provider)
    return form_page(
        request,
        form,
        save=lambda: directory.mapping_add(
            actor=_actor(request), provider=provider, **form.cleaned_data
        ),
        success=_("Mapping added. It counts once another administrator approves it."),
        done=here,
        template="manage/directory_mappings.html",
        context={
            "form": form,
            "organisation": organisation,
            "provider": provider,
            "mappings": directory.mappings_of(provider),
            "roles": dict(Role.choices),
            "creating": True,
        },
        creates=True,
    )
