"""Retention: cases closed longer ago than their organisation's retention period are deleted
with everything about them (caseworks.audit.dataprotection.purge_case walks the registered
sources). Every run, dry or not, leaves a RetentionRun with counts only.

The run is recorded when it starts ("running") and completed at its end ("finished",
finished_at). Each case is deleted in a transaction of its own, which also adds it to the
run's counts: a run that dies half-way leaves whole cases (deleted or untouched, never half)
and a record saying what it did delete, still without finished_at.
"""

import contextlib
import datetime
from collections.abc import Iterable, Iterator

from django.db import DatabaseError, transaction
from django.utils import timezone

from cases.models import Case
from cases.privacy.residue import Folder
from caseworks.audit.dataprotection import case_row_counts, purge_case, retention_cutoff
from caseworks.models import Organisation, RetentionRun


def expired_cases(
    today: datetime.date | None = None,
) -> Iterator[tuple[Organisation, datetime.date, Iterable[Case]]]:
    """Per organisation (each sets its own retention period, default 3 years): the cutoff
    and the cases closed before it."""
    for organisation in Organisation.objects.order_by("pk"):
        cutoff = retention_cutoff(organisation.retention_years, today)
        yield (
            organisation,
            cutoff,
            Case.objects.filter(team__organisation=organisation, closed_on__lt=cutoff).order_by(
                "pk"
            ),
        )


def unfinished_runs():
    """Runs since the last finished one that never reached their end (the process was
    killed, the server went down); the next run completes their work."""
    runs = RetentionRun.objects.exclude(status=RetentionRun.Status.FINISHED)
    last = (
        RetentionRun.objects.filter(status=RetentionRun.Status.FINISHED, dry_run=False)
        .order_by("-at")
        .first()
    )
    return runs.filter(at__gt=last.at) if last else runs


def _add(totals: dict[str, int], counts: dict[str, int]) -> None:
    for key, n in counts.items():
        totals[key] = totals.get(key, 0) + n


def _purge_if_still_due(
    case: Case,
    organisation: Organisation,
    cutoff: datetime.date,
    run: RetentionRun,
    totals,
    residue: Folder,
) -> None:
    """Delete one case, in its own transaction, if it is still closed before the cutoff (it
    may have been reopened since the list was read); count it in the run in the same
    transaction, so that the record never claims more or less than was deleted. Its
    contribution to the statistics is folded into the anonymised residue first, in the
    same transaction (cases.privacy.residue): a year's statistics do not change."""
    with transaction.atomic():
        # Lock the row (a no-op on SQLite, where the transaction takes the write lock).
        current = (
            Case.objects.select_for_update()
            .filter(pk=case.pk, closed_on__lt=cutoff, team__organisation=organisation)
            .first()
        )
        if current is None:
            return
        residue.fold(current)
        counts = purge_case(current)
        _add(totals, counts)
        RetentionRun.objects.filter(pk=run.pk).update(counts=totals)


def apply_retention(
    *, dry_run: bool, today: datetime.date | None = None
) -> tuple[RetentionRun, dict[str, int]]:
    totals: dict[str, int] = {}
    run = RetentionRun.objects.create(dry_run=dry_run, status=RetentionRun.Status.RUNNING)
    residue = Folder()
    try:
        cutoffs = {}
        for organisation, cutoff, cases in expired_cases(today):
            cutoffs[str(organisation.pk)] = cutoff.isoformat()
            RetentionRun.objects.filter(pk=run.pk).update(cutoffs=cutoffs)
            for case in cases:
                if dry_run:
                    _add(totals, case_row_counts(case))
                else:
                    _purge_if_still_due(case, organisation, cutoff, run, totals, residue)
    except BaseException:
        # An error or Ctrl-C: say so (a killed process cannot, and stays "running"). If even
        # this fails (the database went away), the original error is the one to see.
        with contextlib.suppress(DatabaseError):
            RetentionRun.objects.filter(pk=run.pk).update(status=RetentionRun.Status.INTERRUPTED)
        raise
    RetentionRun.objects.filter(pk=run.pk).update(
        status=RetentionRun.Status.FINISHED, finished_at=timezone.now(), counts=totals
    )
    run.refresh_from_db()
    return run, totals
