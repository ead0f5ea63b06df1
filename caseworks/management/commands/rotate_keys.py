"""Re-encrypt every stored value with the newest key in CASEWORKS_FIELD_KEYS.

Procedure (docs/operations.md): generate a key, put it *first* in CASEWORKS_FIELD_KEYS
keeping the old ones behind it, restart, run this command (it can be interrupted and run
again), check that it reports 0 pending, then remove the old keys and restart.
"""

from django.core.management.base import BaseCommand

from caseworks.crypto import keys


class Command(BaseCommand):
    help = "Re-encrypt all encrypted values (history and archived letters too) with the newest key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--check",
            action="store_true",
            help="only count the values not yet under the newest key",
        )

    def handle(self, *args, batch_size, check, verbosity=1, **options):
        if check:
            left = keys.pending()
            self.stdout.write(f"{left} values are not yet under the newest key.")
            if left:
                raise SystemExit(1)
            return

        def report(table, rows, rotated):
            if verbosity >= 2 or rotated:
                self.stdout.write(f"  {table.label}: {rows} rows, {rotated} values re-encrypted")

        result = keys.rotate(batch_size=batch_size, report=report)
        summary = (
            f"{result.rows_seen} rows, {result.values_rotated} values re-encrypted in "
            f"{result.seconds:.1f} s ({result.rows_per_second:.0f} rows/s)"
        )
        if result.rows_skipped:
            summary += (
                f"; {result.rows_skipped} rows were saved again and again while being rotated "
                "and are left to the next run"
            )
        if result.pending:
            # The key canary stays under the old key until nothing else is: removing the old
            # key now would stop the app at start-up (caseworks.E010), by design.
            self.stdout.write(
                self.style.WARNING(
                    f"{summary}. {result.pending} values pending (written meanwhile under an "
                    "old key): run rotate_keys again; keep the old keys until it reports 0."
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(f"Done: {summary}. 0 values pending; the old keys can be removed.")
        )
