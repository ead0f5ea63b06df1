"""Who is a data protection officer, and of which carrier.

Each carrier (Organisation) is a controller of its own, with its own DPO:
`Organisation.data_protection_officers` is the one source of it. A DPO reads the access log,
the disclosures (Art. 15) and the retention reports of the carriers they serve, and gets 404
on the others'. Being a DPO is never implied by being a superuser (the administrator manages
accounts, not case content). The house-wide permission `caseworks.data_protection` of earlier
versions grants nothing any more (migration caseworks 0015; the check caseworks.W020 names
accounts that still hold it).
"""

from typing import Any

from django.contrib.auth.models import Permission
from django.core import checks
from django.db import DatabaseError

from caseworks.models import Organisation

RETIRED_CODENAME = "data_protection"


def dpo_organisation_ids(user: Any) -> frozenset[int]:
    """The ids of the organisations whose DPO `user` is (empty for everyone else); read once
    per user object, i.e. once per request."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[int] | None = getattr(user, "_caseworks_dpo_of", None)
    if cached is None:
        cached = frozenset(
            Organisation.objects.filter(data_protection_officers=user).values_list("pk", flat=True)
        )
        user._caseworks_dpo_of = cached
    return cached


def is_data_protection_officer(user: Any) -> bool:
    """A DPO of at least one carrier."""
    return bool(dpo_organisation_ids(user))


def is_dpo_of(user: Any, organisation_id: int | None) -> bool:
    return organisation_id is not None and organisation_id in dpo_organisation_ids(user)


@checks.register(checks.Tags.database)
def check_retired_permission(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Accounts still holding the house-wide DPO permission: it grants nothing now; the
    migration did not guess their carrier (several organisations)."""
    if not databases:
        return []
    try:
        holders = sorted(
            Permission.objects.filter(
                codename=RETIRED_CODENAME, content_type__app_label="caseworks"
            )
            .values_list("user__username", "group__user__username")
            .distinct()
        )
    except DatabaseError:
        return []  # no database yet
    names = sorted({name for pair in holders for name in pair if name})
    if not names:
        return []
    return [
        checks.Warning(
            "These accounts hold the retired permission caseworks.data_protection, which no "
            "longer makes anyone a data protection officer: " + ", ".join(names) + ".",
            id="caseworks.W020",
            hint=(
                "Make each the DPO of their carrier (/manage/ → organisation), then remove the "
                "permission from the account or group in the Django admin."
            ),
        )
    ]
