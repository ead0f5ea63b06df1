"""What every page inside a case file needs, whichever app draws it: the header with the
household's name, the supervisor's actions and the closed-case rule. Shared by the case file's
own pages and those of visits, documents, referrals, volunteers, the plan and moving on."""

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases import services
from cases.models import Case
from cases.selectors import case_is_supervised_by, main_contact_of
from caseworks.access.dpo import is_dpo_of
from caseworks.web.forms import form_page

CLOSED = _("The case is closed: a supervisor reopens it before anything is recorded or changed.")

_Result = TypeVar("_Result")


class SignedInRequest(HttpRequest):
    """The request a role-gated view receives (caseworks.access.permissions.role_required
    lets nobody through who is not signed in): its user is a User. For the type checker."""

    user: User


def case_context(request: SignedInRequest, case: Case, **extra: Any) -> dict[str, Any]:
    """What every page inside a case file needs (the header, the supervisor's actions)."""
    can_supervise = case_is_supervised_by(case=case, user=request.user)
    return {
        "case": case,
        # The family's name in every heading under the case: entering data on the wrong
        # family is easy when pages only say "Case 2026-0012". Decrypted for display only.
        "main_contact": main_contact_of(case),
        "can_supervise": can_supervise,
        # The closed-case rule (services.case_accepts_records): templates offer recording
        # only where the service would accept it.
        "can_record": services.case_accepts_records(case),
        "may_disclose": can_supervise or is_dpo_of(request.user, case.team.organisation_id),
        **extra,
    }


def case_form_page(
    request: SignedInRequest,
    case: Case,
    *forms: Any,
    template: str,
    extra: dict[str, Any] | None = None,
    **kwargs: Any,
) -> HttpResponse:
    """A form page inside a case file, for every app (caseworks.web.forms.form_page with the
    case's header): on a closed case the page is read-only with the reason, whether it
    creates or edits a record — one rule, one behaviour (services refuse it all the same)."""
    return form_page(
        request,
        *forms,
        template=template,
        context=case_context(request, case, **(extra or {})),
        read_only=None if services.case_accepts_records(case) else str(CLOSED),
        **kwargs,
    )


def with_data(service: Callable[..., _Result], /, **bound: Any) -> Callable[..., _Result]:
    """An update service that takes the form's fields as one `data` dict
    (`case_update(*, actor, case, expected_version, data)`), called the way
    VersionedForm.update calls services (the fields as keywords):
    `form.update(with_data(services.case_update, actor=user, case=case))`."""

    def call(*, expected_version: int, **data: Any) -> _Result:
        return service(**bound, expected_version=expected_version, data=data)

    return call


# Stand-ins for the codes a URL is made with: UUIDs, as the URL patterns take (<uuid:…>).
_SLOTS = (uuid.UUID(int=0xC0DE0), uuid.UUID(int=0xC0DE1))


def url_maker(name: str, /, *fixed: Any, varying: int = 1) -> Callable[..., str]:
    """reverse() once, then string formatting, for a page that links each of many entries
    (the case file's timeline, the week): `visit_url = url_maker("case_visits:visit_detail",
    case.code)`, then `visit_url(visit.code)` an entry. The `varying` arguments given later
    are codes (UUIDs: nothing in them to quote). Nothing is kept beyond the maker itself: made
    where a page is drawn, it serves that page (one request, one user) only."""
    slots = _SLOTS[:varying]
    pattern = reverse(name, args=[*fixed, *slots]).replace("{", "{{").replace("}", "}}")
    for position, slot in enumerate(slots):
        pattern = pattern.replace(str(slot), f"{{{position}}}")

    def make(*codes: Any) -> str:
        return pattern.format(*codes)

    return make
