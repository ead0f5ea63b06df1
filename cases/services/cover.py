"""Cover: a caseworker opens a colleague's case of their own team for a few hours, with a
logged reason; past a daily number a supervisor approves first."""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import COVER_HOURS, Case, CoverAccess
from cases.selectors import cover_candidates
from cases.services.case import require_supervisor
from caseworks.audit.log import log_access, save_audited


@transaction.atomic
def cover_access_grant(*, actor: User, case: Case, reason: str) -> CoverAccess:
    """Open a colleague's case of one's own team, for COVER_HOURS, with a logged reason."""
    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise ValidationError({"reason": _("Say in a few words why you need this case file.")})
    if not cover_candidates(user=actor).filter(pk=case.pk).exists():
        raise ValidationError(_("This case cannot be opened as cover."))
    # A colleague's file with a sentence and no one asking is an insider's way in: past a
    # few a day, a supervisor of the team approves first (cover_access_approve). The team's
    # supervisors see every cover access on their dashboard and in their next digest.
    start_of_day = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time.min)
    )
    today = CoverAccess.objects.filter(user=actor, granted_at__gte=start_of_day).count()
    access = CoverAccess(
        case=case,
        user=actor,
        reason=reason,
        expires_at=timezone.now() + datetime.timedelta(hours=COVER_HOURS),
        awaiting_approval=today >= settings.CASEWORKS_COVER_ACCESSES_PER_DAY,
    )
    save_audited(access, actor)
    log_access(
        user=actor,
        action="case.cover_requested" if access.awaiting_approval else "case.cover_access",
        obj=case,
        label=case.reference,
        reason=reason,
    )
    return access


@transaction.atomic
def cover_access_approve(*, actor: User, access: CoverAccess) -> CoverAccess:
    """A supervisor of the case's team lets a waiting cover access open the file (for
    COVER_HOURS from now)."""
    require_supervisor(actor, access.case)
    current = CoverAccess.objects.select_for_update().get(pk=access.pk)
    if current.awaiting_approval:
        current.awaiting_approval = False
        current.approved_by = actor
        current.approved_at = timezone.now()
        current.expires_at = current.approved_at + datetime.timedelta(hours=COVER_HOURS)
        save_audited(current, actor)
        log_access(
            user=actor,
            action="case.cover_approved",
            obj=current.case,
            label=current.case.reference,
            detail={"for": current.user.get_username()},
        )
    return current
