"""Links between visits/accompaniments and the needs of the case plan (cases.plan.models): a need
recorded from a visit ("Bedarf erfassen") is linked to it, and a need's page lists the
visits and accompaniments that served it. Registered with caseworks.extensions.plan, which
cases.plan.services reads, importing no visits."""

import uuid

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from caseworks.extensions.plan import (
    NeedSource,
    ServedBy,
    register_need_served_by,
    register_need_source,
)
from visits.models import Accompaniment, Visit


def _code(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


@register_need_source
def visit_or_accompaniment(*, case, kind, code):
    code = _code(code)
    if code is None:
        return None
    if kind == "visit":
        visit = case.visits.filter(code=code, cancelled_at__isnull=True).first()
        if visit is None:
            return None

        def link_visit(*, actor, need):
            visit._history_user = actor
            visit.needs.add(need)

        return NeedSource(
            _("%(kind)s of %(date)s")
            % {
                "kind": visit.get_kind_display(),
                "date": date_format(visit.date, "SHORT_DATE_FORMAT"),
            },
            reverse("case_visits:visit_detail", args=[case.code, visit.code]),
            link_visit,
        )
    if kind == "accompaniment":
        accompaniment = case.accompaniments.filter(code=code, cancelled_at__isnull=True).first()
        if accompaniment is None:
            return None

        def link_accompaniment(*, actor, need):
            accompaniment._history_user = actor
            accompaniment.needs.add(need)

        return NeedSource(
            _("Accompaniment on %(when)s")
            % {
                "when": date_format(
                    localtime(accompaniment.appointment_at), "SHORT_DATETIME_FORMAT"
                )
            },
            reverse("case_visits:accompaniment_detail", args=[case.code, accompaniment.code]),
            link_accompaniment,
        )
    return None


@register_need_served_by
def visits_and_accompaniments(need):
    case = need.case
    rows = [
        ServedBy(
            _("%(kind)s of %(date)s")
            % {"kind": v.get_kind_display(), "date": date_format(v.date, "SHORT_DATE_FORMAT")},
            reverse("case_visits:visit_detail", args=[case.code, v.code]),
        )
        for v in Visit.objects.filter(needs=need).only("code", "kind", "date").order_by("date")
    ]
    rows += [
        ServedBy(
            _("Accompaniment on %(when)s")
            % {"when": date_format(localtime(a.appointment_at), "SHORT_DATETIME_FORMAT")},
            reverse("case_visits:accompaniment_detail", args=[case.code, a.code]),
        )
        for a in Accompaniment.objects.filter(needs=need)
        .only("code", "appointment_at")
        .order_by("appointment_at")
    ]
    return rows
