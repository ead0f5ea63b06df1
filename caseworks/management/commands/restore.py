"""Replace every row of this (migrated) database with a backup, checking the keys first.

The file is read to its end before anything is touched: a cut-off or damaged backup is
refused. A database that already holds cases, persons or users is replaced only when the
operator confirms how many cases it holds (`--confirm-replace N`, or by typing N when asked on
a terminal): the command shows both sides' counts first. docs/operations.md, "Backup and
restore".
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from caseworks.crypto.canary import KeyMismatch
from caseworks.ops.backup import BackupError, check_backup, describe, main_counts, restore


class Command(BaseCommand):
    help = (
        "Restore a backup into a migrated database of the same version. Replaces all data "
        "(a database with data only after --confirm-replace N); rolls back if the configured "
        "keys do not fit the backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--replace-all-data",
            action="store_true",
            help="required: confirms that every row here will be replaced",
        )
        parser.add_argument(
            "--confirm-replace",
            type=int,
            metavar="N",
            help="required when this database holds data: the number of cases it holds now "
            "(the command shows it), all of which the restore replaces",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="never ask on the terminal; without --confirm-replace, refuse",
        )

    def handle(
        self,
        *args,
        file: Path,
        replace_all_data: bool,
        confirm_replace: int | None = None,
        interactive: bool = True,
        **options,
    ):
        if not replace_all_data:
            raise CommandError(
                "A restore replaces all data in this database. Run again with "
                "--replace-all-data to confirm."
            )
        try:
            with open(file, "rb") as stream:
                backup = check_backup(stream)
                here = main_counts()
                if any(here.values()):
                    self._confirm(here, backup.main_counts(), confirm_replace, interactive)
                counts = restore(
                    stream, expected=here if any(here.values()) else None, checked=backup
                )
        except (BackupError, KeyMismatch, OSError) as e:
            raise CommandError(f"Nothing was restored: {e}") from None
        replaced = f"Replaced {describe(here)} by" if any(here.values()) else "Restored"
        self.stdout.write(
            self.style.SUCCESS(
                f"{replaced} {describe(backup.main_counts())} "
                f"({sum(counts.values())} rows in {len(counts)} tables); the keys fit."
            )
        )

    def _confirm(self, here, incoming, confirm_replace, interactive):
        cases = here.get("cases", 0)
        situation = (
            f"This database holds {describe(here)}; the backup holds {describe(incoming)}. "
            f"The restore deletes all of this database's data and replaces it by the backup's."
        )
        if confirm_replace is not None:
            if confirm_replace != cases:
                raise BackupError(
                    f"{situation} --confirm-replace {confirm_replace} does not match: to replace "
                    f"them, run again with --confirm-replace {cases}."
                )
            return
        if interactive and sys.stdin.isatty():
            self.stdout.write(situation)
            try:
                answer = input(f"Type the number of cases that will be replaced ({cases}): ")
            except EOFError:
                answer = ""
            if answer.strip() != str(cases):
                raise BackupError("Not confirmed.")
            return
        raise BackupError(f"{situation} To replace them, run again with --confirm-replace {cases}.")
