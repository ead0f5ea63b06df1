"""Retention: cases closed longer ago than their organisation's retention period are deleted
with everything about them (caseworks.dataprotection.purge_case walks the registered
sources). Every run, dry or not, leaves a RetentionRun with counts only."""

import datetime
from collections.abc import Iterator

from cases.models import Case, CaseQuerySet
from caseworks.dataprotection import case_row_counts, purge_case, retention_cutoff
from caseworks.models import Organisation, RetentionRun


def expired_cases(
    today: datetime.date | None = None,
) -> Iterator[tuple[Organisation, datetime.date, CaseQuerySet]]:
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


def apply_retention(
    *, dry_run: bool, today: datetime.date | None = None
) -> tuple[RetentionRun, dict[str, int]]:
    totals: dict[str, int] = {}
    cutoffs = {}
    for organisation, cutoff, cases in expired_cases(today):
        cutoffs[str(organisation.pk)] = cutoff.isoformat()
        for case in cases:
            counts = case_row_counts(case) if dry_run else purge_case(case)
            for key, n in counts.items():
                totals[key] = totals.get(key, 0) + n
    run = RetentionRun.objects.create(dry_run=dry_run, cutoffs=cutoffs, counts=totals)
    return run, totals
