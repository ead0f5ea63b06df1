"""Import an existing caseload from a CSV or XLSX file (docs/import.md).

`manage.py import_cases FILE --user USERNAME` is a dry run: it prints, per row, what would
be created and every problem, and saves nothing. `--confirm` imports the file when no row
has an error, in short batches (each its own transaction, `--batch-size` persons) under an
import run that nobody sees until its last batch is written; the history names USERNAME (an
administrator, or a supervisor of the teams in the file). Importing the same file again
creates nothing twice. An interrupted import (a killed process) is finished with `--resume`
or deleted with `--undo` (no FILE then). Names are never printed: rows are named by their
number.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cases.intake import importing


class Command(BaseCommand):
    help = "Import cases from a CSV/XLSX file: a dry run unless --confirm."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument("--user", required=True, help="the importing user (history)")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", help="check only (the default)")
        mode.add_argument("--confirm", action="store_true", help="import the file")
        mode.add_argument("--resume", action="store_true", help="finish an interrupted import")
        mode.add_argument("--undo", action="store_true", help="delete an interrupted import")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=importing.BATCH_ROWS,
            help="persons written per transaction (default %(default)s)",
        )

    def handle(self, *args, file, user, confirm=False, resume=False, undo=False, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {user!r}.")
        batch_rows = max(1, options["batch_size"])
        if resume or undo:
            return self._finish(actor, undo=undo, batch_rows=batch_rows)
        if not file:
            raise CommandError("Name the file to import.")
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise CommandError(f"Cannot read {file}: {e.strerror}") from e
        try:
            if confirm:
                result = importing.run(data, filename=path.name, user=actor, batch_rows=batch_rows)
            else:
                result = importing.plan(data, filename=path.name, user=actor)
        except importing.NotImported as e:
            self._report(e.plan)
            raise CommandError(f"Nothing imported: {e.plan.errors} error(s).") from e
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from e
        self._report(result)
        verb = "Imported" if confirm else "Would import"
        self.stdout.write(
            f"{verb}: {result.new_cases} case(s), {result.new_persons} person(s); "
            f"{result.known} row(s) imported before; {result.duplicates} possible duplicate(s)."
        )
        if not confirm:
            if result.ok:
                self.stdout.write("Dry run: nothing saved. Run again with --confirm to import.")
            else:
                raise CommandError(f"{result.errors} error(s): fix the file first.")

    def _finish(self, actor, *, undo: bool, batch_rows: int) -> None:
        run = importing.unfinished_run()
        if run is None:
            raise CommandError("No import is unfinished.")
        try:
            if undo:
                importing.undo(run, user=actor, batch_rows=batch_rows)
                self.stdout.write(f"Undone: {run.filename}; nothing of it is left.")
            else:
                importing.advance(run, user=actor, batch_rows=batch_rows)
                run.refresh_from_db()
                self.stdout.write(f"Imported: {run.filename}, {run.persons_done} person(s).")
        except importing.NotImported as e:
            self._report(e.plan)
            raise CommandError("The file no longer imports without errors: --undo it.") from e
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from e

    def _report(self, result):
        for problem in result.problems:
            self.stdout.write(f"file: {problem}")
        if result.unknown_columns:
            self.stdout.write(f"ignored columns: {', '.join(result.unknown_columns)}")
        for row in result.rows:
            notes = [*row.errors, *row.warnings]
            line = f"row {row.number}: {row.action_label}"
            if row.status is not None:  # the residence status it records (issue 36)
                line += f" [{row.status_label}]"
            self.stdout.write(line + (" — " + " ".join(notes) if notes else ""))
