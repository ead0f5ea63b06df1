"""What each app contributes to the supervisors' dashboard and the annual statistics.

Like caseworks.casefile: apps register providers in AppConfig.ready(), the supervision pages
ask. A dashboard column gives its counts per (team, caseworker) in ONE grouped query, and the
filter behind the figure, so the number and the list it links to share one definition.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from caseworks.registry import Registry


@dataclass
class Column:
    key: str
    label: str
    order: int
    # {(team_id, caseworker_id or None): count}
    counts: dict = field(default_factory=dict)
    # cases -> the cases behind the figure
    drilldown: Callable | None = None


@dataclass
class StatTable:
    key: str
    title: str
    order: int
    rows: list[tuple[str, int]]  # (label, count), unsuppressed: suppression is the page's job


_columns = Registry()
_statistics = Registry()

# provider(*, cases, today) -> [Column]; `cases` are the supervisor's open cases
register_columns = _columns.register
# provider(*, cases, start, end) -> [StatTable] for cases open during the period
register_statistics = _statistics.register


def columns_for(*, cases, today: datetime.date) -> list[Column]:
    columns = [c for provider in _columns for c in provider(cases=cases, today=today)]
    return sorted(columns, key=lambda c: c.order)


def statistics_for(*, cases, start: datetime.date, end: datetime.date) -> list[StatTable]:
    tables = [t for provider in _statistics for t in provider(cases=cases, start=start, end=end)]
    return sorted(tables, key=lambda t: t.order)


def grouped(queryset, team_path: str, assignee_path: str) -> dict:
    """{(team_id, assignee_id): count} from one GROUP BY query.

    The rows are selected in a subquery: annotations on `queryset` (a last visit date, the
    current document's expiry) would otherwise join the GROUP BY and split the groups.
    """
    from django.db.models import Count

    rows = (
        queryset.model.objects.filter(pk__in=queryset.values("pk"))
        .values(team_path, assignee_path)
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(r[team_path], r[assignee_path]): r["n"] for r in rows}


def local_days(start, end):
    """The instants from `start` 00:00 to the day after `end` 00:00, local time.

    Filter a DateTimeField with `__gte`/`__lt` on these rather than `__date`: the range can
    use an index, while `__date` converts every row (on SQLite, a Python function call each).

    Dates at the very ends of the calendar are moved in by a day: the day after 9999-12-31
    does not exist, and 0001-01-01 00:00 east of UTC is before the year 1 in UTC (either an
    OverflowError). No record is that old or that far ahead, so the range means the same.
    """
    import datetime

    from django.utils import timezone

    earliest = datetime.date.min + datetime.timedelta(days=1)
    latest = datetime.date.max - datetime.timedelta(days=1)
    start = min(max(start, earliest), latest)
    end = min(max(end, earliest), latest)
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    after = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    )
    return first, after
