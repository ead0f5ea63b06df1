"""The referrals app's dashboard column and statistics tables (see
caseworks.extensions.supervision)."""

from django.db.models import Count, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from caseworks.extensions.supervision import (
    Column,
    Item,
    Source,
    StatTable,
    counted,
    local_days,
    register_columns,
    register_statistics,
)
from caseworks.models import Service
from referrals.models import Referral


def _waiting_item(referral: Referral) -> Item:
    """A referral sent and not answered: its follow-up date (the date column), the service and
    the day the letter went out; never the reason or the letter text."""
    what = referral.service.name
    letter = getattr(referral, "letter", None)
    if letter is not None:
        what += " · " + _("letter printed %(date)s") % {
            "date": date_format(letter.printed_at, "SHORT_DATE_FORMAT")
        }
    return Item(referral.case, referral.follow_up_on, what)


@register_columns
def referral_columns(*, cases, today):
    # The cases' referrals, those waiting counted by the count's filter: with the status in
    # the WHERE, the (status, follow_up_on) index would read every sent referral of the city.
    referrals = Referral.objects.filter(case__in=cases)
    is_waiting = Q(status=Referral.Status.SENT, follow_up_on__lt=today)
    waiting = counted(
        referrals, "case__team_id", "case__assigned_to_id", n=Count("pk", filter=is_waiting)
    )
    return [
        Column(
            "referrals_waiting",
            _("referrals waiting past follow-up"),
            80,
            counts=waiting["n"],
            sources=[
                Source(
                    # The letter's date only, not its (encrypted) PDF.
                    referrals.filter(is_waiting)
                    .select_related("service", "letter")
                    .defer("reason", "letter_subject", "letter_body", "letter__pdf")
                    .order_by("follow_up_on", "pk"),
                    "case__team_id",
                    "case__assigned_to_id",
                    _waiting_item,
                )
            ],
            help=_(
                "referrals waiting past follow-up: sent, not answered, and the day set to "
                "follow up has passed. The date shown is that day."
            ),
        ),
    ]


@register_statistics
def referral_statistics(*, cases, start, end):
    first, after = local_days(start, end)
    made = Referral.objects.filter(case__in=cases, created_at__gte=first, created_at__lt=after)
    categories = dict(Service.Category.choices)
    statuses = dict(Referral.Status.choices)
    # Both tables from one query grouped by category and outcome; each is its sums.
    by_category: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for r in made.values("service__category", "status").annotate(n=Count("pk")).order_by():
        category = r["service__category"]
        by_category[category] = by_category.get(category, 0) + r["n"]
        by_status[r["status"]] = by_status.get(r["status"], 0) + r["n"]
    return [
        StatTable(
            "referral_categories",
            _("Referrals by service category"),
            80,
            [
                (str(categories.get(category, _("without category"))), n)
                for category, n in by_category.items()
            ],
        ),
        StatTable(
            "referral_outcomes",
            _("Referrals by outcome"),
            90,
            [(str(statuses[status]), n) for status, n in by_status.items()],
        ),
    ]
