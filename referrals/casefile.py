"""The case file's referral entries and panel (see caseworks.extensions.casefile)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from caseworks.extensions.casefile import (
    OpenItem,
    Panel,
    TimelineEntry,
    register_history,
    register_open_items,
    register_panel,
    register_timeline,
)
from referrals.models import Consent, InfoSheetHandout, Letter, Referral
from referrals.selectors import info_sheet_status


@register_timeline
def referral_entries(case, *, limit):
    referrals = (
        case.referrals.select_related("service", "client")
        .defer("reason", "letter_body")
        .order_by("-created_at")[:limit]
    )
    return [
        TimelineEntry(
            r.created_at,
            "referral",
            "referrals/timeline_referral.html",
            {"referral": r, "case": case},
        )
        for r in referrals
    ]


@register_panel
def referrals_panel(case, *, user):
    open_referrals = list(
        case.referrals.filter(status__in=Referral.OPEN)
        .select_related("service", "client")
        .defer("reason", "letter_body")
    )
    consents = list(
        Consent.objects.filter(client__case=case)
        .select_related("client", "organisation")
        .prefetch_related("services")
        .defer("purpose", "note")
    )
    return Panel(
        20,
        "referrals/panel.html",
        {
            "case": case,
            "open_referrals": open_referrals,
            "consents": consents,
            "today": timezone.localdate(),
        },
    )


@register_panel
def printouts_panel(case, *, user):
    """Whether the household got the information on data processing (Art. 13 DSGVO, § 15 KDG,
    § 17 DSG-EKD), and consent forms still waiting for a signature."""
    missing = [row for row in info_sheet_status(case) if row["missing"]]
    unsigned = Consent.objects.filter(
        client__case=case, signed_on__isnull=True, revoked_on__isnull=True
    ).count()
    return Panel(
        21,
        "referrals/panel_printouts.html",
        {"case": case, "missing": missing, "unsigned": unsigned},
    )


@register_history
def referral_history(case):
    def rows(model, **filters):
        return list(model.history.filter(**filters).select_related("history_user"))

    referrals = rows(Referral, case_id=case.pk)
    services = {r.id: r.service_id for r in referrals}
    client_ids = list(case.clients.values_list("pk", flat=True))
    return [
        (Referral, referrals, lambda row: _("Referral")),
        (Consent, rows(Consent, client_id__in=client_ids), lambda row: _("Consent")),
        (Letter, rows(Letter, referral_id__in=list(services)), lambda row: _("Letter printed")),
        (
            InfoSheetHandout,
            rows(InfoSheetHandout, client_id__in=client_ids),
            lambda row: _("Information on data processing handed out"),
        ),
    ]


@register_open_items
def open_referrals(case) -> list[OpenItem]:
    """Referrals still under way: closing the case must handle or acknowledge each."""
    referrals = (
        case.referrals.filter(status__in=Referral.OPEN)
        .select_related("service")
        .only("code", "status", "service__name", "created_at")
        .order_by("created_at")
    )
    return [
        OpenItem(
            _("Referral"),
            f"{r.service.name} ({r.get_status_display()})",
            reverse("referrals_case:referral_detail", args=[case.code, r.code]),
            key=f"referral-{r.code}",
        )
        for r in referrals
    ]
