"""Work off the newsletter's queues (cron, every minute): the subscription requests of the
public page first (their confirmation mails), then the issues' send queue:

    * * * * *  cd /srv/caseworks/src && ../venv/bin/python manage.py send_newsletter

Stops after --max-seconds (default 50, so runs do not pile up); a second run at the same time
claims other rows (community.sending)."""

from django.core.management.base import BaseCommand

from community import sending, subscriptions


class Command(BaseCommand):
    help = "Send queued newsletter mails."

    def add_arguments(self, parser):
        parser.add_argument("--max-seconds", type=float, default=50.0)
        parser.add_argument("--batch", type=int, default=sending.BATCH)

    def handle(self, *args, max_seconds, batch, **options):
        requests = subscriptions.subscribe_requests_work()
        sent = sending.work_queue(batch=batch, max_seconds=max_seconds)
        if options["verbosity"] > 1 or sent or requests:
            self.stdout.write(f"{requests} subscription requests, {sent} sent")
