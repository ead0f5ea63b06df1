"""The case summary PDF (Fallübersicht) and the hand-over packet for a service outside the
house (cases.moving.summary), printed on demand from the case file and logged."""

from typing import Any, cast

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cases.moving.summary import packet_consents, packet_pdf, summary_pdf
from cases.page import SignedInRequest, case_context
from cases.selectors import case_get_for_user, open_case_get_for_user
from caseworks.access.permissions import CASE_ROLES, role_required
from caseworks.audit.log import log_access
from caseworks.extensions.handover import PacketConsent


def _attachment(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(*CASE_ROLES, methods=["GET", "HEAD"])
def summary(request: SignedInRequest, code: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    pdf = summary_pdf(case, request=request)
    # Logged once it exists: a failed rendering is not a print.
    log_access(user=request.user, action="case.summary_printed", obj=case, label=case.reference)
    return _attachment(pdf, f"fallübersicht-{case.reference}-{timezone.localdate():%Y%m%d}.pdf")


class PacketForm(forms.Form):
    consent = forms.ChoiceField(
        label=gettext_lazy("Consent (release from confidentiality)"),
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, consents: list[PacketConsent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.consents = {c.code: c for c in consents}
        cast(forms.ChoiceField, self.fields["consent"]).choices = [
            (
                c.code,
                f"{c.client.full_name}: {c.recipient}"
                + (f" — {c.description}" if c.description else ""),
            )
            for c in consents
        ]


@role_required(*CASE_ROLES)
def packet(request: SignedInRequest, code: str) -> HttpResponse:
    """Choose the consent; the packet holds only what it lets through, and the access log
    records which consent it was made against."""
    case = open_case_get_for_user(user=request.user, code=code)
    consents = packet_consents(case)
    form = PacketForm(request.POST or None, consents=consents)
    if request.method == "POST" and form.is_valid():
        consent = form.consents[form.cleaned_data["consent"]]
        pdf = packet_pdf(consent, case=case, request=request)
        log_access(
            user=request.user,
            action="case.handover_packet",
            obj=consent.client,
            label=case.reference,
            detail={"consent": str(consent.code), "parts": sorted(consent.parts)},
        )
        return _attachment(pdf, f"uebergabe-{case.reference}-{timezone.localdate():%Y%m%d}.pdf")
    return render(
        request,
        "cases/transfer_packet.html",
        case_context(request, case, form=form, consents=consents),
    )
