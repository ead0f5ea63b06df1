"""The anonymised residue of deleted cases: what they added to each year's statistics, kept
as counts per year, team, table and row (StatisticsResidue), with no link to a person.

Retention (cases.privacy.retention) folds a case in just before deleting it. Its contribution is
measured with the statistics themselves (caseworks.extensions.supervision.statistics_for, so every
app's tables count — visits, accompaniments, referrals — while this module imports none of
them): for each calendar year the case was open, the team's statistics of that year with
the case minus those without it. The difference, not the case's own figures, so that
tables that are not plain sums (hours rounded per row) stay exact too.

The statistics page adds the residue (add_residue) when its period is one calendar year:
the figures of a year are the same before and after retention deleted its cases, and the
page suppresses small counts of the sums as before. Other periods (a quarter, several
years) cannot be recomposed from yearly counts: they count the remaining cases only.

Labels are stored as the tables label their rows, once per language of the interface
(settings.LANGUAGES), since the tables carry labels, not keys.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation

from cases.models import Case, StatisticsResidue
from caseworks.extensions.supervision import StatTable, statistics_for


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def cases_of_year(team_id: int, year: int):
    """The cases the statistics page counts for one team and year (open at any time in it)."""
    start, end = year_bounds(year)
    return Case.objects.filter(team_id=team_id, opened_on__lte=end).exclude(closed_on__lt=start)


def _cells(tables: list[StatTable]) -> dict[tuple[str, str], int | float]:
    cells: dict[tuple[str, str], int | float] = {}
    for table in tables:
        for label, n in table.rows:
            cells[(table.key, str(label))] = cells.get((table.key, str(label)), 0) + n
    return cells


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


Cell = tuple[int, int, str, str, str]  # year, team, table, label, language


@dataclass
class Contribution:
    """What a group of cases adds to the statistics (cell -> delta), measured but not yet
    written; `after` is the statistics without them, for the Folder to keep once they are
    deleted."""

    cases: list[int]
    deltas: dict[Cell, int | float] = field(default_factory=dict)
    after: dict[tuple[int, int, str], dict] = field(default_factory=dict)


class Folder:
    """Folds cases into the residue; within one retention run, the statistics of a (team,
    year, language) without the last folded cases are those with the next ones (the cases
    are deleted in between), so each group of cases costs one computation per team, year
    and language (retention folds a batch at a time: cases.privacy.retention)."""

    def __init__(self):
        self._after: dict[tuple[int, int, str], dict] = {}

    def measure(self, cases: Iterable[Case], today: datetime.date | None = None) -> Contribution:
        """The cases' contribution to each year they were open: per team, year and language,
        the statistics with them minus those without them (read only: call it before the
        deleting transaction, and `write` it inside)."""
        cases = list(cases)
        contribution = Contribution([c.pk for c in cases])
        by_team: dict[int, list[Case]] = {}
        for case in cases:
            by_team.setdefault(case.team_id, []).append(case)
        for team_id, team_cases in by_team.items():
            years: dict[int, list[int]] = {}
            for case in team_cases:
                last = (case.closed_on or today or timezone.localdate()).year
                for year in range(case.opened_on.year, last + 1):
                    years.setdefault(year, []).append(case.pk)
            for year, pks in sorted(years.items()):
                start, end = year_bounds(year)
                scope = cases_of_year(team_id, year)
                for language in languages():
                    cache_key = (team_id, year, language)
                    with translation.override(language):
                        before = self._after.get(cache_key)
                        if before is None:
                            before = _cells(statistics_for(cases=scope, start=start, end=end))
                        after = _cells(
                            statistics_for(cases=scope.exclude(pk__in=pks), start=start, end=end)
                        )
                    contribution.after[cache_key] = after
                    for (table, label), n in before.items():
                        delta = n - after.get((table, label), 0)
                        if delta:
                            cell = (year, team_id, table, label[:200], language)
                            contribution.deltas[cell] = contribution.deltas.get(cell, 0) + delta
        return contribution

    def write(self, contribution: Contribution) -> int:
        """Add a measured contribution to the residue (inside the transaction that deletes
        its cases); returns the number of cells changed."""
        deltas = contribution.deltas
        if not deltas:
            return 0
        cells = Q(pk__in=[])
        for year, team_id in {(cell[0], cell[1]) for cell in deltas}:
            cells |= Q(year=year, team_id=team_id)
        existing = {
            (row.year, row.team_id, row.table, row.label, row.language): row
            for row in StatisticsResidue.objects.select_for_update().filter(cells)
        }
        changed, new = [], []
        for cell, delta in deltas.items():
            row = existing.get(cell)
            if row is None:
                year, team_id, table, label, language = cell
                new.append(
                    StatisticsResidue(
                        year=year,
                        team_id=team_id,
                        table=table,
                        label=label,
                        language=language,
                        count=delta,
                    )
                )
            else:
                row.count += delta
                changed.append(row)
        StatisticsResidue.objects.bulk_update(changed, ["count"], batch_size=500)
        StatisticsResidue.objects.bulk_create(new, batch_size=500)
        return len(deltas)

    def keep(self, contribution: Contribution) -> None:
        """Its cases are deleted (the transaction committed): their `after` is the next
        `before`."""
        self._after.update(contribution.after)

    def fold(self, case: Case, today: datetime.date | None = None) -> int:
        """Add one case's contribution to the residue; returns the number of cells changed.
        Call inside the transaction that deletes the case."""
        contribution = self.measure([case], today)
        changed = self.write(contribution)
        self.keep(contribution)
        return changed

    def forget(self) -> None:
        """After cases that were not deleted (a transaction rolled back): start afresh."""
        self._after.clear()


def fold_case(case: Case, today: datetime.date | None = None) -> int:
    return Folder().fold(case, today)


def whole_year(start: datetime.date, end: datetime.date) -> int | None:
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return start.year
    return None


def add_residue(
    tables: list[StatTable], *, teams, start: datetime.date, end: datetime.date
) -> list[StatTable]:
    """The statistics with the residue of deleted cases added, when the period is one
    calendar year (unchanged otherwise). Rows the remaining cases have keep their place;
    rows only deleted cases had come after them."""
    year = whole_year(start, end)
    if year is None:
        return tables
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    residue = StatisticsResidue.objects.filter(
        year=year, team__in=list(teams), language=language
    ).values_list("table", "label", "count")
    extra: dict[str, dict[str, int]] = {}
    for table_key, label, count in residue.order_by("id"):
        extra.setdefault(table_key, {})
        extra[table_key][label] = extra[table_key].get(label, 0) + count
    if not extra:
        return tables
    merged: list[StatTable] = []
    for table in tables:
        adding = extra.get(table.key)
        if not adding:
            merged.append(table)
            continue
        rows = [(label, n + adding.pop(str(label), 0)) for label, n in table.rows]
        rows += sorted(adding.items(), key=lambda row: -row[1])
        merged.append(StatTable(table.key, table.title, table.order, rows))
    return merged


def has_residue(*, teams, start: datetime.date, end: datetime.date) -> bool:
    """Deleted cases left figures in a year of the period (a page that cannot add them says
    so)."""
    return StatisticsResidue.objects.filter(
        team__in=list(teams), year__gte=start.year, year__lte=end.year
    ).exists()
