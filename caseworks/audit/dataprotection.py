"""Data-protection lifecycle: the disclosure export (Art. 15 DSGVO) and retention.

Both need "everything stored about a person / a case", across the apps, while this module
imports no app: each app registers its sources in AppConfig.ready() (register_person_data in
caseworks.extensions.personal_data), saying for every model that holds such data how to find
its rows, and declares the models that hold none (register_not_person_data). A test checks
that every model is one or the other, so a new model cannot be forgotten. Retention itself
(which cases are due) lives in cases.privacy.retention; deleting a case with all its rows is
purge_case here.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _

from caseworks import languages
from caseworks.extensions.personal_data import (
    Source,
    person_data_sources,
    register_not_person_data,
)
from caseworks.fields import (
    BlindIndexField,
    EncryptedBinaryField,
    LanguageCodeField,
    LanguageCodesField,
)
from caseworks.models import AccessLog
from caseworks.web.users import display_name


def _rows(source: Source, *, case, person=None):
    queryset = source.model._default_manager.filter(**{source.by_case: case})
    if person is not None:
        if source.by_person == "pk":
            queryset = queryset.filter(pk=person.pk)
        elif source.by_person:
            lookups = (source.by_person,) if isinstance(source.by_person, str) else source.by_person
            condition = Q()
            for lookup in lookups:
                condition |= Q(**{lookup: person})
            if source.household_rows:
                condition |= Q(client__isnull=True)
            queryset = queryset.filter(condition)
    return queryset.distinct().order_by("pk")


# --- disclosure -------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str | dict):
        return value
    return str(value)


def _related_label(obj, field, related: dict) -> str | None:
    """The name of the row `field` points to, looked up once a row per disclosure: 2,000
    visits name the same case and a few caseworkers (a query each made it take minutes)."""
    pk = getattr(obj, field.attname)
    if pk is None:
        return None
    key = (field.related_model, pk)
    if key not in related:
        try:
            target = getattr(obj, field.name)
        except ObjectDoesNotExist:  # a history row may point to a row deleted since
            target = None
        if target is None:
            related[key] = f"({field.related_model._meta.verbose_name} {pk}, deleted)"
        elif hasattr(target, "get_full_name"):
            related[key] = display_name(target)
        else:
            related[key] = str(target)
    return related[key]


def _choice_label(obj, field, cache: dict) -> str:
    """What get_FOO_display() says, with the field's choices turned into a dict once a
    disclosure (Django builds it on every call: the countries, for every history row)."""
    key = ("choices", field)
    if key not in cache:
        cache[key] = {k: str(label) for k, label in make_hashable(field.flatchoices)}
    value = getattr(obj, field.attname)
    return str(cache[key].get(make_hashable(value), value))


def record(obj, *, skip=(), related: dict | None = None) -> dict:
    """Every stored field of `obj` in readable form (display values for choices, names for
    related rows). Blind indexes are keyed hashes, not data about the person, and left out.
    `related`: a cache of related rows' names, shared by the records of one disclosure."""
    related = {} if related is None else related
    data = {}
    for field in obj._meta.concrete_fields:
        if isinstance(field, BlindIndexField) or field.name in skip:
            continue
        if isinstance(field, EncryptedBinaryField):
            blob = getattr(obj, field.attname)
            data[field.name] = f"({len(blob or b'')} bytes)" if blob else None
        elif field.is_relation:
            data[field.name] = _related_label(obj, field, related)
        elif field.choices:
            data[field.name] = _choice_label(obj, field, related)
        elif isinstance(field, LanguageCodesField | LanguageCodeField):
            # Languages by name (caseworks.languages), not as ISO codes nobody reads.
            codes = getattr(obj, field.attname)
            data[field.name] = ", ".join(
                languages.names([codes] if isinstance(codes, str) else codes)
            )
        else:
            data[field.name] = _plain(getattr(obj, field.attname))
    return data


HISTORY_BOOKKEEPING = {
    "history_id",
    "history_date",
    "history_type",
    "history_user",
    "history_change_reason",
}


def _once(cache: dict, key, make):
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _history_entry(model: type[models.Model], row, related: dict) -> dict:
    return {
        "record": _once(related, ("name", model), lambda: str(model._meta.verbose_name)),
        "at": _plain(row.history_date),
        "change": _once(
            related, ("change", row.history_type), lambda: str(row.get_history_type_display())
        ),
        "by": _once(
            related, ("by", row.history_user_id), lambda: display_name(row.history_user) or None
        ),
        "values": record(row, skip=HISTORY_BOOKKEEPING, related=related),
    }


def disclosure(person) -> dict:
    """Everything Caseworks stores about `person` (a Client), with history and access log."""
    case = person.case
    related: dict = {}  # names of related rows, each looked up once
    data = {
        "generated_at": _plain(timezone.now()),
        "controller": str(case.team.organisation),
        "person": record(person, related=related),
        "case": record(case, related=related),
    }
    codes = {case.code, person.code}
    history = []
    for source in person_data_sources():
        rows = list(_rows(source, case=case, person=person))
        if source.by_person != "pk":  # the person's own record is "person" above
            data[source.key] = [record(row, related=related) for row in rows]
        codes.update(row.code for row in rows if hasattr(row, "code"))
        history_model = getattr(source.model, "history", None)
        if history_model is not None and rows:
            rows_history = history_model.filter(id__in=[r.pk for r in rows])
            for h in rows_history.select_related("history_user").order_by("history_date"):
                history.append(_history_entry(source.model, h, related))
    for h in case.history.select_related("history_user").order_by("history_date"):
        history.append(_history_entry(type(case), h, related))
    data["history"] = sorted(history, key=lambda h: h["at"])
    data["access_log"] = [
        {
            "at": _plain(entry.at),
            "by": entry.username,
            "action": entry.action,
            "record": entry.object_type,
            "reference": entry.object_label,
        }
        for entry in AccessLog.objects.filter(object_code__in=codes).order_by("at")
    ]
    return data


# --- retention --------------------------------------------------------------------------------


def retention_cutoff(years: int, today: datetime.date | None = None) -> datetime.date:
    """Cases closed before this day are due: `years` before today (28 Feb for 29 Feb)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def purge_case(case) -> dict[str, int]:
    """Delete a case with everything about it: its rows, their history rows, archived
    letters and the access log entries about them. Counts only are returned."""
    counts: dict[str, int] = {}
    codes = {case.code}
    deleted: list[tuple[type[models.Model], list[int]]] = []
    with transaction.atomic():
        for source in person_data_sources():
            model = source.model
            ids = list(_rows(source, case=case).values_list("pk", flat=True))
            if hasattr(model, "code"):
                codes.update(
                    model._default_manager.filter(pk__in=ids).values_list("code", flat=True)
                )
            if ids:
                model._default_manager.filter(pk__in=ids).delete()
            deleted.append((model, ids))
            counts[source.key] = len(ids)
        case_pk = case.pk
        case.delete()
        deleted.append((type(case), [case_pk]))
        counts["cases"] = 1
        # Deleting wrote "deleted" history rows too; all of them go now.
        counts["history rows"] = sum(
            model.history.filter(id__in=ids).delete()[0]
            for model, ids in deleted
            if ids and hasattr(model, "history")
        )
        # The access log is append-only for everyone; retention is its one way out.
        counts["access log entries"] = AccessLog._base_manager.filter(
            object_code__in=codes
        ).delete()[0]
    return counts


def case_row_counts(case) -> dict[str, int]:
    """What purge_case would delete, counted (a dry run)."""
    return {"cases": 1, **{s.key: _rows(s, case=case).count() for s in person_data_sources()}}


# The core's own tables: bookkeeping and staff data, no client data.
register_not_person_data(
    "caseworks.AccessLog",
    "caseworks.KeyCanary",
    "caseworks.Organisation",
    "caseworks.Team",
    "caseworks.Service",
    # A language text and the code the administrator gave it (/manage/languages/): which
    # records held it is not kept, only how many.
    "caseworks.LanguageDecision",
    # The UUID by which /manage/ addresses a staff account (staff data, no client data).
    "caseworks.UserCode",
    "caseworks.RetentionRun",
    # Which create forms a user saved (a keyed hash and the saved page's address; no content).
    "caseworks.Submission",
    # Staff's second factor and sign-in bookkeeping: no client data (seeds encrypted,
    # codes hashed; caseworks.signin.services).
    "caseworks.AuthenticatorDevice",
    "caseworks.RecoveryCodeDevice",
    "caseworks.RecoveryCode",
    "caseworks.EnrolmentCode",
    "caseworks.SignInThrottle",
    # A change to a staff account waiting for a second person (caseworks.house.services): the
    # account, who asked and decided, the roles, team ids, name and e-mail wanted. Staff data
    # like the access log's account entries; no client data.
    "caseworks.AccountRequest",
    # A carrier's directory sign-in (caseworks.directory, issue 33): the provider's settings
    # (its client secret encrypted), the group mappings, which directory subject is which
    # staff account, the sign-in's session and its second-factor marker. Staff data only.
    "caseworks.DirectoryProvider",
    "caseworks.DirectoryMapping",
    "caseworks.DirectoryIdentity",
    "caseworks.DirectorySession",
    "caseworks.DirectoryDevice",
)


# --- what is per carrier, and what the house shares (issue 31) --------------------------------
#
# Every registered person-data source above reaches its case (Source.by_case), and a case
# belongs to one team of one carrier: client data is always one carrier's, the controller
# whose DPO reads its access log, disclosures and retention reports. What the carriers share
# is declared here, with the models that hold it; the joint arrangement (Art. 26 DSGVO,
# caseworks.audit.arrangement) prints this list, and a test checks that none of these models
# is a carrier's person data.


@dataclass(frozen=True)
class HouseWide:
    """Something the house's carriers run together, not one carrier's client data."""

    key: str
    title: str | Promise
    models: tuple[str, ...]  # app_label.Model
    managed_by: str | Promise
    note: str | Promise


HOUSE_WIDE: tuple[HouseWide, ...] = (
    HouseWide(
        "services",
        _("Service directory"),
        ("caseworks.Service",),
        _("the administrators"),
        _("Authorities, institutions and services that cases are referred to; no client data."),
    ),
    HouseWide(
        "volunteers",
        _("Volunteer network"),
        (
            "volunteers.Volunteer",
            "volunteers.Offer",
            "volunteers.AvailabilitySlot",
            "volunteers.Absence",
            "volunteers.HoursEntry",
            "volunteers.VolunteerLanguage",
        ),
        _("the volunteer coordinators"),
        _(
            "The volunteers' own data, one network for the whole house. What a volunteer "
            "learns about a client (an accompaniment, a tandem) belongs to the case and stays "
            "with the carrier whose case it is."
        ),
    ),
    HouseWide(
        "events",
        _("Events"),
        ("community.Event", "community.Registration"),
        _("the volunteer coordinators"),
        _("Events of the house and who registered for them."),
    ),
    HouseWide(
        "newsletter",
        _("Newsletter"),
        ("community.Subscriber", "community.Consent", "community.Issue", "community.Delivery"),
        _("the volunteer coordinators"),
        _("The house's newsletter, its subscribers and their consent."),
    ),
    HouseWide(
        "accounts",
        _("Staff accounts and sign-in"),
        (
            "auth.User",
            "caseworks.UserCode",
            "caseworks.AuthenticatorDevice",
            "caseworks.RecoveryCodeDevice",
            "caseworks.EnrolmentCode",
            "caseworks.AccountRequest",
            "caseworks.DirectoryProvider",
            "caseworks.DirectoryMapping",
            "caseworks.DirectoryIdentity",
            "caseworks.DirectorySession",
            "caseworks.DirectoryDevice",
        ),
        _("the administrators, with a second person's approval"),
        _(
            "One account per person working in the house; which carrier's files it opens is "
            "decided by its teams. Changes to accounts are in every carrier's access log."
        ),
    ),
)


def house_wide() -> tuple[HouseWide, ...]:
    return HOUSE_WIDE
