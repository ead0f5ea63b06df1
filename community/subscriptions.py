"""Newsletter subscriptions: double opt-in for outside people, opt-in on a volunteer's own
page, unsubscribing (one click, no sign-in). Every step writes a Consent row (the proof).

No enumeration: subscribe_request() does the same work for a new, a pending, an active and an
unsubscribed address (it queues the request, one row, without looking the address up), so
neither the page's answer nor its time differs; the worker (`manage.py send_newsletter`,
every minute) looks the address up and mails it when there is something to confirm. Only
the mailbox differs.
"""

import datetime
import hashlib
import logging
import secrets

from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from caseworks.fields import blind_index
from community import consent, newsletter_mails, profiles
from community.models import Consent, Subscriber, SubscribeRequest

logger = logging.getLogger("community.subscriptions")

CONFIRM_DAYS = 7  # a confirmation link works this long
RESEND_AFTER = datetime.timedelta(minutes=10)  # no mail bombing through the public page
UNSUBSCRIBE_SALT = "community.unsubscribe"


def email_index(address: str) -> str:
    return blind_index(address, purpose="subscriber-email")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unsubscribe_token(subscriber: Subscriber) -> str:
    """The credential of the unsubscribe link (no expiry: old newsletters must keep working)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscriber.code))


def subscriber_for_unsubscribe_token(token: str) -> Subscriber | None:
    try:
        code = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Subscriber.objects.filter(code=code).first()


def source_index(source: str) -> str:
    return blind_index(source, purpose="consent-source") if source else ""


def _record(
    subscriber: Subscriber,
    action: str,
    *,
    channel: str,
    source: str = "",
    index: str = "",
    at: datetime.datetime | None = None,
) -> None:
    language = subscriber.language or get_language() or "de"
    Consent.objects.create(
        subscriber=subscriber,
        action=action,
        text_version=consent.CURRENT_VERSION,
        text_sha256=consent.consent_text_sha256(language),
        language=language,
        interests=list(subscriber.interests or []),
        source_index=index or source_index(source),
        channel=channel,
        at=at or timezone.now(),
    )


def subscribe_request(
    *, email: str, interests: list[str], language: str, base_url: str, source: str = ""
) -> None:
    """The public page: queue the request. The same one INSERT for every address; the
    address's state is not even read here (community.subscriptions' module text)."""
    SubscribeRequest.objects.create(
        email=email,
        interests=interests,
        language=language,
        base_url=base_url,
        source_index=source_index(source),
    )


def subscribe_requests_work(*, limit: int | None = None) -> int:
    """Work off queued requests (the worker): each is deleted in the transaction that acts
    on it, so it is acted on once. Returns how many were worked off."""
    done = 0
    while limit is None or done < limit:
        with transaction.atomic():
            queued = (
                SubscribeRequest.objects.select_for_update(skip_locked=True).order_by("pk").first()
            )
            if queued is None:
                break
            queued.delete()
            confirm = _subscribe(queued)
        done += 1
        if confirm is None:
            continue
        # Mailed once the request's rows are committed (a mail for a rolled-back one would
        # carry a dead link); a mail lost now is made up by the next request for the address.
        subscriber, token = confirm
        try:
            newsletter_mails.send_confirmation(subscriber, token, queued.base_url)
        except Exception as error:
            logger.warning("confirmation mail not sent (%s)", type(error).__name__)
    return done


def _subscribe(queued: SubscribeRequest) -> tuple[Subscriber, str] | None:
    """A confirmation mail for a new (or formerly unsubscribed) address, a fresh one for a
    pending address (at most every RESEND_AFTER), nothing for an address already subscribed
    (it must not receive anything unasked)."""
    index = email_index(queued.email)
    now = timezone.now()
    subscriber = Subscriber.objects.select_for_update().filter(email_index=index).first()
    if subscriber is not None and subscriber.status == Subscriber.Status.ACTIVE:
        return None
    if (
        subscriber is not None
        and subscriber.status == Subscriber.Status.PENDING
        and subscriber.confirm_sent_at
        and now - subscriber.confirm_sent_at < RESEND_AFTER
    ):
        return None
    if subscriber is None:
        subscriber = Subscriber(email_index=index)
    token = secrets.token_urlsafe(32)
    subscriber.email = queued.email
    subscriber.status = Subscriber.Status.PENDING
    subscriber.language = queued.language
    subscriber.interests = queued.interests
    subscriber.confirm_token_hash = _hash(token)
    subscriber.confirm_sent_at = now
    subscriber.unsubscribed_at = None
    try:
        with transaction.atomic():
            subscriber.save()
    except IntegrityError:  # the same address at the same moment: one row is enough
        return None
    _record(
        subscriber,
        Consent.Action.REQUESTED,
        channel="public page",
        index=queued.source_index,
        at=queued.requested_at,
    )
    return subscriber, token


def subscriber_for_confirm_token(token: str) -> Subscriber | None:
    subscriber = Subscriber.objects.filter(confirm_token_hash=_hash(token)).first()
    if subscriber is None or subscriber.status != Subscriber.Status.PENDING:
        return None
    sent = subscriber.confirm_sent_at
    if sent is None or timezone.now() - sent > datetime.timedelta(days=CONFIRM_DAYS):
        return None
    return subscriber


@transaction.atomic
def subscription_confirm(*, token: str, source: str = "") -> Subscriber | None:
    subscriber = subscriber_for_confirm_token(token)
    if subscriber is None:
        return None
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    subscriber.status = Subscriber.Status.ACTIVE
    subscriber.confirmed_at = timezone.now()
    subscriber.confirm_token_hash = ""
    subscriber.save()
    _record(subscriber, Consent.Action.CONFIRMED, channel="mail link", source=source)
    return subscriber


@transaction.atomic
def volunteer_opt_in(*, user: User, interests: list[str], language: str) -> Subscriber:
    """An active volunteer subscribes on their own page: signed in, so no second step."""
    if not profiles.is_active_volunteer(user):
        raise ValidationError(_("Only active volunteers can subscribe here."))
    address = profiles.volunteer_email(user)
    if not address:
        raise ValidationError(_("There is no e-mail address for you in the register."))
    index = email_index(address)
    subscriber = (
        Subscriber.objects.select_for_update().filter(user=user).first()
        or Subscriber.objects.select_for_update().filter(email_index=index).first()
        or Subscriber(email_index=index)
    )
    subscriber.user = user
    subscriber.email = address
    subscriber.email_index = index
    subscriber.status = Subscriber.Status.ACTIVE
    subscriber.language = language
    subscriber.interests = interests
    subscriber.confirm_token_hash = ""
    subscriber.confirmed_at = timezone.now()
    subscriber.unsubscribed_at = None
    subscriber._history_user = user  # type: ignore[attr-defined]
    subscriber.save()
    _record(subscriber, Consent.Action.GIVEN, channel="volunteer page")
    return subscriber


@transaction.atomic
def unsubscribe(*, subscriber: Subscriber, channel: str, actor: User | None = None) -> None:
    """Withdraw consent: the address is erased at once; the blind index and the consent rows
    stay as proof (docs/newsletter.md). Idempotent."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return
    subscriber.status = Subscriber.Status.UNSUBSCRIBED
    subscriber.unsubscribed_at = timezone.now()
    subscriber.email = None
    subscriber.confirm_token_hash = ""
    if actor is not None:
        subscriber._history_user = actor  # type: ignore[attr-defined]
    subscriber.save()
    _record(subscriber, Consent.Action.WITHDRAWN, channel=channel)
    # Queued mails of an issue being sent are skipped from now on (community.sending).


def purge_unconfirmed(*, now: datetime.datetime | None = None) -> int:
    """Requests never confirmed are deleted after CONFIRM_DAYS (with their consent rows): an
    address someone typed without its owner's consent is not kept."""
    now = now or timezone.now()
    stale = Subscriber.objects.filter(
        status=Subscriber.Status.PENDING,
        confirmed_at__isnull=True,
        confirm_sent_at__lt=now - datetime.timedelta(days=CONFIRM_DAYS),
    )
    count = stale.count()
    for subscriber in stale:
        subscriber.delete()
    # Requests no worker took (none ran): their addresses are not kept either.
    SubscribeRequest.objects.filter(
        requested_at__lt=now - datetime.timedelta(days=CONFIRM_DAYS)
    ).delete()
    return count


PROOF_YEARS = 3  # § 195 BGB: the regular limitation period for claims about the mails


def purge_withdrawn(*, now: datetime.datetime | None = None) -> int:
    """Proof of a withdrawn consent is kept PROOF_YEARS after the withdrawal (Art. 17 (3) e
    DSGVO: defence of legal claims), then the row and its consent rows are deleted."""
    now = now or timezone.now()
    old = Subscriber.objects.filter(
        status=Subscriber.Status.UNSUBSCRIBED,
        unsubscribed_at__lt=now - datetime.timedelta(days=365 * PROOF_YEARS),
    )
    count = old.count()
    for subscriber in old:
        subscriber.delete()
    return count
