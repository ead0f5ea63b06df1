"""Retention: cases closed longer ago than their organisation's retention period are deleted
with everything about them (the registered person-data sources, their history rows and the
access log entries about them). Every run, dry or not, leaves a RetentionRun with counts
only: for the house (`counts`) and per carrier (`organisation_counts`, what each carrier's
DPO reads at /audit/retention/<carrier>/).

The run is recorded when it starts ("running") and completed at its end ("finished",
finished_at). Cases are deleted a batch at a time (BATCH_CASES), each batch in a
transaction of its own, which also adds it to the run's counts: a run that dies half-way
leaves whole cases (deleted or untouched, never half) and a record saying what it did
delete, still without finished_at.

Issue 35: deleting a case at a time managed about 1.5 cases a second (3,000 cases took over
half an hour). Two thirds went into measuring each case's statistics residue (one
computation per case, year and language) and most of the rest into the per-row deletes,
each writing a "deleted" history row with the record's content that the purge then deleted
again. Now a batch's residue is measured once per team, year and language, before its
transaction (the write lock is held for the writes only; the cases are checked again under
it), and its rows go per table with all their history at once, no history row written for a
row that is deleted (tests/bench/retention_runner.py measures it).
"""

import contextlib
import datetime
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from cases.models import Case
from cases.privacy.residue import Contribution, Folder
from caseworks.audit.dataprotection import case_row_counts, retention_cutoff
from caseworks.extensions.personal_data import person_data_sources
from caseworks.models import AccessLog, Organisation, RetentionRun

BATCH_CASES = 100  # cases deleted in one transaction
CHUNK = 500  # ids in one IN (...) list: well below SQLite's limit on parameters

Counts = dict[str, int]
T = TypeVar("T")


def expired_cases(
    today: datetime.date | None = None,
) -> Iterator[tuple[Organisation, datetime.date, Iterable[Case]]]:
    """Per organisation (each sets its own retention period, default 3 years): the cutoff
    and the cases closed before it."""
    for organisation in Organisation.objects.order_by("pk"):
        yield organisation, *due_cases(organisation, today)


def due_cases(
    organisation: Organisation, today: datetime.date | None = None
) -> tuple[datetime.date, QuerySet[Case]]:
    """The carrier's cutoff and its cases closed before it: what the next run deletes."""
    cutoff = retention_cutoff(organisation.retention_years, today)
    cases = Case.objects.filter(team__organisation=organisation, closed_on__lt=cutoff)
    return cutoff, cases.order_by("pk")


def unfinished_runs() -> QuerySet[RetentionRun]:
    """Runs since the last finished one that never reached their end (the process was
    killed, the server went down); the next run completes their work."""
    runs = RetentionRun.objects.exclude(status=RetentionRun.Status.FINISHED)
    last = (
        RetentionRun.objects.filter(status=RetentionRun.Status.FINISHED, dry_run=False)
        .order_by("-at")
        .first()
    )
    return runs.filter(at__gt=last.at) if last else runs


def _add(totals: Counts, counts: Counts) -> None:
    for key, n in counts.items():
        totals[key] = totals.get(key, 0) + n


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@contextlib.contextmanager
def _no_deletion_history(enabled: bool = True) -> Iterator[None]:
    """simple-history writes a "deleted" history row, with the record's whole content, for
    every row deleted (and loads each row whole to do so), which the purge then deletes
    again: half of the time of a purge. Switched off (SIMPLE_HISTORY_ENABLED, the library's
    own switch) while a batch's rows are deleted; their existing history rows are deleted
    by id. The setting is process-wide: only the command's own process, which serves no
    requests, switches it off (`enabled`); a run started on the DPO's page, in a web process
    whose other threads may be saving records, leaves it on (slower, never a record saved
    without its history)."""
    if not enabled:
        yield
        return
    previous = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    settings.SIMPLE_HISTORY_ENABLED = False
    try:
        yield
    finally:
        settings.SIMPLE_HISTORY_ENABLED = previous


def _delete(model: type[models.Model], ids: Sequence[Any]) -> None:
    # Only the key is read: with the history switched off nothing needs the rows' content
    # (and nothing is decrypted); Django still deletes what cascades from them.
    for chunk in _chunks(ids):
        model._default_manager.filter(pk__in=chunk).only("pk").delete()


def purge_cases(cases: Sequence[Case]) -> Counts:
    """Delete cases with everything about them, at once: per registered source its rows, the
    history rows of those rows and of the cases, and the access log entries about any of
    them. Counts only are returned. (caseworks.audit.dataprotection.purge_case is the same
    for one case.) The caller decides about the history switch (_purge_batch)."""
    counts: Counts = {}
    case_ids = [case.pk for case in cases]
    codes: set[Any] = {case.code for case in cases}
    deleted: list[tuple[type[models.Model], list[Any]]] = []
    with transaction.atomic():
        for source in person_data_sources():
            model = source.model
            ids: list[Any] = []
            for chunk in _chunks(case_ids):
                rows = model._default_manager.filter(**{f"{source.by_case}__in": chunk})
                ids += rows.values_list("pk", flat=True).distinct()
            ids = sorted(set(ids))
            if ids and hasattr(model, "code"):
                for chunk in _chunks(ids):
                    codes.update(
                        model._default_manager.filter(pk__in=chunk).values_list("code", flat=True)
                    )
            _delete(model, ids)
            deleted.append((model, ids))
            counts[source.key] = len(ids)
        _delete(Case, case_ids)
        deleted.append((Case, case_ids))
        counts["cases"] = len(case_ids)
        history_rows = 0
        for model, ids in deleted:
            history = getattr(model, "history", None)
            if history is None:
                continue
            for chunk in _chunks(ids):
                history_rows += history.filter(id__in=chunk).delete()[0]
        counts["history rows"] = history_rows
        # The access log is append-only for everyone; retention is its one way out.
        code_list = sorted(codes, key=str)
        counts["access log entries"] = sum(
            AccessLog._base_manager.filter(object_code__in=chunk).delete()[0]
            for chunk in _chunks(code_list)
        )
    return counts


def _due(ids: Iterable[int], organisation: Organisation, cutoff: datetime.date) -> QuerySet[Case]:
    """Of these cases, those still closed before the cutoff (one may have been reopened since
    the list was read)."""
    return (
        Case.objects.filter(pk__in=list(ids), closed_on__lt=cutoff, team__organisation=organisation)
        .only("pk", "code", "team_id", "opened_on", "closed_on", "version")
        .order_by("pk")
    )


def _state(cases: Iterable[Case]) -> list[tuple[int, int]]:
    return [(case.pk, case.version) for case in cases]


class _Progress:
    """The run's counts, for the house and per carrier, as committed so far."""

    def __init__(self, run: RetentionRun):
        self.run = run
        self.totals: Counts = {}
        self.per_carrier: dict[str, Counts] = {}

    def adding(self, organisation: Organisation, counts: Counts) -> tuple[Counts, dict]:
        """The counts with `counts` added (not yet kept: the transaction may roll back)."""
        totals = dict(self.totals)
        _add(totals, counts)
        per_carrier = {key: dict(value) for key, value in self.per_carrier.items()}
        _add(per_carrier.setdefault(str(organisation.pk), {}), counts)
        return totals, per_carrier

    def save(self, totals: Counts, per_carrier: dict[str, Counts]) -> None:
        RetentionRun.objects.filter(pk=self.run.pk).update(
            counts=totals, organisation_counts=per_carrier
        )

    def keep(self, totals: Counts, per_carrier: dict[str, Counts]) -> None:
        self.totals, self.per_carrier = totals, per_carrier


def _purge_batch(
    ids: Sequence[int],
    organisation: Organisation,
    cutoff: datetime.date,
    progress: _Progress,
    residue: Folder,
    history_switch: bool = True,
) -> None:
    """Delete a batch of cases, in one transaction, those still closed before the cutoff;
    count them in the run in the same transaction, so that the record never claims more or
    less than was deleted. Their contribution to the statistics goes into the anonymised
    residue in the same transaction (cases.privacy.residue): a year's statistics do not
    change. It is measured before the transaction, so that the write lock (SQLite's, taken
    when the transaction begins) is held for the writes only; under the lock the cases are
    read again, and measured again if any changed since (reopened, edited)."""
    measured = list(_due(ids, organisation, cutoff))
    if not measured:
        return
    contribution: Contribution = residue.measure(measured)
    with transaction.atomic():
        # Lock the rows (a no-op on SQLite, where the transaction holds the write lock).
        current = list(_due(ids, organisation, cutoff).select_for_update())
        if not current:
            return
        if _state(current) != _state(measured):
            residue.forget()
            contribution = residue.measure(current)
        residue.write(contribution)
        with _no_deletion_history(history_switch):
            counts = purge_cases(current)
        totals, per_carrier = progress.adding(organisation, counts)
        progress.save(totals, per_carrier)
    residue.keep(contribution)
    progress.keep(totals, per_carrier)


def apply_retention(
    *,
    dry_run: bool,
    today: datetime.date | None = None,
    batch_cases: int = BATCH_CASES,
    organisations: Iterable[Organisation] | None = None,
    history_switch: bool = True,
    max_cases: int | None = None,
) -> tuple[RetentionRun, Counts]:
    """One run: every carrier's due cases (the nightly command), or those of `organisations`
    only (a DPO's run of their carrier: the run records that carrier's cutoff and counts and
    nothing about the others). `history_switch`: see _no_deletion_history. `max_cases`: at
    most so many cases per carrier, the oldest ids first (a run started in a request must end
    within the web server's timeout; the nightly run deletes the rest)."""
    run = RetentionRun.objects.create(dry_run=dry_run, status=RetentionRun.Status.RUNNING)
    progress = _Progress(run)
    residue = Folder()
    try:
        cutoffs = {}
        wanted = None if organisations is None else {o.pk for o in organisations}
        for organisation, cutoff, cases in expired_cases(today):
            if wanted is not None and organisation.pk not in wanted:
                continue
            cutoffs[str(organisation.pk)] = cutoff.isoformat()
            RetentionRun.objects.filter(pk=run.pk).update(cutoffs=cutoffs)
            if dry_run:
                for case in list(cases)[:max_cases]:
                    progress.keep(*progress.adding(organisation, case_row_counts(case)))
                continue
            ids = (
                list(cases.values_list("pk", flat=True))
                if isinstance(cases, QuerySet)
                else [case.pk for case in cases]
            )[:max_cases]
            for batch in _chunks(ids, batch_cases):
                _purge_batch(batch, organisation, cutoff, progress, residue, history_switch)
    except BaseException:
        # An error or Ctrl-C: say so (a killed process cannot, and stays "running"). If even
        # this fails (the database went away), the original error is the one to see.
        with contextlib.suppress(DatabaseError):
            RetentionRun.objects.filter(pk=run.pk).update(status=RetentionRun.Status.INTERRUPTED)
        raise
    RetentionRun.objects.filter(pk=run.pk).update(
        status=RetentionRun.Status.FINISHED,
        finished_at=timezone.now(),
        counts=progress.totals,
        organisation_counts=progress.per_carrier,
    )
    run.refresh_from_db()
    return run, progress.totals
