"""Sending an issue: the segment's recipients go into the send queue (one Delivery row each),
and workers — `manage.py send_newsletter` from cron every minute, or the issue's page —
work it off in batches, through the house's one at-most-once queue (caseworks.ops.outbox:
claim, handed_at, sent, lease recovery; its module text says why a crash never mails anyone
twice). Rows a crash left in doubt are listed on the issue page; the coordinator can decide
to send them again (then at least once for those few).
"""

import datetime
import logging
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from caseworks import languages
from caseworks.audit.log import save_audited
from caseworks.ops.outbox import Outbox
from community import profiles
from community.models import Delivery, Issue, Subscriber
from community.newsletter_mails import issue_message

logger = logging.getLogger("community.sending")

BATCH = 20
LEASE = datetime.timedelta(minutes=10)  # a batch takes seconds; a claim older is dead
MAX_ATTEMPTS = 3  # refused by the SMTP server this often: failed
OUTBOX = Outbox(Delivery, lease=LEASE, max_attempts=MAX_ATTEMPTS, logger=logger)


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
    """Rows of dead workers: see caseworks.ops.outbox.Outbox.recover."""
    return OUTBOX.recover(lease=lease, now=now)


def _finish_issues() -> None:
    for issue in Issue.objects.filter(status=Issue.Status.SENDING):
        if not issue.deliveries.filter(
            state__in=[Delivery.State.PENDING, Delivery.State.SENDING]
        ).exists():
            issue.status = Issue.Status.SENT
            issue.sent_at = timezone.now()
            issue.save()  # history: the user who started it is already recorded


def _send_batch(ids: list[int]) -> int:
    rows = Delivery.objects.filter(id__in=ids).select_related("issue", "subscriber").order_by("id")
    connection = get_connection()

    def prepare(delivery: Delivery):
        subscriber = delivery.subscriber
        if subscriber is None or subscriber.status != Subscriber.Status.ACTIVE:
            return None  # unsubscribed meanwhile: skipped
        message = issue_message(delivery.issue, subscriber)
        message.connection = connection
        return message

    def deliver(_delivery: Delivery, message) -> None:
        message.send()

    def reconnect() -> None:
        connection.close()
        connection.open()

    try:
        connection.open()
        return OUTBOX.deliver_each(rows, prepare=prepare, deliver=deliver, after_refusal=reconnect)
    finally:
        connection.close()


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
    sent = OUTBOX.work(
        _send_batch,
        batch=batch,
        max_messages=max_messages,
        max_seconds=max_seconds,
        within=Q(issue=issue) if issue is not None else None,
        lease=lease,
    )
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
