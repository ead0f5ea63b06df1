"""Handing a case over to another team of the house (cases.services.case_transfer_*): a
supervisor of the case's team asks, a supervisor of the receiving team agrees or declines.
To another carrier only with the persons' consent for it (cases.services.transfers): the
request page shows, per carrier, whose consent is there and what it lets move; the
decision page what moves and what is left out; the data protection officers of both
carriers read the sending carrier's records of such transfers (transfer_records)."""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import services
from cases.models import Case, CaseTransfer, TransferRecord, TransferScope
from cases.page import SignedInRequest, case_form_page
from cases.selectors import supervised_case_get_for_user, teams_supervised_by
from cases.services.transfers import (
    TransferBasis,
    left_out_counts,
    ordered_scope,
    refuse_uncovered_transfer,
    transfer_basis,
)
from caseworks.access.dpo import dpo_organisation_ids
from caseworks.access.permissions import page_required, role_required
from caseworks.access.roles import Role
from caseworks.extensions.personal_data import person_data_sources
from caseworks.models import Organisation, Team
from caseworks.web.forms import error_text, form_page
from caseworks.web.users import display_name


def transfers_for_supervisor(user: User) -> QuerySet[CaseTransfer]:
    """Hand-overs from or to a team the user leads (the one scoping of transfers)."""
    teams = teams_supervised_by(user).values("pk")
    return CaseTransfer.objects.filter(Q(from_team__in=teams) | Q(to_team__in=teams))


def _transfer_for(user: User, transfer_code: str) -> CaseTransfer:
    transfer = (
        transfers_for_supervisor(user)
        .select_related("case", "from_team__organisation", "to_team__organisation", "requested_by")
        .filter(code=transfer_code)
        .first()
    )
    if transfer is None:
        raise Http404("No such hand-over")
    return transfer


def _team_label(team: Team) -> str:
    return f"{team.name} ({team.organisation})"


def _scope_labels(scope: list[str]) -> list[str]:
    return [str(TransferScope(item).label) for item in ordered_scope(scope)]


def _left_out_rows(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(title, count) of what a hand-over leaves out, in the sources' order."""
    return [(str(s.title), counts[s.key]) for s in person_data_sources() if s.key in counts]


def _carrier_rows(case: Case) -> list[dict[str, Any]]:
    """Per other carrier of the house: whose consent for it is there, and what would move."""
    rows = []
    others = Organisation.objects.exclude(pk=case.team.organisation_id).filter(teams__isnull=False)
    for organisation in others.distinct().order_by("name"):
        basis: TransferBasis = transfer_basis(case, organisation)
        rows.append(
            {
                "organisation": organisation,
                "covered": basis.covered,
                "scope": _scope_labels(basis.scope),
                "persons": [
                    {
                        "name": p.client.full_name,
                        "consent": p.consent,
                        "scope": _scope_labels(list(p.consent.scope)) if p.consent else [],
                    }
                    for p in basis.persons
                ],
            }
        )
    return rows


class TransferRequestForm(forms.Form):
    to_team: "forms.ModelChoiceField[Team]" = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("Hand over to team")
    )
    reason = forms.CharField(
        label=gettext_lazy("Why the case moves"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "E.g. redistribution, a new residence obligation, a move: kept in the case's history."
        ),
        max_length=1000,
    )

    def __init__(self, *args: Any, case: Case, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case, self.actor = case, actor
        field = cast("forms.ModelChoiceField[Team]", self.fields["to_team"])
        field.queryset = (
            Team.objects.exclude(pk=case.team_id)
            .select_related("organisation")
            .order_by("organisation__name", "name")
        )
        own = case.team.organisation_id

        def label(team: Team) -> str:
            if team.organisation_id == own:
                return _team_label(team)
            return _("%(team)s — another carrier: only with the persons' consent") % {
                "team": _team_label(team)
            }

        field.label_from_instance = label  # type: ignore[assignment]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        to_team = cleaned.get("to_team")
        if to_team is not None:
            # Outside the saving transaction: the refusal stays in the access log.
            refuse_uncovered_transfer(actor=self.actor, case=self.case, to_team=to_team)
        return cleaned


@role_required(Role.SUPERVISOR)
def transfer_request(request: SignedInRequest, code: str) -> HttpResponse:
    """A closed case shows the page read-only; one already waiting, the service refuses."""
    case = supervised_case_get_for_user(user=request.user, code=code)
    waiting = case.transfers.filter(status=CaseTransfer.Status.REQUESTED).first()
    form = TransferRequestForm(request.POST or None, case=case, actor=request.user)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.case_transfer_request(
            actor=request.user,
            case=case,
            to_team=form.cleaned_data["to_team"],
            reason=form.cleaned_data["reason"],
        ),
        success=_("The hand-over is requested: a supervisor of the other team decides."),
        done=reverse("cases:detail", args=[case.code]),
        template="cases/transfer_request.html",
        extra={"form": form, "waiting": waiting, "carriers": _carrier_rows(case)},
    )


@role_required(Role.SUPERVISOR, methods=["GET", "HEAD"])
def transfer_list(request: SignedInRequest) -> HttpResponse:
    transfers = (
        transfers_for_supervisor(request.user)
        .select_related("case", "from_team", "to_team", "requested_by", "decided_by")
        .order_by("-requested_at")[:100]
    )
    rows = [
        {
            "transfer": t,
            "may_decide": services.case_transfer_may_decide(transfer=t, user=request.user),
        }
        for t in transfers
    ]
    return render(request, "cases/transfer_list.html", {"rows": rows})


class TransferDecideForm(forms.Form):
    caseworker: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("Assign to"),
        empty_label=gettext_lazy("nobody yet (the team's supervisors assign it)"),
    )

    def __init__(
        self, *args: Any, transfer: CaseTransfer, actor: User, agree: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.transfer, self.actor, self.agree = transfer, actor, agree
        field = cast("forms.ModelChoiceField[User]", self.fields["caseworker"])
        field.queryset = services.caseworkers_of(transfer.to_team)
        field.label_from_instance = display_name  # type: ignore[assignment]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        transfer = self.transfer
        if self.agree and transfer.status == CaseTransfer.Status.REQUESTED:
            # A consent revoked or run out since the request: refused, and logged outside
            # the saving transaction.
            refuse_uncovered_transfer(
                actor=self.actor, case=transfer.case, to_team=transfer.to_team
            )
        return cleaned


@role_required(Role.SUPERVISOR)
def transfer_decide(request: SignedInRequest, transfer_code: str) -> HttpResponse:
    """The receiving side sees what it needs to decide (reference, teams, why, how many
    persons) — not the case file, which becomes theirs only once they agree."""
    transfer = _transfer_for(request.user, transfer_code)
    may_decide = services.case_transfer_may_decide(transfer=transfer, user=request.user)
    if request.method == "POST" and not may_decide:
        raise Http404("Not the deciding side")
    agree = request.POST.get("decision") == "agree"
    form = TransferDecideForm(
        request.POST or None, transfer=transfer, actor=request.user, agree=agree
    )
    crossing: dict[str, Any] | None = None
    if transfer.crosses_carriers and transfer.status == CaseTransfer.Status.REQUESTED:
        # As it would be decided now: today's consents, and what they leave out.
        basis = transfer_basis(transfer.case, transfer.to_team.organisation)
        crossing = {
            "covered": basis.covered,
            "scope": _scope_labels(basis.scope),
            "left_out": _left_out_rows(left_out_counts(transfer.case, basis.scope)),
        }
    elif transfer.crosses_carriers:
        crossing = {"covered": True, "scope": _scope_labels(transfer.scope), "left_out": []}
    return form_page(
        request,
        form,
        save=lambda: services.case_transfer(
            actor=request.user,
            transfer=transfer,
            agree=agree,
            caseworker=form.cleaned_data.get("caseworker"),
        ),
        success=_("Case handed over.") if agree else _("Hand-over declined."),
        done=reverse("moving:transfer_list"),
        template="cases/transfer_decide.html",
        context={
            "transfer": transfer,
            "form": form,
            "may_decide": may_decide and transfer.status == CaseTransfer.Status.REQUESTED,
            "persons": transfer.case.clients.count(),
            "crossing": crossing,
        },
    )


@role_required(Role.SUPERVISOR, methods=["POST"])
def transfer_withdraw(request: SignedInRequest, transfer_code: str) -> HttpResponse:
    transfer = _transfer_for(request.user, transfer_code)
    try:
        services.case_transfer_withdraw(actor=request.user, transfer=transfer)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, _("Hand-over withdrawn."))
    return redirect("moving:transfer_list")


@page_required("moving:transfer_records", methods=["GET", "HEAD"])
def transfer_records(request: SignedInRequest) -> HttpResponse:
    """The sending carriers' records of hand-overs to another carrier, for the data
    protection officers: each sees the transfers from or to a carrier they serve."""
    carriers = dpo_organisation_ids(request.user)
    records = (
        TransferRecord.objects.filter(
            Q(from_organisation__in=carriers) | Q(to_organisation__in=carriers)
        )
        .select_related("from_organisation", "to_organisation", "requested_by", "decided_by")
        .order_by("-transferred_at", "-id")[:200]
    )
    rows = [
        {"record": r, "scope": r.scope_labels(), "left_out": _left_out_rows(r.left_out)}
        for r in records
    ]
    return render(request, "cases/transfer_records.html", {"rows": rows})
