"""Writing the register, requests, offers, tandems and hours. Each rule refuses with a clear
message and saves nothing (one transaction); the acting user is the history user."""

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from cases.services import require_open
from caseworks import languages
from caseworks.access.roles import Role, has_role
from caseworks.audit.log import save_audited
from caseworks.house import services as house
from caseworks.web.concurrency import versioned_update
from visits import services as visit_services
from visits.models import Accompaniment
from volunteers import notify
from volunteers.models import (
    Absence,
    AvailabilitySlot,
    HoursEntry,
    Offer,
    Status,
    Tandem,
    Volunteer,
    VolunteerLanguage,
    VolunteerRequest,
)

VOLUNTEER_FIELDS = (
    "status",
    "phone",
    "email",
    "address",
    "districts",
    "mobility",
    "tasks",
    "pledge_signed_on",
    "certificate_sighted_on",
    "certificate_issued_on",
    "training_attended_on",
    "started_on",
    "ended_on",
)


def _delete_audited(obj: Any, actor: User) -> None:
    obj._history_user = actor
    obj.delete()


def _derive_dates(volunteer: Volunteer) -> None:
    """The engagement's dates follow its status: ended today, or engaged since today."""
    if volunteer.status == Status.ENDED and volunteer.ended_on is None:
        volunteer.ended_on = timezone.localdate()
    if volunteer.status != Status.ENDED:
        volunteer.ended_on = None
    if volunteer.status == Status.ACTIVE and volunteer.started_on is None:
        volunteer.started_on = timezone.localdate()


def _language_code(text: str, *, field: str) -> str:
    """The catalogue's code of a language the form chose (a code) or a caller named ("ar",
    "Arabisch"); "" for none. Unknown: a validation error, nothing is saved as free text."""
    text = " ".join(str(text or "").split())
    if not text:
        return ""
    code = languages.parse(text)
    if code is None:
        raise ValidationError({field: [_("Choose a language from the list.")]})
    return code


def _set_languages(actor: User, volunteer: Volunteer, spoken: Iterable[tuple[str, str]]) -> None:
    """The volunteer's languages become `spoken` ((code, level) pairs). Rows not yet assigned
    to a code (texts from before the codes) stay: the administrator assigns them."""
    wanted: dict[str, str] = {}
    for text, level in spoken:
        code = _language_code(text, field="languages")
        if code:
            wanted[code] = level
    for row in list(volunteer.languages.exclude(code="")):
        if row.code not in wanted:
            _delete_audited(row, actor)
        else:
            level = wanted.pop(row.code)
            if row.level != level:
                row.level = level
                save_audited(row, actor)
    for code, level in wanted.items():
        save_audited(VolunteerLanguage(volunteer=volunteer, code=code, level=level), actor)


@transaction.atomic
def volunteer_create(
    *, actor: User, user: User, data: dict[str, Any], languages: Sequence[tuple[str, str]] = ()
) -> Volunteer:
    if not has_role(user, Role.VOLUNTEER):
        raise ValidationError(
            {"user": [_("Only a login with the volunteer role can be registered.")]}
        )
    if Volunteer.objects.filter(user=user).exists():
        raise ValidationError({"user": [_("This volunteer is registered already.")]})
    volunteer = Volunteer(user=user, **{k: data[k] for k in VOLUNTEER_FIELDS if k in data})
    _derive_dates(volunteer)
    save_audited(volunteer, actor)
    _set_languages(actor, volunteer, languages)
    return volunteer


def _free_username(first_name: str, last_name: str) -> str:
    """first.last in plain letters (ä → ae), numbered when taken: maria.schmidt2."""
    name = f"{first_name}.{last_name}".casefold()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        name = name.replace(umlaut, plain)
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9.]+", "", name).strip(".")[:140] or "volunteer"
    taken = get_user_model().objects.filter(username__istartswith=base)
    used = {u.casefold() for u in taken.values_list("username", flat=True)}
    candidate, number = base, 1
    while candidate in used:
        number += 1
        candidate = f"{base}{number}"
    return candidate


@transaction.atomic
def volunteer_register(
    *,
    actor: User,
    user: User | None,
    account: dict[str, str] | None,
    data: dict[str, Any],
    languages: Sequence[tuple[str, str]] = (),
    reset_url: str,
) -> Volunteer:
    """Register a volunteer: with a login an administrator made (`user`), or with a new
    account (`account`: first name, last name, user name or "" for first.last) made here
    with the volunteer role only (caseworks.house.services.volunteer_account_create mails the
    person their one-time sign-in code to the register entry's e-mail address)."""
    if user is None:
        if account is None:
            raise ValidationError(_("Pick an account or enter the new account's name."))
        user = house.volunteer_account_create(
            actor=actor,
            username=account.get("username")
            or _free_username(account["first_name"], account["last_name"]),
            first_name=account["first_name"],
            last_name=account["last_name"],
            email=str(data.get("email", "")),
            reset_url=reset_url,
        )
    return volunteer_create(actor=actor, user=user, data=data, languages=languages)


@transaction.atomic
def volunteer_update(
    *,
    actor: User,
    volunteer: Volunteer,
    expected_version: int,
    data: dict[str, Any],
    languages: Sequence[tuple[str, str]] | None = None,
) -> Volunteer:
    current = versioned_update(
        volunteer,
        actor=actor,
        expected_version=expected_version,
        data=data,
        fields=VOLUNTEER_FIELDS,
        clean=_derive_dates,
    )
    if languages is not None:
        _set_languages(actor, current, languages)
    return current


@transaction.atomic
def slots_set(
    *, actor: User, volunteer: Volunteer, slots: Iterable[tuple[int, datetime.time, datetime.time]]
) -> None:
    """Replace the weekly availability with `slots` (weekday, from, until)."""
    wanted = set(slots)
    for slot in list(volunteer.slots.all()):
        key = (slot.weekday, slot.starts_at, slot.ends_at)
        if key in wanted:
            wanted.discard(key)
        else:
            _delete_audited(slot, actor)
    for weekday, starts_at, ends_at in sorted(wanted):
        save_audited(
            AvailabilitySlot(
                volunteer=volunteer, weekday=weekday, starts_at=starts_at, ends_at=ends_at
            ),
            actor,
        )


@transaction.atomic
def absence_add(
    *, actor: User, volunteer: Volunteer, starts_on: datetime.date, ends_on: datetime.date
) -> Absence:
    absence = Absence(volunteer=volunteer, starts_on=starts_on, ends_on=ends_on)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": [_("The end cannot be before the start.")]})
    save_audited(absence, actor)
    return absence


@transaction.atomic
def absence_remove(*, actor: User, absence: Absence) -> None:
    _delete_audited(absence, actor)


@transaction.atomic
def hours_add(
    *, actor: User, volunteer: Volunteer, date: datetime.date, minutes: int, task: str
) -> HoursEntry:
    if date > timezone.localdate():
        raise ValidationError({"date": [_("Hours can only be recorded for today or earlier.")]})
    entry = HoursEntry(volunteer=volunteer, date=date, minutes=minutes, task=task)
    save_audited(entry, actor)
    return entry


# --- requests and offers ------------------------------------------------------------------------


@transaction.atomic
def request_create(
    *, actor: User, accompaniment: Accompaniment, data: dict[str, Any]
) -> VolunteerRequest:
    require_open(accompaniment.case)
    if accompaniment.status != Accompaniment.Status.PLANNED:
        raise ValidationError(_("A volunteer can only be asked for a planned accompaniment."))
    if accompaniment.appointment_at <= timezone.now():
        raise ValidationError(_("The appointment is in the past."))
    if accompaniment.volunteer_id:
        raise ValidationError(_("A volunteer goes along already."))
    if accompaniment.volunteer_requests.filter(
        status__in=[VolunteerRequest.RequestStatus.OPEN, VolunteerRequest.RequestStatus.OFFERED]
    ).exists():
        raise ValidationError(_("A volunteer was asked for already."))
    request = VolunteerRequest(
        accompaniment=accompaniment,
        requested_by=actor,
        language=_language_code(data.get("language", ""), field="language"),
        task=data["task"],
        district=data.get("district", ""),
        needs=data.get("needs", ""),
    )
    save_audited(request, actor)
    notify.request_created(request)
    return request


def may_offer(user: User) -> bool:
    if has_role(user, Role.COORDINATOR):
        return True
    return bool(getattr(settings, "CASEWORKS_CASEWORKERS_MAY_OFFER", False)) and has_role(
        user, Role.CASEWORKER
    )


@transaction.atomic
def request_offer(
    *, actor: User, request: VolunteerRequest, volunteers: Sequence[Volunteer]
) -> list[Offer]:
    """Offer the request to one or more eligible volunteers."""
    if not may_offer(actor):
        raise ValidationError(_("Only the volunteer coordination can offer a request."))
    if not volunteers:
        raise ValidationError({"volunteers": [_("Choose at least one volunteer.")]})
    asked: list[Volunteer] = []

    def check(current: VolunteerRequest) -> None:
        if not current.is_open:
            raise ValidationError(_("This request is no longer open."))
        day = timezone.localtime(current.accompaniment.appointment_at).date()
        eligible = set(
            Volunteer.objects.eligible(on=day)
            .exclude(absences__starts_on__lte=day, absences__ends_on__gte=day)
            .values_list("pk", flat=True)
        )
        for volunteer in volunteers:
            if volunteer.pk not in eligible:
                raise ValidationError(
                    {
                        "volunteers": [
                            _("%(name)s cannot be asked: onboarding incomplete, expired or absent.")
                            % {"name": volunteer}
                        ]
                    }
                )
            if not current.offers.filter(volunteer=volunteer).exists():
                asked.append(volunteer)
        if asked and current.status == VolunteerRequest.RequestStatus.OPEN:
            current.status = VolunteerRequest.RequestStatus.OFFERED

    # The request as the coordinator's page read it: two coordinators offering at once
    # cannot both see it open (the second meets a conflict and looks again).
    current = versioned_update(
        request, actor=actor, expected_version=request.version, data={}, fields=(), clean=check
    )
    offers = []
    for volunteer in asked:
        offer = Offer(request=current, volunteer=volunteer, offered_by=actor)
        save_audited(offer, actor)
        notify.offered(offer)
        offers.append(offer)
    return offers


@transaction.atomic
def offer_answer(*, actor: User, offer: Offer, accept: bool) -> Offer:
    """The volunteer accepts or declines. Accepting assigns the accompaniment (through the
    visits service, which checks again that the volunteer may be picked).

    Race: two volunteers accept the same request at once; the request row is locked, so the
    second sees it assigned and is told so.
    """
    if offer.volunteer.user_id != actor.pk:
        raise ValidationError(_("Only the volunteer asked can answer."))
    request = VolunteerRequest.objects.select_for_update().get(pk=offer.request_id)
    current = Offer.objects.select_for_update().get(pk=offer.pk)
    if current.status != Offer.OfferStatus.OFFERED:
        raise ValidationError(_("This offer was answered already."))
    if accept and not request.is_open:
        raise ValidationError(_("Somebody else goes along already. Thank you all the same."))
    current.status = Offer.OfferStatus.ACCEPTED if accept else Offer.OfferStatus.DECLINED
    current.answered_at = timezone.now()
    save_audited(current, actor)
    if accept:
        accompaniment = request.accompaniment
        visit_services.accompaniment_update(
            actor=actor,
            accompaniment=accompaniment,
            expected_version=accompaniment.version,
            data={"volunteer": actor},
        )
        request = versioned_update(
            request,
            actor=actor,
            expected_version=request.version,  # read under the lock above
            data={
                "status": VolunteerRequest.RequestStatus.ASSIGNED,
                "assigned": current.volunteer,
            },
            fields=("status", "assigned"),
        )
        for other in request.offers.filter(status=Offer.OfferStatus.OFFERED).exclude(pk=current.pk):
            other.status = Offer.OfferStatus.WITHDRAWN
            save_audited(other, actor)
    notify.answered(current, accepted=accept)
    return current


def _still_open(request: VolunteerRequest) -> None:
    if not request.is_open:
        raise ValidationError(_("This request is no longer open."))


@transaction.atomic
def request_withdraw(*, actor: User, request: VolunteerRequest) -> VolunteerRequest:
    current = versioned_update(
        request,
        actor=actor,
        expected_version=request.version,
        data={"status": VolunteerRequest.RequestStatus.WITHDRAWN},
        fields=("status",),
        clean=_still_open,
    )
    for offer in current.offers.filter(status=Offer.OfferStatus.OFFERED):
        offer.status = Offer.OfferStatus.WITHDRAWN
        save_audited(offer, actor)
    return current


# --- tandems ------------------------------------------------------------------------------------


@transaction.atomic
def tandem_create(*, actor: User, volunteer: Volunteer, case: Case, data: dict[str, Any]) -> Tandem:
    require_open(case)
    if not volunteer.is_eligible(data.get("starts_on") or timezone.localdate()):
        raise ValidationError(
            {
                "volunteer": [
                    _("Only an active volunteer with complete onboarding can start a tandem.")
                ]
            }
        )
    if not data.get("consent_on"):
        raise ValidationError({"consent_on": [_("Record the household's consent first.")]})
    tandem = Tandem(
        volunteer=volunteer,
        case=case,
        starts_on=data.get("starts_on") or timezone.localdate(),
        ends_on=data.get("ends_on"),
        consent_on=data["consent_on"],
        may_see_phone=bool(data.get("may_see_phone")),
        may_see_address=bool(data.get("may_see_address")),
        created_by=actor,
    )
    save_audited(tandem, actor)
    return tandem


def _ends_after_start(tandem: Tandem) -> None:
    if tandem.ends_on is not None and tandem.ends_on < tandem.starts_on:
        raise ValidationError({"ends_on": [_("The end cannot be before the start.")]})


def tandem_end(*, actor: User, tandem: Tandem, ends_on: datetime.date) -> Tandem:
    return versioned_update(
        tandem,
        actor=actor,
        expected_version=tandem.version,
        data={"ends_on": ends_on},
        fields=("ends_on",),
        clean=_ends_after_start,
    )
