"""The intake's duplicate check as users run it (an oracle across teams: rate-limited and
logged) and the teams a user may open a case in."""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.selectors import Duplicates, possible_duplicates, teams_supervised_by
from caseworks.access.roles import Role, has_role
from caseworks.audit.log import log_event
from caseworks.models import AccessLog, Team

DUPLICATE_CHECK = "intake.duplicate_check"


def duplicate_checks_left(actor: User) -> None:
    """Refuse once the user has had CASEWORKS_DUPLICATE_CHECKS_PER_HOUR answers this hour."""
    since = timezone.now() - datetime.timedelta(hours=1)
    done = AccessLog.objects.filter(user=actor, action=DUPLICATE_CHECK, at__gte=since).count()
    if done >= settings.CASEWORKS_DUPLICATE_CHECKS_PER_HOUR:
        raise ValidationError(
            _(
                "You have checked %(n)s times within the last hour whether a person is already "
                "known. Please wait a while or ask your supervisor."
            )
            % {"n": done},
            code="too_many_checks",
        )


def log_duplicate_check(actor: User, matches: Duplicates) -> None:
    hinted = matches["other_teams"]
    found = len(matches["cases"]) + len(hinted)
    log_event(
        user=actor,
        action=DUPLICATE_CHECK,
        object_type="intake",
        label=f"{found}: {', '.join(hinted)}" if hinted else str(found),
        detail={"matches": found, "teams_hinted": hinted},
    )


def duplicate_check_run(
    *, actor: User, first_name: str, last_name: str, birth_date: datetime.date | None
) -> Duplicates:
    """The intake's duplicate check (cases.selectors.possible_duplicates) as a user runs it.
    It answers, across teams and carriers, whether a person is known in the house: an
    oracle. So every answer a user sees is in the access log (how many matches, which teams
    were hinted; never the name), and a user gets at most CASEWORKS_DUPLICATE_CHECKS_PER_HOUR
    answers an hour."""
    duplicate_checks_left(actor)
    matches = possible_duplicates(
        user=actor, first_name=first_name, last_name=last_name, birth_date=birth_date
    )
    log_duplicate_check(actor, matches)
    return matches


class PossibleDuplicates(ValidationError):
    """The intake found persons who may be the same: the user must check them and confirm
    that this is a different person. `matches` is what possible_duplicates returned."""

    def __init__(self, matches: Duplicates) -> None:
        self.matches = matches
        super().__init__(
            _("Possible matches exist: check them, then confirm that this is a different person."),
            code="possible_duplicates",
        )


def teams_for_intake(user: User) -> QuerySet[Team]:
    """Teams in which the user may open a case: member as caseworker, or supervisor."""
    teams = Team.objects.none()
    if has_role(user, Role.CASEWORKER):
        teams = teams | Team.objects.filter(members=user)
    teams = teams | teams_supervised_by(user)
    return teams.distinct().select_related("organisation")
