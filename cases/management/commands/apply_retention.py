"""Delete cases closed longer than their organisation's retention period (default 3 years,
set per organisation in the administration), for cron.

Run daily, for example `15 3 * * * cd /srv/caseworks && .venv/bin/python manage.py
apply_retention`. Every run, dry or not, is recorded (counts only) in RetentionRun.
"""

from django.core.management.base import BaseCommand

from cases.retention import apply_retention


class Command(BaseCommand):
    help = "Delete cases closed before the retention period, with history, letters and log."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted, delete nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        run, totals = apply_retention(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        if not totals:
            self.stdout.write("No case is past its retention period; nothing to delete.")
            return
        summary = ", ".join(f"{n} {key}" for key, n in sorted(totals.items()))
        self.stdout.write(f"{verb}: {summary}.")
