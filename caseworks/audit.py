"""Audit: saving under the acting user's name (history), and writing the access log with
dotted event codes and no personal data in `detail`."""

from caseworks.models import AccessLog


def log_access(
    *, user, action: str, obj, label: str = "", detail: dict | None = None, reason: str = ""
) -> None:
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


def save_audited(obj, actor) -> None:
    """Validate (fields and constraints) and save, recording `actor` as the history user."""
    obj.full_clean()
    obj._history_user = actor
    obj.save()
