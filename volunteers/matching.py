"""Ranking the volunteers who could take a request: the one place the weights live.

Only eligible volunteers (active, complete and valid onboarding on the appointment day) who
are not absent that day are candidates. Among them, in this order of weight:
- the language asked for (a code; volunteers.selectors.speaking: a speaker of Kurmanji meets
  a request for Kurdish), by level: a native or fluent speaker before a basic one;
- continuity: earlier accompaniments of the same household, or a tandem with it (the same
  person for the same family matters more than any other convenience);
- a weekly availability slot covering the appointment time;
- the district asked for;
- the current load (planned accompaniments in the 14 days around the appointment), lower first.
A fixed number of queries, whatever the size of the register.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from caseworks import languages
from visits.models import Accompaniment
from volunteers.models import (
    LEVEL_WEIGHT,
    Absence,
    AvailabilitySlot,
    Level,
    Tandem,
    Volunteer,
    VolunteerLanguage,
)
from volunteers.selectors import speaking

LANGUAGE_POINTS = 10  # per level step: basic 10, good 20, fluent/native 30
CONTINUITY_POINTS = 25
AVAILABLE_POINTS = 20
DISTRICT_POINTS = 10
TASK_POINTS = 5
LOAD_PENALTY = 3  # per planned accompaniment in the window
LOAD_WINDOW = datetime.timedelta(days=7)


@dataclass
class Candidate:
    volunteer: Volunteer = None  # type: ignore[assignment]
    score: int = 0
    language_level: str = ""
    # Speaks only the macrolanguage of the language asked for (plain "Kurdisch" for a Sorani
    # request, caseworks.languages.covers(exact=False)): a possible match, to be asked.
    language_possible: bool = False
    available: bool = False
    in_district: bool = False
    wants_task: bool = False
    earlier_contacts: int = 0
    load: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return str(Level(self.language_level).label) if self.language_level else ""


def candidates_for(request, *, limit: int | None = None) -> list[Candidate]:
    """The eligible volunteers for `request`, best first (the first `limit` of them).

    Scored on plain values (no model instance per volunteer: at 300 volunteers building them
    cost more than all the queries); only the candidates returned are loaded as models."""
    accompaniment = request.accompaniment
    at = accompaniment.appointment_at
    local = timezone.localtime(at)
    day = local.date()
    wanted = request.language
    absent = Absence.objects.filter(starts_on__lte=day, ends_on__gte=day).values("volunteer")
    eligible = Volunteer.objects.eligible(on=day).exclude(pk__in=absent)
    rows = list(eligible.values_list("pk", "user_id", "tasks", "districts", "user__last_name"))
    ids = [row[0] for row in rows]
    users = [row[1] for row in rows]
    # The language by its code (volunteers.selectors.speaking): "Kurdisch" finds Kurmanji and
    # Sorani speakers; a volunteer with two varieties of it counts by the better level.
    levels: dict[int, str] = {}
    possible: dict[int, str] = {}
    if wanted:
        for volunteer_id, level in (
            speaking(wanted).filter(volunteer__in=ids).values_list("volunteer_id", "level")
        ):
            if LEVEL_WEIGHT.get(level, 0) > LEVEL_WEIGHT.get(levels.get(volunteer_id, ""), 0):
                levels[volunteer_id] = level
        macro = languages.BY_CODE[wanted].macro if wanted in languages.BY_CODE else ""
        if macro:
            for volunteer_id, level in VolunteerLanguage.objects.filter(
                volunteer__in=ids, code=macro
            ).values_list("volunteer_id", "level"):
                if volunteer_id not in levels:
                    possible[volunteer_id] = level
    available = set()
    for volunteer_id, starts_at, ends_at in AvailabilitySlot.objects.filter(
        volunteer__in=ids, weekday=local.weekday()
    ).values_list("volunteer_id", "starts_at", "ends_at"):
        if starts_at <= local.time() < ends_at:
            available.add(volunteer_id)
    load = dict(
        Accompaniment.objects.filter(
            volunteer__in=users,
            status=Accompaniment.Status.PLANNED,
            appointment_at__gte=at - LOAD_WINDOW,
            appointment_at__lt=at + LOAD_WINDOW,
        )
        .exclude(pk=accompaniment.pk)
        .values_list("volunteer")
        .annotate(n=Count("pk"))
        .order_by()
    )
    earlier = dict(
        Accompaniment.objects.filter(case_id=accompaniment.case_id, volunteer__in=users)
        .exclude(status=Accompaniment.Status.CANCELLED)
        .exclude(pk=accompaniment.pk)
        .values_list("volunteer")
        .annotate(n=Count("pk"))
        .order_by()
    )
    tandem_volunteers = set(
        Tandem.objects.filter(case_id=accompaniment.case_id)
        .values_list("volunteer_id", flat=True)
        .order_by()
    )
    ranked = []
    for pk, user_id, tasks, places, last_name in rows:
        c = Candidate()  # its volunteer is loaded below, for the ones returned
        c.language_level = levels.get(pk, "") or possible.get(pk, "")
        c.language_possible = pk in possible
        # A possible match counts half: asked after the ones who surely speak it.
        points = LANGUAGE_POINTS * LEVEL_WEIGHT.get(c.language_level, 0)
        c.score += points // 2 if c.language_possible else points
        c.available = pk in available
        c.score += AVAILABLE_POINTS if c.available else 0
        c.in_district = bool(request.district) and request.district in (places or ())
        c.score += DISTRICT_POINTS if c.in_district else 0
        c.wants_task = request.task in (tasks or ())
        c.score += TASK_POINTS if c.wants_task else 0
        c.earlier_contacts = earlier.get(user_id, 0) + (1 if pk in tandem_volunteers else 0)
        c.score += CONTINUITY_POINTS if c.earlier_contacts else 0
        c.load = load.get(user_id, 0)
        c.score -= LOAD_PENALTY * c.load
        ranked.append((c, pk, last_name))
    # A language asked for and not spoken: listed last (the coordinator may still choose).
    ranked.sort(
        key=lambda r: (bool(wanted) and not r[0].language_level, -r[0].score, r[0].load, r[2], r[1])
    )
    if limit:
        ranked = ranked[:limit]
    volunteers = (
        Volunteer.objects.select_related("user")
        .defer("address")
        .in_bulk([pk for _c, pk, _n in ranked])
    )
    for c, pk, _name in ranked:
        c.volunteer = volunteers[pk]
    return [c for c, _pk, _name in ranked]
