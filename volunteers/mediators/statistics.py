"""Interpreting hours for the funders: by language (German names), by mode and by funder, for
the done bookings of the period's cases (caseworks.extensions.supervision; the statistics
page suppresses small numbers as everywhere)."""

import datetime
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from caseworks import languages
from caseworks.extensions.supervision import StatTable, local_days, register_statistics
from volunteers.mediators.models import BookingStatus, MediationBooking, Mode


def _hours(minutes: int) -> int:
    """Whole hours, rounded half up (the table's cells are whole numbers)."""
    return (minutes + 30) // 60


def interpreting_minutes(*, cases: Any, start: datetime.date, end: datetime.date, by: str):
    """{value of `by`: minutes interpreted} in one grouped query."""
    first, after = local_days(start, end)
    rows = (
        MediationBooking.objects.filter(
            case__in=cases,
            status=BookingStatus.DONE,
            starts_at__gte=first,
            starts_at__lt=after,
        )
        .values(by)
        .annotate(m=Sum("minutes"))
        .order_by()
    )
    return {r[by]: r["m"] or 0 for r in rows}


@register_statistics
def interpreting_statistics(*, cases, start, end):
    by_language = interpreting_minutes(cases=cases, start=start, end=end, by="language")
    by_mode = interpreting_minutes(cases=cases, start=start, end=end, by="mode")
    by_funder = interpreting_minutes(cases=cases, start=start, end=end, by="funder")
    modes = dict(Mode.choices)
    rows_language = sorted(
        ((languages.name(code, "de"), _hours(m)) for code, m in by_language.items()),
        key=lambda r: (-r[1], r[0]),
    )
    return [
        StatTable(
            "interpreting_hours_language",
            _("Language mediation: hours by language"),
            75,
            [r for r in rows_language if r[1]],
        ),
        StatTable(
            "interpreting_hours_mode",
            _("Language mediation: hours by mode"),
            76,
            [(str(modes.get(k, k)), _hours(m)) for k, m in by_mode.items() if _hours(m)],
        ),
        StatTable(
            "interpreting_hours_funder",
            _("Language mediation: hours by funder"),
            77,
            [
                (k or _("volunteers (no funder)"), _hours(m))
                for k, m in sorted(by_funder.items())
                if _hours(m)
            ],
        ),
    ]
