"""Queue the reminders due and send them (cron, every minute):

    * * * * *  cd /srv/caseworks/src && ../venv/bin/python manage.py send_client_reminders

Stops after --max-seconds (default 50, so runs do not pile up); a second run at the same time
queues nothing twice and claims other rows (referrals.reminders.sending)."""

from django.core.management.base import BaseCommand

from referrals.reminders import sending


class Command(BaseCommand):
    help = "Queue the reminders due and send them by SMS and e-mail."

    def add_arguments(self, parser):
        parser.add_argument("--max-seconds", type=float, default=50.0)
        parser.add_argument("--batch", type=int, default=sending.BATCH)

    def handle(self, *args, max_seconds, batch, **options):
        queued = sending.reminders_queue_due()
        sent = sending.reminders_work(batch=batch, max_seconds=max_seconds)
        if options["verbosity"] > 1 or queued or sent:
            self.stdout.write(f"{queued} reminders queued, {sent} sent")
