"""What is due, and sending it: `manage.py send_client_reminders` from cron every minute queues the
reminders due (the day before an appointment or accompaniment, and before a document
expires) and works the send queue — the house's one at-most-once queue
(caseworks.ops.outbox), so a killed sender never reaches anyone twice.

- Queueing is idempotent: Reminder's constraint `reminder_once` allows one reminder a thing,
  person, channel and day; a second run (or two at once) adds nothing.
- Quiet hours: no SMS between CASEWORKS_SMS_QUIET_FROM and _UNTIL (Europe/Berlin); they wait
  in the queue (e-mails go). A reminder whose appointment has begun is skipped, not sent.
- Sent: only while the opt-in stands (a "STOP" after queueing skips it).
"""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.utils import timezone

from cases.models import Appointment, ClientReference, ReferenceKind, ResidenceStatus
from caseworks import sms
from caseworks.ops.outbox import Outbox
from referrals.models import Reminder, ReminderChannel, ReminderOptIn
from referrals.reminders import texts
from visits.models import Accompaniment

logger = logging.getLogger("referrals.reminders")

BATCH = 20
LEASE = datetime.timedelta(minutes=10)
MAX_ATTEMPTS = 3
OUTBOX = Outbox(Reminder, lease=LEASE, max_attempts=MAX_ATTEMPTS, logger=logger)
# Documents a reminder is sent for before they expire (the person renews them).
DOCUMENT_REFERENCES = (ReferenceKind.PASSPORT, ReferenceKind.EAT_CARD)


def is_quiet(now: datetime.datetime) -> bool:
    hour = timezone.localtime(now).hour
    start, end = settings.CASEWORKS_SMS_QUIET_FROM, settings.CASEWORKS_SMS_QUIET_UNTIL
    return (start <= hour or hour < end) if start > end else start <= hour < end


# --- queueing --------------------------------------------------------------------------------


def _place(service) -> str:
    """An address only, never a service's name (it may tell a health or residence matter)."""
    if service is None or not service.address:
        return "–"
    return ", ".join(line.strip() for line in service.address.splitlines() if line.strip())


def _values(case, **values: str) -> dict[str, str]:
    return {"az": case.reference, "phone": case.team.organisation.phone or "–", **values}


def reminders_queue_due(*, now: datetime.datetime | None = None) -> int:
    """Queue every reminder due now for the persons who opted in. Returns how many were new."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    tomorrow = today + datetime.timedelta(days=1)
    opt_ins: dict[int, list[ReminderOptIn]] = defaultdict(list)
    for opt_in in ReminderOptIn.objects.active().filter(client__case__closed_on__isnull=True):
        opt_ins[opt_in.client_id].append(opt_in)
    if not opt_ins:
        return 0
    rows: list[Reminder] = []
    # What earlier runs queued is not written again (reminder_once would drop it anyway).
    queued = set(
        Reminder.objects.filter(for_day__gte=today).values_list(
            "item", "client_id", "channel", "for_day"
        )
    )
    stored_texts = texts.load()

    def add(client_id, case, about, item, for_day, send_until, values):
        for opt_in in opt_ins.get(client_id, ()):
            if (item, client_id, opt_in.channel, for_day) in queued:
                continue
            rows.append(
                Reminder(
                    opt_in=opt_in,
                    client_id=client_id,
                    case=case,
                    channel=opt_in.channel,
                    language=opt_in.language,
                    about=about,
                    item=item,
                    for_day=for_day,
                    send_until=send_until,
                    text=texts.message_text(
                        about=about,
                        language=opt_in.language,
                        sms=opt_in.channel == ReminderChannel.SMS,
                        values=values,
                        rows=stored_texts,
                    ),
                )
            )

    clients = list(opt_ins)
    for a in (
        Accompaniment.objects.filter(
            status=Accompaniment.Status.PLANNED,
            appointment_at__date=tomorrow,
            client_id__in=clients,
        )
        .select_related("case__team__organisation", "service")
        .only(
            "code",
            "client_id",
            "appointment_at",
            "case__reference",
            "case__team__organisation__phone",
            "service__address",
        )
    ):
        date, time = texts.when(a.appointment_at)
        values = _values(a.case, date=date, time=time, place=_place(a.service))
        add(a.client_id, a.case, "accompaniment", f"accompaniment:{a.code}", tomorrow,
            a.appointment_at, values)  # fmt: skip
    persons = Appointment.persons.through.objects.filter(
        client_id__in=clients,
        appointment__cancelled_at__isnull=True,
        appointment__starts_at__date=tomorrow,
    ).select_related("appointment__case__team__organisation", "appointment__service")
    for link in persons:
        ap = link.appointment
        date, time = texts.when(ap.starts_at)
        values = _values(ap.case, date=date, time=time, place=_place(ap.service))
        add(link.client_id, ap.case, "appointment", f"appointment:{ap.code}", tomorrow,
            ap.starts_at, values)  # fmt: skip
    horizon = today + datetime.timedelta(days=settings.CASEWORKS_REMINDER_DOCUMENT_DAYS)
    window = Q(valid_until__gt=today, valid_until__lte=horizon, client_id__in=clients)
    documents = [
        # The case's reference and its carrier's phone go into every message (_values).
        *ResidenceStatus.objects.current()
        .filter(window)
        .select_related("client__case__team__organisation"),
        *ClientReference.objects.filter(window, kind__in=DOCUMENT_REFERENCES).select_related(
            "client__case__team__organisation"
        ),
    ]
    for doc in documents:
        case = doc.client.case
        end = timezone.make_aware(datetime.datetime.combine(doc.valid_until, datetime.time.max))
        values = _values(case, date=texts.day(doc.valid_until))
        add(doc.client_id, case, "document", f"document:{doc.code}", doc.valid_until, end, values)
    before = Reminder.objects.count()
    Reminder.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return Reminder.objects.count() - before


# --- sending ---------------------------------------------------------------------------------


def _send_batch(ids: list[int]) -> int:
    rows = Reminder.objects.filter(id__in=ids).select_related("opt_in").order_by("id")
    connection = get_connection()

    def prepare(reminder: Reminder):
        if not reminder.opt_in.is_active or reminder.send_until < timezone.now():
            return None  # opted out meanwhile, or too late: skipped
        return reminder

    def deliver(reminder: Reminder, _message) -> dict[str, str] | None:
        address = reminder.opt_in.address
        if reminder.channel == ReminderChannel.SMS:
            message_id = sms.send(address, reminder.text)
            return {"provider_id": message_id[:100], "delivery": Reminder.Delivery.PENDING}
        mail = EmailMessage(
            subject=reminder.text.split(":")[0][:78],  # "Erinnerung", in the language
            body=reminder.text,
            to=[address],
            connection=connection,
        )
        mail.send()
        return None

    try:
        return OUTBOX.deliver_each(
            rows, prepare=prepare, deliver=deliver, after_refusal=connection.close
        )
    finally:
        connection.close()


def reminders_work(
    *,
    batch: int = BATCH,
    max_messages: int | None = None,
    max_seconds: float | None = None,
    lease: datetime.timedelta = LEASE,
) -> int:
    """Send queued reminders (SMS not in the quiet hours). Returns the number sent."""
    within = Q(channel=ReminderChannel.EMAIL) if is_quiet(timezone.now()) else None
    return OUTBOX.work(
        _send_batch,
        batch=batch,
        max_messages=max_messages,
        max_seconds=max_seconds,
        within=within,
        lease=lease,
    )
