"""Write a backup of the whole database (ciphertext, no keys) to a file.

The file is created with mode 0600 from its first byte (never readable by others, not even
while it is written or when the backup fails), under a temporary name in the same folder, and
gets its name only once complete; a failed backup leaves nothing behind. An existing file is
never overwritten.

A backup killed on the way (SIGKILL, power loss) cannot clean up after itself: its hidden
partial file stays. Each backup holds an exclusive lock on its partial file while writing it,
so the next backup in that folder removes every partial file nobody holds any more, and says
so.
"""

import contextlib
import fcntl
import os
import re
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


PARTIAL = re.compile(r"^\..+\.[0-9a-f]{8}\.partial$")


def _remove_abandoned(folder: Path) -> list[str]:
    """Remove the partial files of earlier backups that died, never one still being written
    (its writer holds the lock). Returns their names."""
    removed = []
    for path in sorted(folder.glob(".*.partial")):
        if not PARTIAL.match(path.name):
            continue
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # another backup is writing it
        else:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            removed.append(path.name)
        finally:
            os.close(fd)
    return removed


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
        for name in _remove_abandoned(file.parent):
            self.stderr.write(f"Removed {name}, left by a backup that did not finish.")
        partial = file.parent / f".{file.name}.{secrets.token_hex(4)}.partial"
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            # Held until the file is closed: the next backup leaves a locked partial alone.
            fcntl.flock(fd, fcntl.LOCK_EX)
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
