"""What the volunteers app tells visits, which does not import it: who may be picked as a
volunteer, the volunteers' lines in the daily reminder digest, and the offers waiting for
an answer on the volunteer's start page."""

import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from caseworks.access.roles import Role
from caseworks.extensions import volunteering
from caseworks.extensions.casefile import Panel
from visits.models import Accompaniment
from visits.outbound import outside_facts
from volunteers import selectors
from volunteers.models import Volunteer


def eligible_only(users):
    """A login with a register entry can be picked only while that entry is eligible. Logins
    the coordinator has not registered yet (from before the register) stay pickable, so
    existing accompaniments keep their volunteer; the coordinator registers them."""
    registered = Volunteer.objects.filter(user=OuterRef("pk"))
    return users.filter(
        ~Exists(registered) | Q(pk__in=Volunteer.objects.eligible().values("user_id"))
    )


def volunteer_digest(user, today: datetime.date) -> list[str]:
    """A volunteer's accompaniments tomorrow: time and reference number (visits.outbound)."""
    tomorrow = today + datetime.timedelta(days=1)
    rows = (
        Accompaniment.objects.filter(
            volunteer=user,
            status=Accompaniment.Status.PLANNED,
            appointment_at__date=tomorrow,
            case__closed_on__isnull=True,
        )
        .select_related("case")
        .only("appointment_at", "case__reference")
        .order_by("appointment_at")
    )
    return [_("You go along tomorrow at %(time)s (case %(ref)s)") % outside_facts(a) for a in rows]


def open_offers(user) -> Panel | None:
    """The start page's "Can you go along?": the offers waiting for the volunteer's answer
    (before, only on "My volunteering")."""
    offers = list(selectors.open_offers_for_volunteer(user=user))
    if not offers:
        return None
    return Panel(order=0, template="volunteers/offers_panel.html", context={"offers": offers})


volunteering.volunteer_filters.register(eligible_only)
volunteering.digest_sources.register(
    volunteering.DigestSource(str(Role.VOLUNTEER), volunteer_digest)
)
volunteering.start_panels.register(open_offers)
