"""The one send queue for messages that leave the house: the newsletter's mails
(community.sending) and the clients' reminders by SMS and e-mail (referrals.reminders). A row
per message in the app's own table (fields: state, attempts, claimed_at, handed_at, sent_at,
error); this module moves the rows, the app says what a row's message is and hands it over.

Delivery is AT MOST ONCE, and the crash window is one message wide:
1. claim: a short transaction moves up to `batch` pending rows to `sending` (claimed_at);
2. per row: `handed_at` is committed, then the message goes to the carrier (the SMTP server,
   the SMS gateway), then `sent` is committed at once;
3. a worker that dies leaves its claimed rows in `sending`. Once their claim is older than
   the lease, the next worker puts rows without `handed_at` back to pending (they never
   reached the carrier) and marks the one row with `handed_at` but no `sent_at` as failed
   ("interrupted"): the carrier may or may not have taken it, and sending it again could
   reach that person twice.
So a crash costs at most one possibly-missing message per dead worker and never a duplicate.

A carrier that refused a message (`Refused`, or any error the deliver function raises before
the carrier took it) leaves the row to be tried again, up to `max_attempts`; one whose answer
did not come (`Unknown`: a time-out after the request went out) fails the row like an
interrupted one — it may have gone out.
"""

import datetime
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

PENDING, SENDING, SENT, FAILED, SKIPPED = "pending", "sending", "sent", "failed", "skipped"
INTERRUPTED = "interrupted: delivery unknown"


class Unknown(Exception):
    """The carrier's answer did not come after the message went out: it may have been sent.
    The row fails as interrupted and is not tried again (at most once)."""


@dataclass(frozen=True)
class Outbox:
    """The queue over one model's rows (community.Delivery, referrals.Reminder)."""

    model: type[models.Model]
    lease: datetime.timedelta
    max_attempts: int
    logger: logging.Logger

    @property
    def rows(self) -> Any:
        return self.model._default_manager

    def recover(
        self, *, lease: datetime.timedelta | None = None, now: datetime.datetime | None = None
    ) -> int:
        """Rows of dead workers (claimed longer ago than the lease): back to pending if never
        handed to the carrier, else failed as interrupted (see the module's text)."""
        now = now or timezone.now()
        lease = self.lease if lease is None else lease
        stale = self.rows.filter(state=SENDING, claimed_at__lte=now - lease)
        with transaction.atomic():
            doubtful = stale.filter(handed_at__isnull=False).update(state=FAILED, error=INTERRUPTED)
            stale.filter(handed_at__isnull=True).update(state=PENDING, claimed_at=None)
        if doubtful:
            self.logger.warning("%s queued message(s) interrupted mid-send: not resent", doubtful)
        return doubtful

    def claim(self, limit: int, within: Q | None = None, *, tried: Iterable[int] = ()) -> list[int]:
        """Up to `limit` pending rows (of those `within` picks, but none of `tried`) for this
        worker."""
        with transaction.atomic():
            queue = self.rows.filter(state=PENDING)
            if within is not None:
                queue = queue.filter(within)
            tried = list(tried)
            if tried:
                queue = queue.exclude(id__in=tried)
            ids = list(queue.order_by("id").values_list("id", flat=True)[:limit])
            if not ids:
                return []
            # Only rows still pending are taken: another worker's claim in between wins.
            self.rows.filter(id__in=ids, state=PENDING).update(
                state=SENDING, claimed_at=timezone.now()
            )
            return list(self.rows.filter(id__in=ids, state=SENDING).values_list("id", flat=True))

    def skip(self, pk: int, error: str = "") -> None:
        self.rows.filter(pk=pk).update(state=SKIPPED, error=error[:200])

    def hand_over(self, row: Any) -> None:
        """Committed right before the message goes to the carrier (step 2)."""
        now = timezone.now()
        self.rows.filter(pk=row.pk).update(handed_at=now, claimed_at=now, attempts=row.attempts + 1)

    def mark_sent(self, pk: int, **fields: Any) -> None:
        self.rows.filter(pk=pk).update(state=SENT, sent_at=timezone.now(), error="", **fields)

    def refused(self, row: Any, error: BaseException) -> None:
        """The carrier did not take it: pending again, or failed after max_attempts. The error
        is named by its type only (never an address or a text)."""
        if isinstance(error, Unknown):
            self.rows.filter(pk=row.pk).update(state=FAILED, error=INTERRUPTED)
            self.logger.warning("queued message in doubt (%s): not sent again", error)
            return
        failed = row.attempts + 1 >= self.max_attempts
        self.rows.filter(pk=row.pk).update(
            state=FAILED if failed else PENDING, handed_at=None, error=type(error).__name__[:200]
        )
        self.logger.warning("queued message refused (%s)", type(error).__name__)

    def deliver_each(
        self,
        rows: Iterable[Any],
        *,
        prepare: Callable[[Any], Any],
        deliver: Callable[[Any, Any], dict[str, Any] | None],
        after_refusal: Callable[[], None] | None = None,
    ) -> int:
        """Steps 2 and 3 for claimed rows: `prepare(row)` -> the message, or None to skip the
        row; `deliver(row, message)` hands it to the carrier and returns fields to store with
        `sent` (the provider's message id) or raises. Returns the number sent."""
        sent = 0
        for row in rows:
            message = prepare(row)
            if message is None:
                self.skip(row.pk)
                continue
            self.hand_over(row)
            try:
                stored = deliver(row, message)
            except Exception as error:  # refused, connection lost, or no answer
                self.refused(row, error)
                if after_refusal is not None:
                    after_refusal()
                continue
            self.mark_sent(row.pk, **(stored or {}))
            sent += 1
        return sent

    def work(
        self,
        send_batch: Callable[[list[int]], int],
        *,
        batch: int,
        max_messages: int | None = None,
        max_seconds: float | None = None,
        within: Q | None = None,
        lease: datetime.timedelta | None = None,
    ) -> int:
        """Claim and send batches (send_batch(ids) -> number sent) until the queue is empty
        or a limit is reached. Returns the number sent. A row refused in this run waits for
        the next run (cron, a minute later) rather than being tried again at once."""
        self.recover(lease=lease)
        started = time.monotonic()
        sent = 0
        tried: set[int] = set()
        while True:
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                break
            limit = batch if max_messages is None else min(batch, max_messages - sent)
            if limit <= 0:
                break
            ids = self.claim(limit, within, tried=tried)
            if not ids:
                break
            tried.update(ids)
            sent += send_batch(ids)
        return sent
