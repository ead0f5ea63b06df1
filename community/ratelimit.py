"""Rate limits that hold across gunicorn workers and hosts: one counter row per key and
window in the database (community.models.RequestCounter), raised by a single conditional
UPDATE, so concurrent requests can never take more than the limit between them.

The windows are fixed (a window of an hour starts on the hour): simple and cheap, at the
price that a burst across a window's end may take up to twice the limit. Old rows are
deleted by `manage.py community_retention`.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from caseworks.fields import blind_index
from community.models import RequestCounter

KEEP = datetime.timedelta(days=1)  # counters of past windows serve nothing after this


def window_start(now: datetime.datetime, window: datetime.timedelta) -> datetime.datetime:
    seconds = int(window.total_seconds())
    stamp = int(now.timestamp())
    return datetime.datetime.fromtimestamp(stamp - stamp % seconds, tz=datetime.UTC)


def take(
    *,
    scope: str,
    key: str,
    limit: int,
    window: datetime.timedelta,
    now: datetime.datetime | None = None,
) -> bool:
    """Count one use of `key` (a client address, say) in `scope`; False once `limit` uses
    were counted in the current window. The key is stored as a keyed hash only."""
    key_fields = {
        "scope": scope,
        "key_index": blind_index(key, purpose=f"rate limit {scope}"),
        "window_start": window_start(now or timezone.now(), window),
    }
    row = RequestCounter.objects.filter(**key_fields)
    # The race: two workers counting the same key at once. The UPDATE's condition is checked
    # and the row raised in one statement, under the row's (or SQLite's) write lock.
    if row.filter(count__lt=limit).update(count=F("count") + 1):
        return True
    if row.exists():
        return False  # full
    try:
        with transaction.atomic():
            RequestCounter.objects.create(**key_fields, count=1)
        return limit >= 1
    except IntegrityError:  # another worker created the window's row first
        return bool(row.filter(count__lt=limit).update(count=F("count") + 1))


def purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the counters of windows that ended more than KEEP ago."""
    deleted, _by_model = RequestCounter.objects.filter(
        window_start__lt=(now or timezone.now()) - KEEP
    ).delete()
    return deleted
