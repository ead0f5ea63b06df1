"""What a supervisor reaches on these pages: the teams they lead, a team and caseworker named
in a query string (within those teams, else 404), and the recent cover accesses."""

import datetime

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone

from cases import services
from cases.models import CoverAccess
from cases.models.case import CaseQuerySet
from cases.selectors import cases_supervised_by, teams_supervised_by
from caseworks.access.roles import Role, has_role
from caseworks.models import Team

UNASSIGNED = "none"
COVER_SHOWN = datetime.timedelta(days=30)


def teams_led(user: User) -> QuerySet[Team]:
    if not has_role(user, Role.SUPERVISOR):
        raise Http404("Not a supervisor")
    return teams_supervised_by(user).select_related("organisation").order_by("name")


def open_cases_of(user: User, teams: list[Team]) -> CaseQuerySet:
    """The open cases of these teams, which the user leads (teams_led): every one of them, as
    a supervisor sees every case of their teams (cases.selectors.case_list_for_user). Asked
    by team, so that the figures read the teams' rows through the (team, closed_on) index,
    not the visibility of every case of the city."""
    return cases_supervised_by(user=user).filter(team__in=[team.pk for team in teams])


def statistics_teams(led: QuerySet[Team], *, house: bool) -> QuerySet[Team]:
    """The teams a statistic of a carrier counts (every team of the carriers of the teams one
    leads) or of the house (every team): counts only, never a case (issue 31)."""
    teams = Team.objects.select_related("organisation").order_by("organisation__name", "name")
    return teams if house else teams.filter(organisation__in=led.values("organisation"))


def _is_id(value: str) -> bool:
    """A primary key as typed in a URL: ASCII digits only ("²" and "٣" are digits too)."""
    return value.isascii() and value.isdigit() and len(value) < 19


def team_and_caseworker(query: QueryDict, teams: QuerySet[Team]) -> tuple[Team, User | None]:
    """The team and caseworker named in the query string, both within the supervisor's
    teams (404 otherwise). caseworker None means the team's unassigned cases."""
    team_key = query.get("team", "")
    team = teams.filter(pk=int(team_key)).first() if _is_id(team_key) else None
    if team is None:
        raise Http404("No such team")
    key = query.get("caseworker", UNASSIGNED)
    if key == UNASSIGNED:
        return team, None
    caseworker = services.caseworkers_of(team).filter(pk=int(key)).first() if _is_id(key) else None
    if caseworker is None:
        raise Http404("No such caseworker in this team")
    return team, caseworker


def covers_for_teams(teams: list[Team]) -> QuerySet[CoverAccess]:
    """The cover accesses of the last weeks in these teams, those awaiting approval first."""
    return (
        CoverAccess.objects.filter(
            case__team__in=teams, granted_at__gte=timezone.now() - COVER_SHOWN
        )
        .select_related("case", "user")
        .order_by("-awaiting_approval", "-granted_at")
    )


def cover_access_get_for_supervisor(*, user: User, code: str) -> CoverAccess:
    """A cover access of a case the user supervises, by its code; else 404."""
    access = (
        CoverAccess.objects.filter(code=code, case__in=cases_supervised_by(user=user))
        .select_related("case", "user")
        .first()
    )
    if access is None:
        raise Http404("No such cover access")
    return access
