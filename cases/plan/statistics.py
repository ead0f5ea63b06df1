"""The case plan in the statistics (caseworks.extensions.supervision): needs opened and reached by
category, special protection needs (counted by decrypting the kinds; the page suppresses
small counts as everywhere), days from a need opened to reached (bands, and the median per
team). Topics of visits and contacts are counted already (visits.dashboards, "topics")."""

from statistics import median

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.plan.models import Need, NeedStatus, SpecialNeed, SpecialNeedKind
from caseworks.extensions.supervision import (
    StatTable,
    TeamFigure,
    register_statistics,
    register_team_figures,
)

DAY_BANDS = [(0, 30), (31, 90), (91, 180), (181, None)]


def _bands(days: list[int]) -> list[tuple[str, int]]:
    rows = []
    for low, high in DAY_BANDS:
        n = sum(1 for d in days if d >= low and (high is None or d <= high))
        rows.append((f"{low}–{high}" if high is not None else f"{low}+", n))
    return rows


@register_statistics
def plan_statistics(*, cases, start, end):
    opened = (
        Need.objects.filter(case__in=cases, opened_on__gte=start, opened_on__lte=end)
        .values("category__name")
        .annotate(n=Count("pk"))
        .order_by("category__order", "category__name")
    )
    reached_rows = Need.objects.filter(
        case__in=cases,
        status=NeedStatus.REACHED,
        finished_on__gte=start,
        finished_on__lte=end,
    )
    reached = (
        reached_rows.values("category__name")
        .annotate(n=Count("pk"))
        .order_by("category__order", "category__name")
    )
    days = [
        (finished - opened_on).days
        for opened_on, finished in reached_rows.values_list("opened_on", "finished_on")
    ]
    # The kind is encrypted (Art. 9 data): decrypted here only to count, never shown singly.
    kinds = dict(SpecialNeedKind.choices)
    counts: dict[str, int] = {}
    specials = SpecialNeed.objects.filter(client__case__in=cases, noted_on__lte=end).exclude(
        ended_on__lt=start
    )
    for kind in specials.values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    return [
        StatTable(
            "needs_opened",
            _("Needs opened, by category"),
            70,
            [(r["category__name"], r["n"]) for r in opened],
        ),
        StatTable(
            "needs_reached",
            _("Needs reached, by category"),
            71,
            [(r["category__name"], r["n"]) for r in reached],
        ),
        StatTable(
            "needs_reached_days",
            _("Days from a need opened to reached (needs reached in the period)"),
            72,
            _bands(days) if days else [],
        ),
        StatTable(
            "special_needs",
            _("Persons' special protection needs (Art. 21 Directive 2013/33/EU)"),
            73,
            sorted(
                ((str(kinds.get(k, k)), n) for k, n in counts.items()),
                key=lambda row: -row[1],
            ),
        ),
    ]


@register_team_figures
def need_reached_medians(*, cases, today):
    """Median days from a need opened to reached, per team, over the needs of the open cases
    reached so far."""
    rows = Need.objects.filter(case__in=cases, status=NeedStatus.REACHED).values_list(
        "case__team_id", "opened_on", "finished_on"
    )
    days: dict = {}
    for team_id, opened_on, finished_on in rows:
        days.setdefault(team_id, []).append((finished_on - opened_on).days)
    values = {}
    for team_id, team_days in days.items():
        n = len(team_days)
        m = median(team_days)
        shown = str(int(m)) if float(m).is_integer() else f"{m:.1f}".replace(".", ",")
        values[team_id] = ngettext(
            "%(median)s days (median of %(n)d need)",
            "%(median)s days (median of %(n)d needs)",
            n,
        ) % {"median": shown, "n": n}
    return [
        TeamFigure(
            "need_reached_median",
            _("need opened to reached"),
            20,
            values,
            _("no need reached yet"),
        )
    ]
