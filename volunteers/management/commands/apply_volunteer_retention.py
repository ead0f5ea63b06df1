"""Delete volunteers' records CASEWORKS_VOLUNTEER_RETENTION_YEARS after their engagement
ended (for cron, next to apply_retention)."""

from django.core.management.base import BaseCommand

from volunteers.retention import apply_volunteer_retention


class Command(BaseCommand):
    help = "Delete volunteers' records after the retention period, with their history."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args, dry_run=False, **options):
        n = apply_volunteer_retention(dry_run=dry_run)
        self.stdout.write(f"{'Would delete' if dry_run else 'Deleted'}: {n} volunteer records.")
