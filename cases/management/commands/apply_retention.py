"""Delete cases closed longer than their organisation's retention period (default 3 years,
set per organisation in the administration), for cron.

Run daily, for example `15 3 * * * cd /srv/caseworks && .venv/bin/python manage.py
apply_retention`. Every run, dry or not, is recorded (counts only) in RetentionRun: when it
starts, and completed when it ends. A run that did not reach its end stays unfinished; the
next run says so and completes the deletions (each case is deleted whole or not at all:
a batch of cases at a time, cases.privacy.retention.BATCH_CASES). The counts are kept for the
house and per carrier, for each carrier's DPO (/audit/retention/<carrier>/).
"""

from django.core.management.base import BaseCommand

from cases.privacy.retention import apply_retention, unfinished_runs


class Command(BaseCommand):
    help = "Delete cases closed before the retention period, with history, letters and log."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted, delete nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        for earlier in unfinished_runs().filter(dry_run=False):
            self.stderr.write(
                self.style.WARNING(
                    f"The retention run started {earlier.at:%Y-%m-%d %H:%M} did not finish "
                    f"({earlier.get_status_display()}; deleted until then: "
                    f"{earlier.counts.get('cases', 0)} cases). This run completes it."
                )
            )
        run, totals = apply_retention(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        if not totals:
            self.stdout.write("No case is past its retention period; nothing to delete.")
            return
        summary = ", ".join(f"{n} {key}" for key, n in sorted(totals.items()))
        self.stdout.write(f"{verb}: {summary}.")
