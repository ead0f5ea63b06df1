"""The persons of a case: their data, residence status history and reference numbers."""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from cases.models import Case, Client, ClientReference, ResidenceStatus
from cases.services.guard import guard_open_case, require_open
from caseworks.audit.log import save_audited
from caseworks.web.concurrency import versioned_update

CLIENT_FIELDS = (
    "relationship",
    "first_name",
    "last_name",
    "birth_date",
    "phone",
    "email",
    "gender",
    "nationality",
    "languages",
    "languages_other",  # only an import sets it (the form offers the catalogue)
    "interpreter_needed",
)

STATUS_FIELDS = (
    "kind",
    "fiction_subtype",
    "document_number",
    "valid_from",
    "valid_until",
    "issuing_authority",
)

REFERENCE_FIELDS = ("kind", "number", "valid_until")


def only(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a form's data: a create cannot reach a field the service did not
    name (as versioned_update for an edit)."""
    return {k: v for k, v in data.items() if k in fields}


@transaction.atomic
def client_create(*, actor: User, case: Case, data: dict[str, Any]) -> Client:
    require_open(case)
    client = Client(case=case, **only(data, CLIENT_FIELDS))
    save_audited(client, actor)
    return client


def client_update(
    *, actor: User, client: Client, expected_version: int, data: dict[str, Any]
) -> Client:
    return versioned_update(
        client, actor=actor, expected_version=expected_version, data=data, fields=CLIENT_FIELDS
    )


@transaction.atomic
def residence_status_add(*, actor: User, client: Client, data: dict[str, Any]) -> ResidenceStatus:
    guard_open_case(client)
    status = ResidenceStatus(client=client, **only(data, STATUS_FIELDS))
    save_audited(status, actor)
    return status


@transaction.atomic
def client_reference_save(
    *,
    actor: User,
    client: Client,
    data: dict[str, Any],
    reference: ClientReference | None = None,
    expected_version: int | None = None,
) -> ClientReference:
    """Add a reference number, or change one (a renewed passport keeps its row). A change
    names the version the user loaded: a colleague's save in between is a ConcurrentEdit,
    never silently overwritten."""
    if reference is not None:
        if expected_version is None:
            raise ValueError("changing a reference number needs the version the user loaded")
        return versioned_update(
            reference,
            actor=actor,
            expected_version=expected_version,
            data=data,
            fields=REFERENCE_FIELDS,
        )
    guard_open_case(client)
    created = ClientReference(client=client, **only(data, REFERENCE_FIELDS))
    save_audited(created, actor)
    return created
