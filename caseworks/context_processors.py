"""The navigation: each role sees the entries it may use, nothing else (caseworks.access.permissions
holds the table)."""

from typing import Any

from django.http import HttpRequest

from caseworks.access.permissions import navigation_for, roles_and_capabilities


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": frozenset()}
    return {"nav_items": navigation_for(user), "user_roles": roles_and_capabilities(user)}
