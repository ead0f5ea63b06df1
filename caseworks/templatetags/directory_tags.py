"""The sign-in page's buttons for the carriers' directories (caseworks.house.directory)."""

from typing import Any

from django import template

from caseworks.house.directory import enabled_providers

register = template.Library()


@register.inclusion_tag("registration/directory_buttons.html")
def directory_buttons(next_url: str = "") -> dict[str, Any]:
    return {"providers": list(enabled_providers()), "next": next_url}
