"""What the volunteers app contributes to visits, which does not import it: who may be picked
as a volunteer for an accompaniment (visits.services.volunteers_for), lines in the daily
reminder digest and the role that receives them (visits.reminders), and boxes on the
volunteer's start page (visits.views.volunteer_list)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from caseworks.extensions.casefile import Panel
from caseworks.extensions.registry import Registry

# narrow(users) -> users: a QuerySet of users in, the same narrowed out (the volunteers app:
# only register entries with a complete, valid onboarding).
volunteer_filters: Registry[Callable[[Any], Any]] = Registry("volunteering.volunteer_filters")


@dataclass(frozen=True)
class DigestSource:
    """Lines for the daily digest of the users of `role` (added to its recipients), in the
    words of visits.outbound: reference numbers, times, neutral words."""

    role: str
    lines: Callable[[Any, datetime.date], list[str]]  # (user, today) -> lines


digest_sources: Registry[DigestSource] = Registry(
    "volunteering.digest_sources", key=lambda source: source.lines
)

# panel(user) -> Panel | None: a box above the volunteer's accompaniments on their start page
# (the volunteers app: the offers waiting for the volunteer's answer).
start_panels: Registry[Callable[[Any], Panel | None]] = Registry("volunteering.start_panels")
