"""Moving on: a case handed over to another team (of this or another carrier of the house),
asked for by a supervisor of one side and decided by one of the other.

Crossing carriers (issue 31). Each carrier (Organisation) is a data controller of its own, so
a hand-over to a team of another carrier is a transfer between controllers. Its legal basis
is the consent of every person of the case for that receiving carrier (referrals.Consent with
`organisation` and `transfer_scope`, found through caseworks.extensions.handover
.transfer_consents): signed, valid on the day, not revoked, naming at least the persons'
master data (TransferScope.MASTER_DATA). A household moves as one file, so each member needs
their own consent (for a child, the one their parents signed for them), and what moves is what
every member's consent covers (the intersection of their scopes). Without that basis the request
is refused, and so is the agreement if a consent was revoked or ran out in between. Within a
carrier nothing of this applies.

What moves is what the basis covers. The simplest honest mechanism: the file itself moves (the
same rows, as within a carrier), and every kind of row the consents do not cover
(PART_OF_SOURCE: each personal-data source of caseworks.extensions.personal_data belongs to
one TransferScope item) is erased from it before it moves, with its change history, as
retention erases a case. Nothing uncovered reaches the receiving carrier; the sending carrier
keeps no half file without a case to work on, but the TransferRecord: what moved, what was
left out (counts per kind, never content), when, from whom to whom, on which consents. That
record has no link to the case and so outlives the moved file; both carriers' data
protection officers see it (cases.moving.views.transfer_records). The moved rows keep their
own change history: it is part of the file the persons agreed to move.

A share never crosses carriers (cases.services.case.case_share: only caseworkers of the
case's own team); working on a file of another carrier is a hand-over or nothing.

Where data crosses a carrier boundary, and the rule there: docs/carriers.md.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseTransfer, Client, CoverAccess, TransferRecord, TransferScope
from cases.selectors import teams_supervised_by
from cases.services.case import check_caseworker, end_shares, sync_permissions
from cases.services.guard import lock_case, require_open, save_transition
from caseworks.audit.log import log_access, save_audited
from caseworks.extensions.handover import TransferConsent, transfer_consents
from caseworks.extensions.personal_data import Source, person_data_sources
from caseworks.models import Organisation, Team

MASTER_DATA, RECORDS, DOCUMENTS = (
    TransferScope.MASTER_DATA,
    TransferScope.RECORDS,
    TransferScope.DOCUMENTS,
)

# Which scope item each personal-data source (its key) belongs to; None: bookkeeping of the
# case's access, which the hand-over itself settles (shares and cover end). Earlier hand-overs
# (their reason is free text: where and why the family moved) and the acknowledgements at
# closing (free text: what was still open) are records: they move only when the consents cover
# records, else they are erased like the contacts. The hand-over being decided stays (its
# reason is what the receiving side agreed to). A source missing here counts as RECORDS
# (moves only with the widest consents); tests/cases/test_transfer_carriers.py checks every
# source is named.
PART_OF_SOURCE: dict[str, TransferScope | None] = {
    "persons": MASTER_DATA,
    "residence_statuses": MASTER_DATA,
    "reference_numbers": MASTER_DATA,
    "bamf_decisions": MASTER_DATA,
    "deadlines": MASTER_DATA,
    # The person's own declarations travel with them (the basis of this very move included).
    "consents": MASTER_DATA,
    "info_sheets": MASTER_DATA,
    # So is the wish to be reminded (number or address, language, the text agreed to).
    "reminder_opt_ins": MASTER_DATA,
    "contacts": RECORDS,
    "appointments": RECORDS,
    "tasks": RECORDS,
    "needs": RECORDS,
    "visits": RECORDS,
    "arrival_checks": RECORDS,
    "accompaniments": RECORDS,
    "language_mediations": RECORDS,
    "reminders": RECORDS,  # the message log: what was sent when
    "volunteer_requests": RECORDS,
    "tandems": RECORDS,
    "referrals": RECORDS,
    "letters": RECORDS,
    "special_protection_needs": RECORDS,
    "school_training_work": RECORDS,
    "documents": DOCUMENTS,
    "document_files": DOCUMENTS,
    "cover_accesses": None,
    "shares": None,
    "closing_acknowledgements": RECORDS,
    "transfers": RECORDS,
}


def _supervises(user: User, team: Team) -> bool:
    return teams_supervised_by(user).filter(pk=team.pk).exists()


def crosses_carriers(case: Case, to_team: Team) -> bool:
    return case.team.organisation_id != to_team.organisation_id


def ordered_scope(items: frozenset[str] | set[str] | list[str]) -> list[str]:
    """Scope items in the order of TransferScope, each once."""
    return [item for item in TransferScope.values if item in set(items)]


@dataclass
class PersonBasis:
    client: Client
    consent: TransferConsent | None  # the widest valid consent for the carrier, if any


@dataclass
class TransferBasis:
    """The legal basis of a hand-over of `case` to `organisation` on one day: each person's
    consent for that carrier (or none)."""

    organisation: Organisation
    persons: list[PersonBasis]

    @property
    def missing(self) -> list[Client]:
        return [
            p.client
            for p in self.persons
            if p.consent is None or MASTER_DATA not in p.consent.scope
        ]

    @property
    def covered(self) -> bool:
        return bool(self.persons) and not self.missing

    @property
    def scope(self) -> list[str]:
        """What moves: what every person's consent covers (nothing if one is missing)."""
        if not self.covered:
            return []
        common = frozenset.intersection(*(p.consent.scope for p in self.persons if p.consent))
        return ordered_scope(common)

    def consent_rows(self) -> list[dict[str, str | None]]:
        return [
            {
                "code": p.consent.code,
                "signed_on": p.consent.signed_on.isoformat(),
                "valid_until": p.consent.valid_until.isoformat() if p.consent.valid_until else None,
            }
            for p in self.persons
            if p.consent is not None
        ]


def transfer_basis(
    case: Case, organisation: Organisation, today: datetime.date | None = None
) -> TransferBasis:
    """Each person's widest valid consent for a hand-over to `organisation` (the newest of
    equally wide ones)."""
    today = today or timezone.localdate()
    best: dict[int, TransferConsent] = {}
    for provider in transfer_consents:
        for consent in provider(case, organisation_id=organisation.pk, today=today):
            held = best.get(consent.client_id)
            if held is None or (len(consent.scope), consent.signed_on) > (
                len(held.scope),
                held.signed_on,
            ):
                best[consent.client_id] = consent
    return TransferBasis(
        organisation=organisation,
        persons=[PersonBasis(client, best.get(client.pk)) for client in case.clients.all()],
    )


def _refusal(basis: TransferBasis) -> ValidationError:
    return ValidationError(
        _(
            "A hand-over to %(carrier)s is a transfer to another data controller: it needs "
            "the written consent of every person of the case for %(carrier)s, signed, valid "
            "today and naming at least their master data. %(missing)s of %(persons)s persons "
            "have none. Record it in the case file under “Consent” (“or: the carrier of the "
            "house taking the case over”)."
        )
        % {
            "carrier": basis.organisation,
            "missing": len(basis.missing),
            "persons": len(basis.persons),
        },
        code="no_transfer_consent",
    )


def refuse_uncovered_transfer(*, actor: User, case: Case, to_team: Team) -> None:
    """Refuse, and log, a hand-over to another carrier that lacks a person's consent for it.
    The refusal the services raise inside their transaction rolls back with it, log entry
    and all (and so would an entry written after the commit of a transaction that never
    commits); so the forms call this in clean(), before any saving transaction, as
    /manage/ does with self-changes; the services check again, for the race."""
    if not crosses_carriers(case, to_team):
        return
    basis = transfer_basis(case, to_team.organisation)
    if basis.covered:
        return
    log_access(
        user=actor,
        action="case.transfer_refused",
        obj=case,
        label=case.reference,
        detail={
            "to_team": to_team.name,
            "to_organisation": str(to_team.organisation),
            "persons": len(basis.persons),
            "without_consent": len(basis.missing),
        },
    )
    raise _refusal(basis)


def uncovered_sources(scope: list[str]) -> list[Source]:
    """The personal-data sources a hand-over with `scope` leaves out (erases)."""
    return [
        source
        for source in person_data_sources()
        if (part := PART_OF_SOURCE.get(source.key, RECORDS)) is not None and part not in scope
    ]


def _rows_left_out(source: Source, case: Case) -> QuerySet[Any]:
    """The case's rows of an uncovered source; of the hand-overs, the earlier ones (the one
    waiting to be decided is this very move)."""
    rows = source.model._default_manager.filter(**{source.by_case: case})
    if source.model is CaseTransfer:
        rows = rows.exclude(status=CaseTransfer.Status.REQUESTED)
    return rows.distinct()


def left_out_counts(case: Case, scope: list[str]) -> dict[str, int]:
    """How many rows of each kind a hand-over with `scope` would leave out."""
    counts = {}
    for source in uncovered_sources(scope):
        n = _rows_left_out(source, case).count()
        if n:
            counts[source.key] = n
    return counts


def _erase_uncovered(case: Case, scope: list[str]) -> dict[str, int]:
    """Erase from the file, with their history rows, the rows the consents do not cover
    (in the sources' deletion order, as retention does); counts only are returned."""
    counts: dict[str, int] = {}
    for source in uncovered_sources(scope):
        model = source.model
        ids = list(_rows_left_out(source, case).values_list("pk", flat=True))
        if not ids:
            continue
        model._default_manager.filter(pk__in=ids).delete()
        if hasattr(model, "history"):  # deleting wrote "deleted" history rows too
            model.history.filter(id__in=ids).delete()
        counts[source.key] = len(ids)
    return counts


@transaction.atomic
def case_transfer_request(*, actor: User, case: Case, to_team: Team, reason: str) -> CaseTransfer:
    """Ask for a case to move to another team (of this or another carrier of the house).
    A supervisor of the giving team asks and one of the receiving team agrees
    (case_transfer); the receiving side may ask as well, the giving side agrees. To another
    carrier only with every person's consent for it (the module's docstring)."""
    current = require_open(case)
    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise ValidationError({"reason": _("Say in a few words why the case moves.")})
    if to_team.pk == current.team_id:
        raise ValidationError({"to_team": _("The case is already in this team.")})
    giving, receiving = _supervises(actor, current.team), _supervises(actor, to_team)
    if not (giving or receiving):
        raise ValidationError(_("Only a supervisor of one of the two teams can ask for this."))
    if CaseTransfer.objects.filter(case=current, status=CaseTransfer.Status.REQUESTED).exists():
        raise ValidationError(_("A hand-over of this case is already waiting."))
    crossing = crosses_carriers(current, to_team)
    scope: list[str] = []
    if crossing:
        basis = transfer_basis(current, to_team.organisation)
        if not basis.covered:
            raise _refusal(basis)
        scope = basis.scope
    transfer = CaseTransfer(
        case=current,
        from_team=current.team,
        to_team=to_team,
        asked_by_receiving=not giving,
        reason=reason,
        requested_by=actor,
        crosses_carriers=crossing,
        scope=scope,
    )
    save_audited(transfer, actor)
    log_access(
        user=actor,
        action="case.transfer_requested",
        obj=current,
        label=current.reference,
        detail={"to_team": to_team.name, "crosses_carriers": crossing, "scope": scope},
    )
    return transfer


def case_transfer_may_decide(*, transfer: CaseTransfer, user: User) -> bool:
    """The other side decides: a supervisor of the receiving team when the giving team asked,
    and the other way round."""
    team = transfer.from_team if transfer.asked_by_receiving else transfer.to_team
    return _supervises(user, team)


@transaction.atomic
def case_transfer(
    *, actor: User, transfer: CaseTransfer, agree: bool, caseworker: User | None = None
) -> CaseTransfer:
    """Agree to (or decline) a requested hand-over. Agreed, the case moves to the receiving
    team, assigned to `caseworker` of that team (or to nobody, for its supervisors to
    assign); shares and cover accesses of the old team end, and the permissions follow
    (sync_permissions). The case's history names the decider; the transfer row says why.
    To another carrier: the consents are checked again, what they do not cover is erased
    first, and the sending carrier's TransferRecord is written."""
    # The case's row first, then the transfer's (one lock order with every other service).
    case = lock_case(Case(pk=transfer.case_id))
    current = CaseTransfer.objects.select_for_update().get(pk=transfer.pk)
    if current.status != CaseTransfer.Status.REQUESTED:
        raise ValidationError(_("This hand-over has already been decided."))
    if not case_transfer_may_decide(transfer=current, user=actor):
        raise ValidationError(_("Only a supervisor of the other team can decide this."))
    current.decided_by = actor
    current.decided_at = timezone.now()
    if not agree:
        current.status = CaseTransfer.Status.DECLINED
        save_audited(current, actor)
        return current
    case = require_open(case)  # held already; refuses a closed case
    if case.team_id != current.from_team_id:
        raise ValidationError(_("The case has moved since the hand-over was asked for."))
    check_caseworker(current.to_team, caseworker)
    crossing = crosses_carriers(case, current.to_team)
    basis = transfer_basis(case, current.to_team.organisation) if crossing else None
    if basis is not None:
        # A consent may have been revoked or run out since the request: today's basis counts.
        if not basis.covered:
            raise _refusal(basis)
        current.crosses_carriers, current.scope = True, basis.scope
    from_team = current.from_team
    detail: dict[str, object] = {"from_team": from_team.name, "to_team": current.to_team.name}
    if basis is not None:
        left_out = _erase_uncovered(case, current.scope)
        record = TransferRecord.objects.create(
            transfer_code=current.code,
            reference=case.reference,
            from_organisation=from_team.organisation,
            to_organisation=current.to_team.organisation,
            from_team=from_team.name,
            to_team=current.to_team.name,
            persons=len(basis.persons),
            scope=current.scope,
            left_out=left_out,
            consents=basis.consent_rows(),
            requested_by=current.requested_by,
            decided_by=actor,
            transferred_at=current.decided_at,
        )
        detail |= {
            "record": str(record.code),
            "scope": current.scope,
            "left_out": left_out,
            "consents": [row["code"] for row in record.consents],
        }
    # Logged while the case is still the sending carrier's: its access log keeps the row.
    log_access(user=actor, action="case.transferred", obj=case, label=case.reference, detail=detail)
    case.team = current.to_team
    case.assigned_to = caseworker
    save_transition(case, actor)
    end_shares(case, actor)
    # Cover accesses carry no history (CoverAccess is not audited): ending them in bulk
    # loses nothing.
    CoverAccess.objects.filter(case=case, expires_at__gt=timezone.now()).update(
        expires_at=timezone.now()
    )
    sync_permissions(case)
    current.status = CaseTransfer.Status.DONE
    save_audited(current, actor)
    return current


@transaction.atomic
def case_transfer_withdraw(*, actor: User, transfer: CaseTransfer) -> CaseTransfer:
    current = CaseTransfer.objects.select_for_update().get(pk=transfer.pk)
    asking_team = current.to_team if current.asked_by_receiving else current.from_team
    if current.status != CaseTransfer.Status.REQUESTED or not _supervises(actor, asking_team):
        raise ValidationError(_("This hand-over cannot be withdrawn."))
    current.status = CaseTransfer.Status.WITHDRAWN
    current.decided_by = actor
    current.decided_at = timezone.now()
    save_audited(current, actor)
    return current
