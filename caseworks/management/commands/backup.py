"""Write a backup of the whole database (ciphertext, no keys) to a file."""

from pathlib import Path

from django.core.management.base import BaseCommand

from caseworks.backup import dump


class Command(BaseCommand):
    help = "Back up the database to FILE (gzip'd JSON lines; encrypted values stay encrypted)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        with open(file, "xb") as stream:  # never overwrite an older backup
            counts = dump(stream)
        file.chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {sum(counts.values())} rows from {len(counts)} tables to {file}. "
                "Keep the keys somewhere else."
            )
        )
