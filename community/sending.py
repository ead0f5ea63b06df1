"""Sending an issue: the segment's recipients go into the send queue (one Delivery row each),
and workers — `manage.py send_newsletter` from cron every minute, or the issue's page —
work it off in batches.

Delivery is AT MOST ONCE, and the crash window is one message wide:
1. claim: a short transaction moves up to BATCH pending rows to `sending` (claimed_at);
2. per row: `handed_at` is committed, then the message goes to the SMTP server, then `sent`
   is committed at once;
3. a worker that dies leaves its claimed rows in `sending`. Once their claim is older than
   the lease, the next worker puts rows without `handed_at` back to pending (they never
   reached the SMTP server) and marks the one row with `handed_at` but no `sent_at` as
   failed ("interrupted"): the server may or may not have taken it, and sending it again
   could mail that person twice. The issue page lists such rows; the coordinator can
   decide to send them again (then at least once for those few).
So a crash costs at most one possibly-missing mail per dead worker and never a duplicate.
"""

import datetime
import logging
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from caseworks import languages
from caseworks.audit.log import save_audited
from community import profiles
from community.models import Delivery, Issue, Subscriber
from community.newsletter_mails import issue_message

logger = logging.getLogger("community.sending")

BATCH = 20
LEASE = datetime.timedelta(minutes=10)  # a batch takes seconds; a claim older is dead
MAX_ATTEMPTS = 3  # refused by the SMTP server this often: failed


# --- segments ------------------------------------------------------------------------------------


def recipients(issue: Issue) -> list[Subscriber]:
    """The active subscribers the issue's segment picks. Volunteers count only while active
    in the register; their languages and districts come from it. Outside subscribers have
    no district: an issue for certain districts goes to volunteers only."""
    subscribers = list(Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).order_by("pk"))
    if issue.audience == Issue.Audience.VOLUNTEERS:
        subscribers = [s for s in subscribers if s.user_id is not None]
    elif issue.audience == Issue.Audience.OUTSIDE:
        subscribers = [s for s in subscribers if s.user_id is None]
    found = profiles.profiles_by_user(s.user_id for s in subscribers if s.user_id is not None)
    wanted = list(issue.languages or ())  # codes; a Kurdish issue reaches Kurmanji speakers
    districts = set(issue.districts or ())
    interests = set(issue.interests or ())
    chosen = []
    for s in subscribers:
        profile = found.get(s.user_id) if s.user_id is not None else None
        if s.user_id is not None and (profile is None or not profile.active):
            continue  # a volunteer no longer active in the register
        if interests and not interests & set(s.interests or ()):
            continue
        if wanted:
            if profile is not None:
                spoken = set(profile.language_codes)
            else:
                own = profiles.language_code(s.language)
                spoken = {own} if own else set()
            if not any(languages.covers_any(code, spoken) for code in wanted):
                continue
        if districts and not (profile and districts & profile.districts):
            continue
        chosen.append(s)
    return chosen


# --- starting --------------------------------------------------------------------------------


@transaction.atomic
def issue_send(
    *, actor: User, issue: Issue, base_url: str, expected_recipients: int | None = None
) -> int:
    """Queue the issue for its segment; workers send it. Returns the number queued.
    `expected_recipients`: the number the coordinator confirmed; a segment that changed since
    is refused, to be confirmed again. The row lock makes a second send (a double tap, two
    tabs) wait and then find the issue sent."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.status != Issue.Status.DRAFT:
        raise ValidationError(_("This issue was already sent."))
    chosen = recipients(issue)
    if not chosen:
        raise ValidationError(_("No subscriber is in this segment."))
    if expected_recipients is not None and expected_recipients != len(chosen):
        raise ValidationError(
            _(
                "The segment changed meanwhile: it now has %(count)s recipients. Check the "
                "number and confirm again."
            )
            % {"count": len(chosen)}
        )
    issue.status = Issue.Status.SENDING
    issue.sent_by = actor
    issue.send_started_at = timezone.now()
    issue.base_url = base_url
    save_audited(issue, actor)
    Delivery.objects.bulk_create(
        [Delivery(issue=issue, subscriber=s) for s in chosen], batch_size=500
    )
    return len(chosen)


def test_send(*, issue: Issue, base_url: str, to: str, language: str) -> None:
    """The issue as a subscriber would get it, to the coordinator's own address."""
    preview = Issue(subject=issue.subject, body=issue.body, base_url=base_url or issue.base_url)
    stand_in = Subscriber(language=language)  # its unsubscribe link leads nowhere
    issue_message(preview, stand_in, to=to).send()


# --- working off the queue ---------------------------------------------------------------------


@dataclass
class Progress:
    total: int
    pending: int
    sending: int
    sent: int
    failed: int
    skipped: int

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def progress(issue: Issue) -> Progress:
    counts = dict(issue.deliveries.values_list("state").annotate(n=Count("pk")).order_by())
    return Progress(
        total=sum(counts.values()),
        pending=counts.get(Delivery.State.PENDING, 0),
        sending=counts.get(Delivery.State.SENDING, 0),
        sent=counts.get(Delivery.State.SENT, 0),
        failed=counts.get(Delivery.State.FAILED, 0),
        skipped=counts.get(Delivery.State.SKIPPED, 0),
    )


def recover(*, lease: datetime.timedelta = LEASE, now: datetime.datetime | None = None) -> int:
    """Rows of dead workers (claimed longer ago than the lease): back to pending if never
    handed to the SMTP server, else failed as interrupted (see the module's text)."""
    now = now or timezone.now()
    stale = Delivery.objects.filter(state=Delivery.State.SENDING, claimed_at__lte=now - lease)
    with transaction.atomic():
        doubtful = stale.filter(handed_at__isnull=False).update(
            state=Delivery.State.FAILED, error="interrupted: delivery unknown"
        )
        stale.filter(handed_at__isnull=True).update(state=Delivery.State.PENDING, claimed_at=None)
    if doubtful:
        logger.warning("%s queued mail(s) interrupted mid-send: not sent again", doubtful)
    return doubtful


def _claim(limit: int, issue: Issue | None) -> list[int]:
    with transaction.atomic():
        queue = Delivery.objects.filter(state=Delivery.State.PENDING)
        if issue is not None:
            queue = queue.filter(issue=issue)
        ids = list(queue.order_by("id").values_list("id", flat=True)[:limit])
        if not ids:
            return []
        # Only rows still pending are taken: another worker's claim in between wins.
        Delivery.objects.filter(id__in=ids, state=Delivery.State.PENDING).update(
            state=Delivery.State.SENDING, claimed_at=timezone.now()
        )
        return list(
            Delivery.objects.filter(id__in=ids, state=Delivery.State.SENDING).values_list(
                "id", flat=True
            )
        )


def _finish_issues() -> None:
    for issue in Issue.objects.filter(status=Issue.Status.SENDING):
        if not issue.deliveries.filter(
            state__in=[Delivery.State.PENDING, Delivery.State.SENDING]
        ).exists():
            issue.status = Issue.Status.SENT
            issue.sent_at = timezone.now()
            issue.save()  # history: the user who started it is already recorded


def _mark_sent(delivery_id: int) -> None:
    Delivery.objects.filter(pk=delivery_id).update(
        state=Delivery.State.SENT, sent_at=timezone.now(), error=""
    )


def work_queue(
    *,
    batch: int = BATCH,
    max_messages: int | None = None,
    max_seconds: float | None = None,
    issue: Issue | None = None,
    lease: datetime.timedelta = LEASE,
) -> int:
    """Send queued mails until the queue is empty or a limit is reached. Returns the number
    sent."""
    recover(lease=lease)
    started = timezone.now()
    sent = 0
    while True:
        if max_seconds is not None and (timezone.now() - started).total_seconds() > max_seconds:
            break
        limit = batch if max_messages is None else min(batch, max_messages - sent)
        if limit <= 0:
            break
        ids = _claim(limit, issue)
        if not ids:
            break
        rows = (
            Delivery.objects.filter(id__in=ids).select_related("issue", "subscriber").order_by("id")
        )
        connection = get_connection()
        try:
            connection.open()
            for delivery in rows:
                subscriber = delivery.subscriber
                if subscriber is None or subscriber.status != Subscriber.Status.ACTIVE:
                    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.SKIPPED)
                    continue
                message = issue_message(delivery.issue, subscriber)
                message.connection = connection
                now = timezone.now()
                Delivery.objects.filter(pk=delivery.pk).update(
                    handed_at=now, claimed_at=now, attempts=delivery.attempts + 1
                )
                try:
                    message.send()
                except Exception as error:  # refused or connection lost before accepted
                    # The server did not accept it: safe to try again (up to MAX_ATTEMPTS).
                    failed = delivery.attempts + 1 >= MAX_ATTEMPTS
                    Delivery.objects.filter(pk=delivery.pk).update(
                        state=Delivery.State.FAILED if failed else Delivery.State.PENDING,
                        handed_at=None,
                        error=type(error).__name__[:200],
                    )
                    logger.warning("newsletter mail refused (%s)", type(error).__name__)
                    connection.close()
                    connection.open()
                    continue
                _mark_sent(delivery.pk)
                sent += 1
        finally:
            connection.close()
    _finish_issues()
    return sent


@transaction.atomic
def resend_interrupted(*, actor: User, issue: Issue) -> int:
    """The coordinator's choice for rows a crash left in doubt: send them again."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    count = issue.deliveries.filter(
        state=Delivery.State.FAILED, error__startswith="interrupted"
    ).update(state=Delivery.State.PENDING, handed_at=None, error="")
    if count and issue.status == Issue.Status.SENT:
        issue.status = Issue.Status.SENDING
        save_audited(issue, actor)
    return count
