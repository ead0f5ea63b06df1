"""Figures of the volunteer network: for the coordinator's page, and as statistics tables
for the supervisors (caseworks.extensions.supervision; the statistics page suppresses small
counts)."""

import datetime

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from cases.models import Client
from caseworks import languages
from caseworks.extensions.supervision import StatTable, local_days, register_statistics
from visits.models import Accompaniment
from volunteers.models import HoursEntry, Status, Volunteer, VolunteerLanguage

ACCOMPANIMENT_MINUTES = 120  # an accompaniment without a recorded duration counts 2 hours


def language_gap(clients) -> list[tuple[str, int, int]]:
    """(language, clients needing an interpreter, active volunteers speaking it), the
    biggest gap first. By code (caseworks.languages): a client speaking Kurmanji counts under
    Kurmanji, and a Kurmanji speaker meets a client who gave "Kurdisch" (covers). Texts not
    yet assigned to a code count under their text, so that nothing drops out."""
    needed: dict[str, int] = {}
    shown: dict[str, str] = {}
    for codes, others in clients.filter(interpreter_needed=True).values_list(
        "languages", "languages_other"
    ):
        for code in codes or ():
            needed[code] = needed.get(code, 0) + 1
        for text in languages.split(others or ""):
            key = "text:" + text.casefold()
            needed[key] = needed.get(key, 0) + 1
            shown.setdefault(key, text)
    spoken: dict[str, set[int]] = {}
    for volunteer_id, code, text in VolunteerLanguage.objects.filter(
        volunteer__status=Status.ACTIVE
    ).values_list("volunteer_id", "code", "language"):
        key = code or "text:" + text.casefold()
        spoken.setdefault(key, set()).add(volunteer_id)
        shown.setdefault(key, text)

    def speakers(key: str) -> int:
        if key.startswith("text:"):
            return len(spoken.get(key, ()))
        ids: set[int] = set()
        for code in languages.members(key):
            ids |= spoken.get(code, set())
        return len(ids)

    rows = [
        (shown.get(k) or languages.name(k), needed.get(k, 0), speakers(k))
        for k in set(needed) | set(spoken)
    ]
    return sorted(rows, key=lambda r: (-(r[1] - r[2]), r[0].casefold()))


def volunteer_accompaniments(start: datetime.date, end: datetime.date, cases=None):
    first, after = local_days(start, end)
    done = Accompaniment.objects.filter(
        status=Accompaniment.Status.DONE,
        volunteer__isnull=False,
        appointment_at__gte=first,
        appointment_at__lt=after,
    )
    if cases is not None:
        done = done.filter(case__in=cases)
    return done


def coordinator_figures(start: datetime.date, end: datetime.date) -> dict:
    done = volunteer_accompaniments(start, end)
    own = HoursEntry.objects.filter(date__gte=start, date__lte=end).aggregate(m=Sum("minutes"))
    n_done = done.count()
    minutes = n_done * ACCOMPANIMENT_MINUTES + (own["m"] or 0)
    counts = Volunteer.objects.aggregate(
        active=Count("pk", filter=Q(status=Status.ACTIVE)),
        onboarding=Count("pk", filter=Q(status__in=[Status.INTERESTED, Status.ONBOARDING])),
        paused=Count("pk", filter=Q(status=Status.PAUSED)),
    )
    open_cases = Client.objects.filter(case__closed_on__isnull=True)
    return {
        **counts,
        "accompaniments": n_done,
        "hours": round(minutes / 60, 1),
        "gap": language_gap(open_cases),
    }


@register_statistics
def volunteer_statistics(*, cases, start, end):
    # The status and the volunteer in the count's filter, not in the WHERE: the rows are
    # reached through the cases' index, not through every done accompaniment of the city.
    first, after = local_days(start, end)
    by_kind = (
        Accompaniment.objects.filter(
            case__in=cases, appointment_at__gte=first, appointment_at__lt=after
        )
        .values("destination_kind")
        .annotate(
            n=Count("pk", filter=Q(status=Accompaniment.Status.DONE, volunteer__isnull=False))
        )
        .order_by()
    )
    by_kind = [r for r in by_kind if r["n"]]
    kinds = dict(Accompaniment.DestinationKind.choices)
    gap = language_gap(Client.objects.filter(case__in=cases))
    return [
        StatTable(
            "volunteer_accompaniments",
            _("Accompaniments (done) by volunteers, by destination type"),
            72,
            [(str(kinds[r["destination_kind"]]), r["n"]) for r in by_kind],
        ),
        StatTable(
            "interpreter_languages",
            _("Clients needing an interpreter, by language"),
            73,
            [(name, needed) for name, needed, _speakers in gap if needed],
        ),
        StatTable(
            "volunteer_languages",
            _("Active volunteers, by language they speak"),
            74,
            [(name, speakers) for name, _needed, speakers in gap if speakers],
        ),
    ]
