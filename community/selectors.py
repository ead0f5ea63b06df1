"""Who sees which event, registration and issue. The coordinator sees them all; a volunteer
sees the events open to volunteers and only their own registrations."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from caseworks.access.roles import Role, has_role
from community import profiles
from community.models import Event, Issue, Registration, Subscriber


def is_coordinator(user) -> bool:
    return has_role(user, Role.COORDINATOR)


def events_for_user(*, user) -> QuerySet[Event]:
    if is_coordinator(user):
        return Event.objects.all()
    if has_role(user, Role.VOLUNTEER):
        return Event.objects.filter(cancelled_at__isnull=True)
    return Event.objects.none()


def event_get_for_user(*, user, code) -> Event:
    event = events_for_user(user=user).filter(code=code).first()
    if event is None:
        raise Http404("No such event")
    return event


def managed_event_get(*, user, code) -> Event:
    """An event the user may change (the coordinator's pages)."""
    if not is_coordinator(user):
        raise Http404("No such event")
    return event_get_for_user(user=user, code=code)


def registrations_for_user(*, user) -> QuerySet[Registration]:
    registrations = Registration.objects.select_related("event", "user")
    if is_coordinator(user):
        return registrations
    if has_role(user, Role.VOLUNTEER):
        return registrations.filter(user=user)
    return Registration.objects.none()


def registration_get_for_user(*, user, code) -> Registration:
    registration = registrations_for_user(user=user).filter(code=code).first()
    if registration is None:
        raise Http404("No such registration")
    return registration


def issues_for_user(*, user) -> QuerySet[Issue]:
    return Issue.objects.all() if is_coordinator(user) else Issue.objects.none()


def issue_get_for_user(*, user, code) -> Issue:
    issue = issues_for_user(user=user).filter(code=code).first()
    if issue is None:
        raise Http404("No such issue")
    return issue


def figures_by_year() -> list[dict]:
    """Per year: events held (not cancelled), registrations (places taken), the waiting
    list, attendance and the different people who attended. Counted in Python: a house
    has a few hundred events a year."""
    keys = ("events", "trainings", "registered", "waiting", "attended", "people")
    by_year: dict[int, dict] = {}
    people: dict[int, set] = {}

    def year(at) -> dict:
        y = timezone.localtime(at).year
        people.setdefault(y, set())
        return by_year.setdefault(y, dict.fromkeys(keys, 0))

    for starts_at, kind in Event.objects.filter(cancelled_at__isnull=True).values_list(
        "starts_at", "kind"
    ):
        row = year(starts_at)
        row["events"] += 1
        row["trainings"] += kind == Event.Kind.TRAINING
    registrations = (
        Registration.objects.filter(event__cancelled_at__isnull=True)
        .exclude(status=Registration.Status.CANCELLED)
        .values_list("event__starts_at", "status", "attended", "user_id")
    )
    for starts_at, status, attended, user_id in registrations:
        row = year(starts_at)
        row["registered"] += status == Registration.Status.CONFIRMED
        row["waiting"] += status == Registration.Status.WAITING
        if attended:
            row["attended"] += 1
            people[timezone.localtime(starts_at).year].add(user_id)
    for y, row in by_year.items():
        row["people"] = len(people[y])
    return [{"year": y, **by_year[y]} for y in sorted(by_year, reverse=True)]


@dataclass(frozen=True)
class VolunteerReach:
    """How many of the register's active volunteers receive the newsletter (they subscribe
    themselves, signed in, on their newsletter page: consent is theirs to give)."""

    subscribed: int
    active: int


def volunteer_reach() -> VolunteerReach:
    active = profiles.active_volunteer_users()
    return VolunteerReach(
        subscribed=Subscriber.objects.filter(
            status=Subscriber.Status.ACTIVE, user_id__in=active
        ).count(),
        active=active.count(),
    )
