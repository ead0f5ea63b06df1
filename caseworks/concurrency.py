"""Optimistic locking for records edited in forms: a `version` column plus a row lock."""


class ConcurrentEdit(Exception):
    """Somebody else saved the record since the form was loaded."""

    def __init__(self, *, current, changed_fields: list[str]):
        self.current = current
        self.changed_fields = changed_fields
        latest = current.history.first()
        self.changed_by = latest.history_user if latest else None
        self.changed_at = latest.history_date if latest else None
        super().__init__("concurrent edit")


def lock_versioned(obj, expected_version: int):
    """Lock the row and compare versions; call inside a transaction.

    Race: two tabs load version 3; both post. Without the row lock both could read version 3
    and both write; select_for_update makes the second wait and then see version 4.
    The error names the fields the other save changed (from the audit history).
    """
    model = type(obj)
    current = model.objects.select_for_update().get(pk=obj.pk)
    if current.version != expected_version:
        previous = current.history.filter(version=expected_version).first()
        latest = current.history.first()
        changed = []
        if previous is not None and latest is not None:
            changed = [
                str(model._meta.get_field(c.field).verbose_name)
                for c in latest.diff_against(previous).changes
            ]
        raise ConcurrentEdit(current=current, changed_fields=changed)
    return current
