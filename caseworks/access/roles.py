"""Roles are auth groups, created by a data migration; this module is the one place that asks."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    OFFICE = "office", _("Office")
    VOLUNTEER = "volunteer", _("Volunteer")
    COORDINATOR = "coordinator", _("Volunteer coordinator")
    ADMIN = "admin", _("Administrator")


def roles_of(user: Any) -> frozenset[str]:
    """The user's roles, cached on the user object for the rest of the request."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_caseworks_roles", None)
    if cached is None:
        names = user.groups.filter(name__in=Role.values).values_list("name", flat=True)
        cached = frozenset(names)
        user._caseworks_roles = cached
    return cached


def has_role(user: Any, role: Role | str) -> bool:
    return str(role) in roles_of(user)


def has_any_role(user: Any, *roles: Role | str) -> bool:
    return not roles_of(user).isdisjoint(str(r) for r in roles)
