"""The referrals app's dashboard column and statistics tables (see caseworks.supervision)."""

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _

from caseworks.models import Service
from caseworks.supervision import (
    Column,
    StatTable,
    grouped,
    local_days,
    register_columns,
    register_statistics,
)
from referrals.models import Referral


@register_columns
def referral_columns(*, cases, today):
    waiting = Referral.objects.filter(
        case__in=cases, status=Referral.Status.SENT, follow_up_on__lt=today
    )
    return [
        Column(
            "referrals_waiting",
            _("referrals waiting past follow-up"),
            80,
            grouped(waiting, "case__team_id", "case__assigned_to_id"),
            drilldown=lambda qs: qs.filter(Exists(waiting.filter(case=OuterRef("pk")))),
        ),
    ]


@register_statistics
def referral_statistics(*, cases, start, end):
    first, after = local_days(start, end)
    made = Referral.objects.filter(case__in=cases, created_at__gte=first, created_at__lt=after)
    categories = dict(Service.Category.choices)
    statuses = dict(Referral.Status.choices)
    by_category = made.values("service__category").annotate(n=Count("pk")).order_by()
    by_status = made.values("status").annotate(n=Count("pk")).order_by()
    return [
        StatTable(
            "referral_categories",
            _("Referrals by service category"),
            80,
            [
                (str(categories.get(r["service__category"], _("without category"))), r["n"])
                for r in by_category
            ],
        ),
        StatTable(
            "referral_outcomes",
            _("Referrals by outcome"),
            90,
            [(str(statuses[r["status"]]), r["n"]) for r in by_status],
        ),
    ]
