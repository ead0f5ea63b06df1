"""Moving on: a case handed over to another team (of this or another organisation of the
house), asked for by a supervisor of one side and decided by one of the other."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseTransfer, CoverAccess
from cases.selectors import teams_supervised_by
from cases.services.case import check_caseworker, end_shares, sync_permissions
from cases.services.guard import lock_case, require_open, save_transition
from caseworks.audit.log import log_access, save_audited
from caseworks.models import Team


def _supervises(user: User, team: Team) -> bool:
    return teams_supervised_by(user).filter(pk=team.pk).exists()


@transaction.atomic
def case_transfer_request(*, actor: User, case: Case, to_team: Team, reason: str) -> CaseTransfer:
    """Ask for a case to move to another team (of this or another organisation of the
    house). A supervisor of the giving team asks and one of the receiving team agrees
    (case_transfer); the receiving side may ask as well, the giving side agrees."""
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
    transfer = CaseTransfer(
        case=current,
        from_team=current.team,
        to_team=to_team,
        asked_by_receiving=not giving,
        reason=reason,
        requested_by=actor,
    )
    save_audited(transfer, actor)
    log_access(
        user=actor,
        action="case.transfer_requested",
        obj=current,
        label=current.reference,
        detail={"to_team": to_team.name},
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
    (sync_permissions). The case's history names the decider; the transfer row says why."""
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
    log_access(
        user=actor,
        action="case.transferred",
        obj=case,
        label=case.reference,
        detail={"from_team": current.from_team.name, "to_team": current.to_team.name},
    )
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
