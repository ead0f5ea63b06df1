"""Write a backup of the whole database (ciphertext, no keys) to a file.

The file is created with mode 0600 from its first byte (never readable by others, not even
while it is written or when the backup fails), under a temporary name in the same folder, and
gets its name only once complete; a failed backup leaves nothing behind. An existing file is
never overwritten.
"""

import contextlib
import os
import secrets
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from caseworks.ops.backup import dump


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (best effort: not every platform can open a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _publish(partial: Path, file: Path) -> None:
    """Give the complete backup its name, never replacing a file of that name."""
    try:
        os.link(partial, file)  # fails if `file` exists, atomically
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if file.exists():
            raise FileExistsError(file) from None
        os.rename(partial, file)
    else:
        os.unlink(partial)


class Command(BaseCommand):
    help = "Back up the database to FILE (gzip'd JSON lines; encrypted values stay encrypted)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        exists = CommandError(f"{file} exists: a backup never overwrites another.")
        if file.exists():
            raise exists
        partial = file.parent / f".{file.name}.{secrets.token_hex(4)}.partial"
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as stream:
                    counts = dump(stream)
                    stream.flush()
                    os.fsync(stream.fileno())
                _publish(partial, file)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    partial.unlink()
        except FileExistsError:
            raise exists from None
        except (OSError, DatabaseError) as e:
            raise CommandError(f"No backup was written: {e}") from None
        _sync_folder(file.parent)
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {sum(counts.values())} rows from {len(counts)} tables to {file}. "
                "Keep the keys somewhere else."
            )
        )
