"""What each app contributes to the supervisors' dashboard and the annual statistics.

Like caseworks.extensions.casefile: apps register providers in AppConfig.ready(), the supervision
pages ask. A dashboard column gives its counts per (team, caseworker) in ONE grouped query, and the
filter behind the figure, so the number and the list it links to share one definition. Several
figures over the same records come from one query with conditional aggregates (`counted`):
the condition of a figure is the filter of its list.
"""

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import Aggregate, Count, QuerySet, Sum
from django.utils import timezone

from caseworks.extensions.registry import Registry


@dataclass
class Item:
    """One row behind a figure: the thing counted, the case it belongs to, and what the
    supervisor needs to see about it (a due date, a last visit, minutes)."""

    case: Any  # a cases.models.Case
    when: datetime.date | datetime.datetime | None = None
    what: str = ""
    # What the item adds to the figure: 1 for a count, minutes for an hours figure.
    weight: int = 1

    @property
    def timed(self) -> bool:
        """An appointment (a time of day) rather than a day."""
        return isinstance(self.when, datetime.datetime)


@dataclass
class Source:
    """One kind of record behind a figure, over the supervisor's cases.

    The figure is `grouped(queryset, team, assignee)` (summed over `minutes` for an hours
    figure) and its list is the same queryset narrowed to one (team, assignee): one
    definition for both, so the number and its list cannot disagree.
    """

    queryset: Any  # a QuerySet of any model (caseworks knows no app's models)
    team: str
    assignee: str
    item: Callable[[Any], Item]  # record -> Item
    case: str = "case"  # path from the record to its case ("" when the record is a case)
    minutes: str | None = None  # for an hours figure: the duration field

    def narrowed(self, team_id: int, assignee_id: int | None) -> Any:
        qs = self.queryset.filter(**{self.team: team_id})
        if assignee_id is None:
            return qs.filter(**{f"{self.assignee}__isnull": True})
        return qs.filter(**{self.assignee: assignee_id})

    def counts(self) -> dict[tuple[int, int | None], int]:
        if self.minutes is None:
            return grouped(self.queryset, self.team, self.assignee)
        return grouped(self.queryset, self.team, self.assignee, total=self.minutes)


@dataclass
class Column:
    key: str
    label: str
    order: int
    # {(team_id, caseworker_id or None): figure as shown}. Given: the sources' counts as they
    # count them (minutes for an hours figure), by a provider that counts several columns in
    # one query (`counted`); None: counted from `sources`, one query each.
    counts: Mapping[tuple[int, int | None], float] | None = None
    # Older shape: cases -> the cases behind the figure (prefer `sources`)
    drilldown: Callable[[Any], Any] | None = None
    sources: list[Source] = field(default_factory=list)
    # Shown without opening "more figures"; the dashboard must fit 1024 px.
    primary: bool = False
    # A sentence under the table: what exactly is counted.
    help: str = ""
    # "count", or "hours" (the sources' minutes, shown in hours)
    unit: str = "count"

    def __post_init__(self) -> None:
        if self.counts is None:
            self.counts = self.shown_counts([source.counts() for source in self.sources])
        else:
            self.counts = self.shown_counts([self.counts])

    def shown_counts(
        self, parts: Iterable[Mapping[tuple[int, int | None], Any]]
    ) -> dict[tuple[int, int | None], float]:
        """The figure per row from its sources' counts (added up), as shown."""
        return {key: self.shown(n) for key, n in added(*parts).items()}

    def count(self, team_id: int, assignee_id: int | None) -> float:
        """The figure of one row (0 where nothing is counted)."""
        return (self.counts or {}).get((team_id, assignee_id), 0)

    def shown(self, value: int) -> float:
        """The figure as shown: hours rounded to one decimal for an hours figure."""
        if self.unit == "hours":
            return round(value / 60, 1)
        return value

    def total(self, items: list[Item]) -> float:
        """What a list of items adds up to, as the figure shows it."""
        if self.unit == "hours":
            return self.shown(sum(item.weight for item in items))
        return len(items)

    def items(self, team_id: int, assignee_id: int | None) -> list[Item]:
        """The records behind one row's figure (each source once, in the order given)."""
        rows: list[Item] = []
        for source in self.sources:
            qs = source.narrowed(team_id, assignee_id)
            if source.case:
                qs = qs.select_related(source.case)
            rows.extend(source.item(record) for record in qs)
        return rows


@dataclass
class StatTable:
    key: str
    title: str
    order: int
    rows: list[tuple[str, int]]  # (label, count), unsuppressed: suppression is the page's job


@dataclass
class TeamFigure:
    """A figure of a whole team, shown above its table (a median has no per-row sum)."""

    key: str
    label: str
    order: int
    values: dict[int, str]  # {team_id: text}
    missing: str = ""  # shown for a team without a value


class ColumnProvider(Protocol):
    def __call__(self, *, cases: Any, today: datetime.date) -> Iterable[Column]: ...


class StatisticsProvider(Protocol):
    def __call__(
        self, *, cases: Any, start: datetime.date, end: datetime.date
    ) -> Iterable[StatTable]: ...


class TeamFigureProvider(Protocol):
    def __call__(self, *, cases: Any, today: datetime.date) -> Iterable[TeamFigure]: ...


# `cases`: a QuerySet of cases.models.Case (caseworks imports no app, so Any here).
columns: Registry[ColumnProvider] = Registry("supervision.columns")
statistics: Registry[StatisticsProvider] = Registry("supervision.statistics")
team_figures: Registry[TeamFigureProvider] = Registry("supervision.team_figures")

# provider(*, cases, today) -> [Column]; `cases` are the supervisor's open cases
register_columns = columns.register
# provider(*, cases, start, end) -> [StatTable] for cases open during the period
register_statistics = statistics.register
# provider(*, cases, today) -> [TeamFigure]
register_team_figures = team_figures.register


def columns_for(*, cases: Any, today: datetime.date) -> list[Column]:
    found = [c for provider in columns for c in provider(cases=cases, today=today)]
    return sorted(found, key=lambda c: c.order)


def team_figures_for(*, cases: Any, today: datetime.date) -> list[TeamFigure]:
    found = [f for provider in team_figures for f in provider(cases=cases, today=today)]
    return sorted(found, key=lambda f: f.order)


def statistics_for(*, cases: Any, start: datetime.date, end: datetime.date) -> list[StatTable]:
    tables = [t for provider in statistics for t in provider(cases=cases, start=start, end=end)]
    return sorted(tables, key=lambda t: t.order)


def grouped(
    queryset: QuerySet[Any], team_path: str, assignee_path: str, *, total: str | None = None
) -> dict[tuple[int, int | None], int]:
    """{(team_id, assignee_id): count} (or the sum of `total`) from one GROUP BY query.

    The queryset's own annotations (a last visit date, the current document's expiry) stay
    filters: values() before the count keeps them out of the GROUP BY. Only a queryset whose
    filters join a multi-valued relation (a row per match) is counted through a subquery of
    its keys, so that no record counts twice.
    """
    if _multiplies(queryset):
        queryset = queryset.model.objects.filter(pk__in=queryset.values("pk"))
    rows = (
        queryset.values(team_path, assignee_path)
        .annotate(n=Sum(total) if total else Count("pk"))
        .order_by()
    )
    return {(r[team_path], r[assignee_path]): r["n"] for r in rows}


def counted(
    queryset: QuerySet[Any], team_path: str, assignee_path: str, **figures: Aggregate
) -> dict[str, dict[tuple[int, int | None], int]]:
    """Several figures over the same records in ONE grouped query: {name: {(team_id,
    assignee_id): n}} for each aggregate (a Count or Sum with `filter=` the figure's
    condition, the same Q its list filters on)."""
    if _multiplies(queryset):
        queryset = queryset.model.objects.filter(pk__in=queryset.values("pk"))
    rows = queryset.values(team_path, assignee_path).annotate(**figures).order_by()
    found: dict[str, dict[tuple[int, int | None], int]] = {name: {} for name in figures}
    for r in rows:
        for name in figures:
            if r[name]:
                found[name][(r[team_path], r[assignee_path])] = r[name]
    return found


def added(
    *parts: Mapping[tuple[int, int | None], Any],
) -> dict[tuple[int, int | None], int]:
    """Counts of several sources of one figure, added up per row."""
    totals: dict[tuple[int, int | None], int] = {}
    for part in parts:
        for key, n in part.items():
            totals[key] = totals.get(key, 0) + (n or 0)
    return totals


def _multiplies(queryset: QuerySet[Any]) -> bool:
    """Whether the query joins a to-many relation (reverse foreign key, many-to-many)."""
    for join in queryset.query.alias_map.values():
        field = getattr(join, "join_field", None)
        if field is not None and (field.one_to_many or field.many_to_many):
            return True
    return False


def local_days(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The instants from `start` 00:00 to the day after `end` 00:00, local time.

    Filter a DateTimeField with `__gte`/`__lt` on these rather than `__date`: the range can
    use an index, while `__date` converts every row (on SQLite, a Python function call each).

    Dates at the very ends of the calendar are moved in by a day: the day after 9999-12-31
    does not exist, and 0001-01-01 00:00 east of UTC is before the year 1 in UTC (either an
    OverflowError). No record is that old or that far ahead, so the range means the same.
    """
    earliest = datetime.date.min + datetime.timedelta(days=1)
    latest = datetime.date.max - datetime.timedelta(days=1)
    start = min(max(start, earliest), latest)
    end = min(max(end, earliest), latest)
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    after = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    )
    return first, after
