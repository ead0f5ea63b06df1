"""Replace every row of this (migrated) database with a backup, checking the keys first."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from caseworks.backup import BackupError, restore
from caseworks.canary import KeyMismatch


class Command(BaseCommand):
    help = (
        "Restore a backup into a freshly migrated database of the same version. Replaces "
        "all data; rolls back if the configured keys do not fit the backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--replace-all-data",
            action="store_true",
            help="required: confirms that every row here will be replaced",
        )

    def handle(self, *args, file: Path, replace_all_data: bool, **options):
        if not replace_all_data:
            raise CommandError(
                "A restore replaces all data in this database. Run again with "
                "--replace-all-data to confirm."
            )
        try:
            with open(file, "rb") as stream:
                counts = restore(stream)
        except (BackupError, KeyMismatch, OSError) as e:
            raise CommandError(f"Nothing was restored: {e}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {sum(counts.values())} rows into {len(counts)} tables; the keys fit."
            )
        )
