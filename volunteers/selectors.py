"""Who sees which volunteer record, request, offer and tandem. The coordinator sees the whole
register; a volunteer only their own record, offers and tandems; a caseworker only the
requests of cases they may see (cases.selectors decides that)."""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from cases.selectors import case_list_for_user
from caseworks import languages
from caseworks.access.permissions import DATA_PROTECTION, may
from caseworks.access.roles import Role, has_role
from caseworks.models import EnrolmentCode
from visits.models import Accompaniment
from volunteers.models import (
    EXPIRY_LOOKAHEAD_DAYS,
    Offer,
    Tandem,
    Volunteer,
    VolunteerLanguage,
    VolunteerRequest,
    add_years,
    certificate_years,
)

# A record's code as a URL hands it over (a UUID) or a form posts it (text).
Code = uuid.UUID | str


def is_coordinator(user: User) -> bool:
    return has_role(user, Role.COORDINATOR)


def volunteers_for_user(*, user: User) -> QuerySet[Volunteer]:
    if not (is_coordinator(user) or may(user, DATA_PROTECTION)):
        return Volunteer.objects.none()
    return Volunteer.objects.select_related("user").defer("address")


def volunteer_get_for_user(*, user: User, code: Code) -> Volunteer:
    volunteer = volunteers_for_user(user=user).filter(code=code).first()
    if volunteer is None:
        raise Http404("No such volunteer")
    return volunteer


def own_volunteer(*, user: User) -> Volunteer:
    """The signed-in volunteer's own record (404 before the coordinator registered them)."""
    if not has_role(user, Role.VOLUNTEER):
        raise Http404("No volunteer record")
    volunteer = Volunteer.objects.select_related("user").filter(user=user).first()
    if volunteer is None:
        raise Http404("No volunteer record")
    return volunteer


def speaking(language: str) -> QuerySet[VolunteerLanguage]:
    """The register's language rows that meet a request for `language` (a code; a typed
    name is parsed: "ar", "Arabisch"): the same language or, for a macrolanguage, one of its
    languages (caseworks.languages.covers: "Kurdisch" finds Kurmanji speakers). The one
    comparison the matching and the register's filter make."""
    code = languages.parse(language) if language else None
    if code is None:
        return VolunteerLanguage.objects.none()
    return VolunteerLanguage.objects.filter(code__in=languages.members(code))


def register_filter(
    volunteers: QuerySet[Volunteer],
    *,
    status: str = "",
    language: str = "",
    task: str = "",
    district: str = "",
    q: str = "",
) -> QuerySet[Volunteer]:
    if status == "eligible":
        volunteers = volunteers.filter(pk__in=Volunteer.objects.eligible().values("pk"))
    elif status:
        volunteers = volunteers.filter(status=status)
    if language:
        volunteers = volunteers.filter(languages__in=speaking(language))
    if task or district:
        # JSON "contains" is not on SQLite (and the text of a JSON list differs between
        # databases): the lists are read, a register holds hundreds, not millions.
        keep = [
            pk
            for pk, tasks, places in volunteers.values_list("pk", "tasks", "districts")
            if (not task or task in (tasks or ())) and (not district or district in (places or ()))
        ]
        volunteers = volunteers.filter(pk__in=keep)
    if q:
        volunteers = volunteers.filter(
            Q(user__first_name__icontains=q)
            | Q(user__last_name__icontains=q)
            | Q(user__username__icontains=q)
        )
    return volunteers.distinct()


def expiring(
    *, today: datetime.date | None = None, days: int = EXPIRY_LOOKAHEAD_DAYS
) -> QuerySet[Volunteer]:
    """Active volunteers whose police certificate is due for renewal within `days` (or
    already is): due = issue date + the renewal period."""
    today = today or timezone.localdate()
    years = certificate_years()
    latest_issue = add_years(today + datetime.timedelta(days=days), -years)
    return (
        Volunteer.objects.filter(
            status__in=["active", "paused", "onboarding"],
            certificate_issued_on__isnull=False,
            certificate_issued_on__lte=latest_issue,
        )
        .select_related("user")
        .defer("address")
        .order_by("certificate_issued_on")
    )


def requests_for_user(*, user: User) -> QuerySet[VolunteerRequest]:
    """The coordinator: every request. A caseworker: the requests of cases they see."""
    requests = VolunteerRequest.objects.select_related(
        "accompaniment__case", "accompaniment__service", "assigned__user", "requested_by"
    ).defer("needs", "accompaniment__purpose", "accompaniment__outcome")
    if is_coordinator(user):
        return requests
    if has_role(user, Role.CASEWORKER) or has_role(user, Role.SUPERVISOR):
        return requests.filter(accompaniment__case__in=case_list_for_user(user=user).values("pk"))
    return VolunteerRequest.objects.none()


def request_get_for_user(*, user: User, code: Code) -> VolunteerRequest:
    found = requests_for_user(user=user).filter(code=code).first()
    if found is None:
        raise Http404("No such request")
    return found


def offers_for_volunteer(*, user: User) -> QuerySet[Offer]:
    if not has_role(user, Role.VOLUNTEER):
        return Offer.objects.none()
    return (
        Offer.objects.filter(volunteer__user=user, request__accompaniment__case__closed_on=None)
        .select_related("request__accompaniment__service", "request__accompaniment__case")
        .defer(
            "request__needs",
            "request__accompaniment__purpose",
            "request__accompaniment__outcome",
            "request__accompaniment__destination_text",
        )
    )


def open_offers_for_volunteer(*, user: User) -> QuerySet[Offer]:
    """The offers waiting for the volunteer's answer: still open, the appointment ahead."""
    return offers_for_volunteer(user=user).filter(
        status=Offer.OfferStatus.OFFERED,
        request__status__in=[
            VolunteerRequest.RequestStatus.OPEN,
            VolunteerRequest.RequestStatus.OFFERED,
        ],
        request__accompaniment__appointment_at__gt=timezone.now(),
    )


def offer_get_for_volunteer(*, user: User, code: Code) -> Offer:
    offer = offers_for_volunteer(user=user).filter(code=code).first()
    if offer is None:
        raise Http404("No such offer")
    return offer


def tandems_for_user(*, user: User) -> QuerySet[Tandem]:
    tandems = Tandem.objects.select_related("volunteer__user", "case")
    if is_coordinator(user):
        return tandems.defer("case__accommodation_address")
    if has_role(user, Role.VOLUNTEER):
        return tandems.filter(volunteer__user=user, case__closed_on=None)
    return Tandem.objects.none()


def tandem_get_for_user(*, user: User, code: Code) -> Tandem:
    tandem = tandems_for_user(user=user).filter(code=code).first()
    if tandem is None:
        raise Http404("No such tandem")
    return tandem


def tandem_case_get(*, user: User, reference: str) -> Case:
    """The open case a coordinator pairs a volunteer with, found by the reference number the
    caseworker gave them. Not cases.selectors.case_get_for_user: the coordinator sees no case
    file at all (that selector shows them none, and must), only this one case's existence for
    the pairing. A form error when no open case has the number (or for anyone else)."""
    reference = reference.strip()
    found = (
        Case.objects.filter(reference=reference, closed_on__isnull=True).first()
        if is_coordinator(user) and reference
        else None
    )
    if found is None:
        raise ValidationError({"reference": [_("No open case has this reference number.")]})
    return found


def load_of(
    volunteers: Iterable[Volunteer], *, since: datetime.datetime, until: datetime.datetime
) -> dict[int, int]:
    """Planned accompaniments per volunteer user in a period: one grouped query."""
    rows = (
        Accompaniment.objects.filter(
            volunteer__in=[v.user_id for v in volunteers],
            status=Accompaniment.Status.PLANNED,
            appointment_at__gte=since,
            appointment_at__lt=until,
        )
        .values("volunteer")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["volunteer"]: row["n"] for row in rows}


@dataclass(frozen=True)
class SignInState:
    """Whether the volunteer can sign in yet (the register's page shows it to the
    coordinator): their own password set, or the one-time code mailed and valid until when
    (None: none valid)."""

    username: str
    ready: bool
    code_until: datetime.datetime | None


def sign_in_state(volunteer: Volunteer) -> SignInState:
    user = volunteer.user
    code = (
        EnrolmentCode.objects.filter(user=user, expires_at__gt=timezone.now())
        .values_list("expires_at", flat=True)
        .first()
    )
    return SignInState(
        username=user.get_username(), ready=user.has_usable_password(), code_until=code
    )
