"""The navigation: each role sees the entries it may use, nothing else (caseworks.access.permissions
holds the table). The approvals entry says how many requests wait for this user."""

from typing import Any

from django.http import HttpRequest

from caseworks.access.permissions import navigation_for, roles_and_capabilities
from caseworks.house.services import request_list_for

REQUESTS = "requests"  # the key of the approvals entry (caseworks.access.permissions.PAGES)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": frozenset()}
    items = navigation_for(user)
    if any(key == REQUESTS for _url, _label, key in items):
        # One count, only for the administrators and DPOs who have the entry.
        waiting = request_list_for(actor=user).count()
        if waiting:
            items = [
                (url, f"{label} ({waiting})" if key == REQUESTS else label, key)
                for url, label, key in items
            ]
    return {"nav_items": items, "user_roles": roles_and_capabilities(user)}
