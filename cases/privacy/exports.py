"""The Art. 15 disclosure PDF, built in the background (cases.models.DisclosureExport).

The page records the request (who asked for whom); `manage.py build_disclosures`, started
every minute by its timer and polling while it runs, builds the PDF outside any request, so
no gunicorn worker waits for WeasyPrint; the requester's page refreshes until the PDF is
ready and then offers it. Downloading checks the requester's rights again, logs the
disclosure (once: a build that failed is no disclosure) and deletes the row with its PDF.
"""

import datetime
import logging
import time

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, override

from cases.models import Client, DisclosureExport
from cases.models.disclosure import KEEP_DAYS
from cases.privacy.pdf import disclosure_pdf
from caseworks.audit.dataprotection import disclosure
from caseworks.audit.log import log_access

logger = logging.getLogger("cases.privacy.exports")

# A build takes seconds, under load under a minute; a claim older than this is a dead worker's.
LEASE = datetime.timedelta(minutes=30)
POLL_SECONDS = 1.0


def disclosure_pdf_bytes(person: Client) -> bytes:
    return disclosure_pdf(disclosure(person))


def export_request(*, actor: User, person: Client) -> DisclosureExport:
    """One export in progress per requester and person: asking again while it is being
    built (a double click, a reload) gives the same one."""
    with transaction.atomic():
        waiting = DisclosureExport.objects.filter(
            person=person,
            requested_by=actor,
            status__in=[DisclosureExport.Status.PENDING, DisclosureExport.Status.BUILDING],
        ).first()
        if waiting is not None:
            return waiting
        return DisclosureExport.objects.create(
            person=person, requested_by=actor, language=get_language() or settings.LANGUAGE_CODE
        )


def _claim(now: datetime.datetime) -> DisclosureExport | None:
    """The oldest waiting export (or one a dead worker left), moved to `building`. Two
    workers may race for it: only the one whose conditional UPDATE changed the row builds."""
    claimable = Q(status=DisclosureExport.Status.PENDING) | Q(
        status=DisclosureExport.Status.BUILDING, started_at__lt=now - LEASE
    )
    for pk in (
        DisclosureExport.objects.filter(claimable)
        .order_by("requested_at", "pk")
        .values_list("pk", flat=True)[:5]
    ):
        if (
            DisclosureExport.objects.filter(claimable, pk=pk).update(
                status=DisclosureExport.Status.BUILDING, started_at=now
            )
            == 1
        ):
            return DisclosureExport.objects.select_related("person").get(pk=pk)
    return None


def export_build_next(*, now: datetime.datetime | None = None) -> DisclosureExport | None:
    """Build one waiting export; None when nothing waits. Runs outside any transaction: the
    database's write lock is held only for the claim and for storing the PDF."""
    export = _claim(now or timezone.now())
    if export is None:
        return None
    try:
        with override(export.language):
            pdf = disclosure_pdf_bytes(export.person)
    except Exception as error:
        # The type only: a message could quote the person's data.
        logger.error("disclosure export %s failed (%s)", export.code, type(error).__name__)
        DisclosureExport.objects.filter(pk=export.pk).update(
            status=DisclosureExport.Status.FAILED, finished_at=timezone.now()
        )
        export.status = DisclosureExport.Status.FAILED
        return export
    export.pdf = pdf
    export.status = DisclosureExport.Status.READY
    export.finished_at = timezone.now()
    # An UPDATE, not save(): the row may have been deleted meanwhile (the person erased).
    DisclosureExport.objects.filter(pk=export.pk).update(
        pdf=export.pdf, status=export.status, finished_at=export.finished_at
    )
    return export


def export_take(*, export: DisclosureExport, actor: User, label: str) -> bytes | None:
    """The ready PDF, handed out once: logged (label: the case reference), and the row with
    its PDF deleted, in one transaction. None when it is not (or no longer) there."""
    with transaction.atomic():
        # The race: two downloads of one export at once (a double click); one gets it.
        row = (
            DisclosureExport.objects.select_for_update()
            .filter(pk=export.pk, status=DisclosureExport.Status.READY)
            .first()
        )
        if row is None or row.pdf is None:
            return None
        pdf = bytes(row.pdf)
        log_access(user=actor, action="client.disclosure.pdf", obj=row.person, label=label)
        row.delete()
    return pdf


def purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Exports not downloaded within KEEP_DAYS (and failed ones) are deleted with their PDF."""
    deleted, _by_model = DisclosureExport.objects.filter(
        requested_at__lt=(now or timezone.now()) - datetime.timedelta(days=KEEP_DAYS)
    ).delete()
    return deleted


def work(*, max_seconds: float, poll_seconds: float = POLL_SECONDS) -> int:
    """The worker: build what waits, then the exports as they come until max_seconds have
    passed (then the next run of the timer takes over). Returns the number built."""
    purge_expired()
    started = time.monotonic()
    built = 0
    while True:
        export = export_build_next()
        if export is not None and export.status == DisclosureExport.Status.READY:
            built += 1
        if time.monotonic() - started >= max_seconds:
            return built
        if export is None:
            time.sleep(poll_seconds)
