"""Who is the data protection officer: a permission held explicitly, never implied by being
a superuser (the administrator manages accounts, not case content)."""

from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import Q

CODENAME = "data_protection"


def is_data_protection_officer(user: Any) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    cached: bool | None = getattr(user, "_caseworks_dpo", None)
    if cached is None:
        cached = Permission.objects.filter(
            Q(user=user) | Q(group__user=user),
            codename=CODENAME,
            content_type__app_label="caseworks",
        ).exists()
        user._caseworks_dpo = cached
    return cached
