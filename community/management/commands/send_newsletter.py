"""Work off the newsletter send queue (cron, every minute):

    * * * * *  cd /srv/caseworks/src && ../venv/bin/python manage.py send_newsletter

Stops after --max-seconds (default 50, so runs do not pile up); a second run at the same time
claims other rows (community.sending)."""

from django.core.management.base import BaseCommand

from community import sending


class Command(BaseCommand):
    help = "Send queued newsletter mails."

    def add_arguments(self, parser):
        parser.add_argument("--max-seconds", type=float, default=50.0)
        parser.add_argument("--batch", type=int, default=sending.BATCH)

    def handle(self, *args, max_seconds, batch, **options):
        sent = sending.work_queue(batch=batch, max_seconds=max_seconds)
        if options["verbosity"] > 1 or sent:
            self.stdout.write(f"{sent} sent")
