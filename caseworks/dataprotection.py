"""Data-protection lifecycle: the disclosure export (Art. 15 DSGVO) and retention.

Both need "everything stored about a person / a case", across the apps. PERSON_DATA lists,
for every model that holds such data, how to find its rows; a test checks that every model
with an encrypted field or a history is listed, so a new model cannot be forgotten.
"""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from caseworks.fields import BlindIndexField, EncryptedBinaryField


@dataclass(frozen=True)
class Source:
    label: str  # app_label.Model
    key: str  # JSON key in the disclosure
    by_person: str  # lookup from the model to the Client (a Q built with the person)
    by_case: str  # lookup from the model to the Case

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


# Order matters for deletion: rows that PROTECT others come first.
PERSON_DATA = [
    Source("referrals.Letter", "letters", "referral__client", "referral__case"),
    Source("referrals.Referral", "referrals", "client", "case"),
    Source("visits.Accompaniment", "accompaniments", "client", "case"),
    Source("referrals.Consent", "consents", "client", "client__case"),
    Source("visits.Visit", "visits", "present", "case"),
    Source("visits.ArrivalCheck", "arrival_checks", "", "case"),
    Source("cases.Deadline", "deadlines", "client", "case"),
    Source("cases.BamfDecision", "bamf_decisions", "client", "client__case"),
    Source("cases.ClientReference", "reference_numbers", "client", "client__case"),
    Source("cases.ResidenceStatus", "residence_statuses", "client", "client__case"),
    Source("cases.CoverAccess", "cover_accesses", "", "case"),
    Source("cases.CaseShare", "shares", "", "case"),
    Source("cases.Client", "persons", "pk", "case"),
]
# Bookkeeping without personal data, or data of staff rather than of clients.
NOT_PERSON_DATA = {
    "caseworks.AccessLog",
    "caseworks.KeyCanary",
    "caseworks.Organisation",
    "caseworks.Team",
    "caseworks.Service",
    "caseworks.RetentionRun",
    "cases.Case",
    "cases.ReferenceCounter",
    "visits.CalendarToken",
    "visits.ReminderSent",
}


def _rows(source: Source, *, case, person=None):
    queryset = source.model._default_manager.filter(**{source.by_case: case})
    if person is not None:
        if source.by_person == "pk":
            queryset = queryset.filter(pk=person.pk)
        elif source.by_person:
            condition = Q(**{source.by_person: person})
            if source.label == "cases.Deadline":  # household deadlines concern everyone
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


def record(obj, *, skip=()) -> dict:
    """Every stored field of `obj` in readable form (display values for choices, names for
    related rows). Blind indexes are keyed hashes, not data about the person, and left out."""
    data = {}
    for field in obj._meta.concrete_fields:
        if isinstance(field, BlindIndexField) or field.name in skip:
            continue
        if isinstance(field, EncryptedBinaryField):
            blob = getattr(obj, field.attname)
            data[field.name] = f"({len(blob or b'')} bytes, PDF)" if blob else None
        elif field.is_relation:
            related = getattr(obj, field.name)
            if related is None:
                data[field.name] = None
            elif hasattr(related, "get_full_name"):
                data[field.name] = related.get_full_name() or related.get_username()
            else:
                data[field.name] = str(related)
        elif field.choices:
            data[field.name] = str(getattr(obj, f"get_{field.name}_display")())
        else:
            data[field.name] = _plain(getattr(obj, field.attname))
    return data


def disclosure(person) -> dict:
    """Everything Caseworks stores about `person` (a Client), with history and access log."""
    from caseworks.models import AccessLog

    case = person.case
    data = {
        "generated_at": _plain(timezone.now()),
        "controller": str(case.team.organisation),
        "person": record(person),
        "case": record(case),
    }
    codes = {case.code, person.code}
    history = []
    for source in PERSON_DATA:
        rows = list(_rows(source, case=case, person=person))
        if source.label != "cases.Client":
            data[source.key] = [record(row) for row in rows]
        codes.update(row.code for row in rows if hasattr(row, "code"))
        history_model = getattr(source.model, "history", None)
        if history_model is not None and rows:
            for h in (
                history_model.filter(id__in=[r.pk for r in rows])
                .select_related("history_user")
                .order_by("history_date")
            ):
                history.append(
                    {
                        "record": str(source.model._meta.verbose_name),
                        "at": _plain(h.history_date),
                        "change": str(h.get_history_type_display()),
                        "by": (h.history_user.get_full_name() or h.history_user.get_username())
                        if h.history_user
                        else None,
                        "values": record(
                            h,
                            skip={
                                "history_id",
                                "history_date",
                                "history_type",
                                "history_user",
                                "history_change_reason",
                            },
                        ),
                    }
                )
    for h in case.history.select_related("history_user").order_by("history_date"):
        history.append(
            {
                "record": str(case._meta.verbose_name),
                "at": _plain(h.history_date),
                "change": str(h.get_history_type_display()),
                "by": (h.history_user.get_full_name() or h.history_user.get_username())
                if h.history_user
                else None,
                "values": record(
                    h,
                    skip={
                        "history_id",
                        "history_date",
                        "history_type",
                        "history_user",
                        "history_change_reason",
                    },
                ),
            }
        )
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


def expired_cases(today: datetime.date | None = None):
    """Per organisation (each sets its own retention period, default 3 years): the cutoff
    and the cases closed before it."""
    from cases.models import Case
    from caseworks.models import Organisation

    for organisation in Organisation.objects.order_by("pk"):
        cutoff = retention_cutoff(organisation.retention_years, today)
        yield (
            organisation,
            cutoff,
            Case.objects.filter(team__organisation=organisation, closed_on__lt=cutoff).order_by(
                "pk"
            ),
        )


def purge_case(case) -> dict[str, int]:
    """Delete a case with everything about it: its rows, their history rows, archived
    letters and the access log entries about them. Counts only are returned."""
    from caseworks.models import AccessLog

    counts: dict[str, int] = {}
    codes = {case.code}
    deleted: list[tuple[type[models.Model], list[int]]] = []
    with transaction.atomic():
        for source in PERSON_DATA:
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


def apply_retention(*, dry_run: bool, today: datetime.date | None = None) -> tuple:
    from caseworks.models import RetentionRun

    totals: dict[str, int] = {}
    cutoffs = {}
    for organisation, cutoff, cases in expired_cases(today):
        cutoffs[str(organisation.pk)] = cutoff.isoformat()
        for case in cases:
            if dry_run:
                counts = {"cases": 1, **{s.key: _rows(s, case=case).count() for s in PERSON_DATA}}
            else:
                counts = purge_case(case)
            for key, n in counts.items():
                totals[key] = totals.get(key, 0) + n
    run = RetentionRun.objects.create(dry_run=dry_run, cutoffs=cutoffs, counts=totals)
    return run, totals
