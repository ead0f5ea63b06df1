"""Import an existing caseload from a CSV or XLSX file (docs/import.md).

`manage.py import_cases FILE --user USERNAME` is a dry run: it prints, per row, what would
be created and every problem, and saves nothing. `--confirm` imports the file, in one
transaction, when no row has an error; the history names USERNAME (an administrator, or a
supervisor of the teams in the file). Importing the same file again creates nothing twice.
Names are never printed: rows are named by their number.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cases.intake import importing


class Command(BaseCommand):
    help = "Import cases from a CSV/XLSX file: a dry run unless --confirm."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="the importing user (history)")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", help="check only (the default)")
        mode.add_argument("--confirm", action="store_true", help="import the file")

    def handle(self, *args, file, user, confirm=False, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {user!r}.")
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise CommandError(f"Cannot read {file}: {e.strerror}") from e
        try:
            if confirm:
                result = importing.run(data, filename=path.name, user=actor)
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

    def _report(self, result):
        for problem in result.problems:
            self.stdout.write(f"file: {problem}")
        if result.unknown_columns:
            self.stdout.write(f"ignored columns: {', '.join(result.unknown_columns)}")
        for row in result.rows:
            notes = [*row.errors, *row.warnings]
            line = f"row {row.number}: {row.action_label}"
            self.stdout.write(line + (" — " + " ".join(notes) if notes else ""))
