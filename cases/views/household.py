"""The household: its members, their personal details, residence statuses and reference
numbers."""

from typing import Any

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from cases import services
from cases.forms import ClientForm, ClientReferenceForm, ResidenceStatusForm
from cases.models import Case, Client, ClientReference
from cases.page import SignedInRequest, case_form_page, with_data
from cases.selectors import case_get_for_user, client_get_for_case, main_contact_of
from caseworks.access.permissions import CASE_ROLES, role_required


def household_defaults(case: Case) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a new household member most likely shares with the main contact: last name,
    nationality, languages and the current residence status (kind, dates, authority — not
    the document number). The user can change each."""
    main = main_contact_of(case, name_only=False)
    if main is None:
        return {}, {}
    person = {
        "last_name": main.last_name,
        "nationality": main.nationality,
        "languages": main.languages,
        "interpreter_needed": main.interpreter_needed,
    }
    status = main.current_status()
    status_initial = (
        {
            "kind": status.kind,
            "fiction_subtype": status.fiction_subtype,
            "valid_from": status.valid_from,
            "valid_until": status.valid_until,
            "issuing_authority": status.issuing_authority,
        }
        if status is not None
        else {}
    )
    return person, status_initial


@role_required(*CASE_ROLES)
def client_add(request: SignedInRequest, code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    data = request.POST if request.method == "POST" else None
    person_initial, status_initial = household_defaults(case) if data is None else ({}, {})
    client_form = ClientForm(data, prefix="client", initial=person_initial)
    status_form = ResidenceStatusForm(
        data, prefix="status", use_required_attribute=False, initial=status_initial
    )
    # The status is optional: only its form is left out when the box is not ticked.
    add_status = request.POST.get("add_status") == "1" if data else True

    def save() -> Client:
        client = services.client_create(
            actor=request.user, case=case, data=client_form.cleaned_data
        )
        if add_status:
            services.residence_status_add(
                actor=request.user, client=client, data=status_form.cleaned_data
            )
        return client

    return case_form_page(
        request,
        case,
        *((client_form, status_form) if add_status else (client_form,)),
        save=save,
        success=_("Household member added."),
        done=reverse("cases:detail", args=[case.code]),
        creates=True,
        template="cases/client_add.html",
        extra={
            "client_form": client_form,
            "status_form": status_form,
            "add_status": add_status,
            "prefilled": bool(person_initial),
        },
    )


@role_required(*CASE_ROLES)
def client_edit(request: SignedInRequest, code: str, client_code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    client = client_get_for_case(case=case, code=client_code)
    form = ClientForm(request.POST or None, instance=client, prefix="client")
    return case_form_page(
        request,
        case,
        form,
        save=lambda: form.update(
            with_data(services.client_update, actor=request.user, client=client)
        ),
        success=_("Personal details saved."),
        done=reverse("cases:detail", args=[case.code]),
        template="cases/client_edit.html",
        extra={"client": client, "form": form},
    )


@role_required(*CASE_ROLES)
def status_add(request: SignedInRequest, code: str, client_code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    client = client_get_for_case(case=case, code=client_code)
    form = ResidenceStatusForm(request.POST or None)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.residence_status_add(
            actor=request.user, client=client, data=form.cleaned_data
        ),
        success=_("Residence status recorded."),
        done=reverse("cases:detail", args=[case.code]),
        creates=True,
        template="cases/status_add.html",
        extra={
            "client": client,
            "form": form,
            "statuses": client.statuses.all(),
            "creates": True,
        },
    )


@role_required(*CASE_ROLES)
def client_references(
    request: SignedInRequest, code: str, client_code: str, reference_code: str | None = None
) -> HttpResponse:
    """A person's file and document numbers: list, add, or change one."""
    case = case_get_for_user(user=request.user, code=code)
    client = client_get_for_case(case=case, code=client_code)
    reference: ClientReference | None = None
    if reference_code is not None:
        reference = client.references.filter(code=reference_code).first()
        if reference is None:
            raise Http404("No such reference number")
    form = ClientReferenceForm(request.POST or None, instance=reference)

    def save() -> ClientReference:
        if reference is None:
            return services.client_reference_save(
                actor=request.user, client=client, data=form.changes()
            )
        return form.update(
            with_data(
                services.client_reference_save,
                actor=request.user,
                client=client,
                reference=reference,
            )
        )

    return case_form_page(
        request,
        case,
        form,
        save=save,
        success=_("Reference number saved."),
        done=reverse("cases:client_references", args=[case.code, client.code]),
        creates=reference is None,
        template="cases/client_references.html",
        extra={
            "client": client,
            "form": form,
            "reference": reference,
            "references": client.references.all(),
        },
    )
