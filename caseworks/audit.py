"""Writing the access log: one function, dotted event codes, no personal data in `detail`."""

from caseworks.models import AccessLog


def log_access(*, user, action: str, obj, label: str = "", detail: dict | None = None,
               reason: str = "") -> None:
    AccessLog.objects.create(
        user=user,
        username=user.get_username(),
        action=action,
        object_type=obj._meta.model_name,
        object_code=obj.code,
        object_label=label,
        detail=detail or {},
        reason=reason,
    )
