"""Which carrier a DPO's page is about: the one its URL names, if the user is its DPO, else
404 (another carrier's DPO, anyone else). Shared by the access log, the retention pages and
the person search (cases.privacy.views)."""

import uuid
from typing import Any

from django.http import Http404

from caseworks.access.dpo import dpo_organisation_ids
from caseworks.models import Organisation


def organisation_for_dpo(user: Any, code: str) -> Organisation:
    """The carrier `code` names, if `user` is its DPO; 404 for every other carrier."""
    try:
        uuid.UUID(str(code))
    except ValueError:
        raise Http404("Not a carrier") from None
    organisation = Organisation.objects.filter(code=code, pk__in=dpo_organisation_ids(user)).first()
    if organisation is None:
        raise Http404("Not this DPO's carrier")
    return organisation


def carriers_of_dpo(user: Any) -> list[Organisation]:
    """The carriers `user` serves as DPO, by name."""
    return list(Organisation.objects.filter(pk__in=dpo_organisation_ids(user)).order_by("name"))
