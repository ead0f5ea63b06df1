"""What community reads from the volunteer register (volunteers app): who is an active
volunteer, their languages and districts (newsletter segments), and where a training's
attendance is recorded (onboarding). The one module here that touches volunteers' models."""

import datetime
from dataclasses import dataclass

from caseworks import languages
from volunteers import services as volunteer_services
from volunteers.models import Status, Volunteer, districts


@dataclass(frozen=True)
class Profile:
    active: bool
    language_codes: frozenset[str]  # ISO 639-3 (caseworks.languages)
    districts: frozenset[str]


def profiles_by_user(user_ids) -> dict[int, Profile]:
    """The register's segment data for these users, in two queries."""
    volunteers = Volunteer.objects.filter(user_id__in=list(user_ids)).prefetch_related("languages")
    return {
        v.user_id: Profile(
            active=v.status == Status.ACTIVE and v.user.is_active,
            language_codes=frozenset(lang.code for lang in v.languages.all() if lang.code),
            districts=frozenset(v.districts or ()),
        )
        for v in volunteers.select_related("user").only(
            "user_id", "status", "districts", "user__is_active"
        )
    }


def volunteer_email(user) -> str:
    """The address a volunteer gave the register, else their login's."""
    volunteer = Volunteer.objects.filter(user=user).only("email").first()
    return (volunteer.email if volunteer else "") or user.email


def active_volunteer_users():
    """The logins of the volunteers active in the register (a values queryset of user ids)."""
    return Volunteer.objects.filter(status=Status.ACTIVE, user__is_active=True).values("user_id")


def is_active_volunteer(user) -> bool:
    return Volunteer.objects.filter(user=user, status=Status.ACTIVE).exists()


def language_code(name: str) -> str | None:
    """The code of a subscriber's language ("de", "ar"): caseworks.languages.parse."""
    return languages.parse(name) if name else None


def district_choices() -> list[tuple[str, str]]:
    return districts()


def training_attended(*, actor, user, on: datetime.date) -> bool:
    """A training attended counts towards onboarding: the register's "first-steps training
    attended on" date, set through the volunteers app's service. False when the user has no
    record in the register (or already had an earlier date)."""
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        return False
    if volunteer.training_attended_on is not None and volunteer.training_attended_on <= on:
        return False
    # The register's own update service (optimistic lock on the version just read, history
    # under the coordinator's name).
    volunteer_services.volunteer_update(
        actor=actor,
        volunteer=volunteer,
        expected_version=volunteer.version,
        data={"training_attended_on": on},
    )
    return True
