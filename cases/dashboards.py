"""The cases app's dashboard columns and statistics tables (see caseworks.supervision)."""

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Sum
from django.utils.translation import gettext as _
from django_countries import countries

from cases import models as case_models
from cases.models import Client, Contact, ContactKind, Deadline, Gender, StatusKind
from caseworks.supervision import Column, StatTable, grouped, register_columns, register_statistics

TEAM, ASSIGNEE = "team_id", "assigned_to_id"
AGE_GROUPS = [(0, 5), (6, 11), (12, 17), (18, 26), (27, 44), (45, 64), (65, 200)]


@register_columns
def case_columns(*, cases, today):
    clients = Client.objects.filter(case__in=cases)
    escalated = Deadline.objects.escalated(today)
    return [
        Column(
            "open_cases",
            _("open cases (households)"),
            10,
            grouped(cases, TEAM, ASSIGNEE),
            drilldown=lambda qs: qs,
        ),
        Column(
            "persons",
            _("persons"),
            20,
            grouped(clients, "case__team_id", "case__assigned_to_id"),
            drilldown=lambda qs: qs,
        ),
        Column(
            "deadlines_escalated",
            _("deadlines escalated (due within %(days)s days, not done)")
            % {"days": case_models.ESCALATION_DAYS},
            5,
            grouped(escalated.filter(case__in=cases), "case__team_id", "case__assigned_to_id"),
            drilldown=lambda qs: qs.filter(Exists(escalated.filter(case=OuterRef("pk")))),
        ),
        Column(
            "expiring",
            _("documents expired or expiring within %(days)s days")
            % {"days": settings.CASEWORKS_EXPIRY_WARNING_DAYS},
            60,
            grouped(clients.expiring(today), "case__team_id", "case__assigned_to_id"),
            drilldown=lambda qs: qs.expiring(today),
        ),
    ]


def _rows(pairs, labels):
    return sorted(
        ((str(labels.get(key, key or _("not recorded"))), n) for key, n in pairs),
        key=lambda row: -row[1],
    )


@register_statistics
def case_statistics(*, cases, start, end):
    """Persons, and households (counted by their main contact), by four dimensions."""
    persons = Client.objects.filter(case__in=cases)
    households = persons.filter(relationship="main_contact")
    kinds = dict(StatusKind.choices)
    country_names = {code: name for code, name in countries}
    genders = dict(Gender.choices)

    def by(clients, field, labels):
        counts = clients.values(field).annotate(n=Count("pk")).order_by()
        return _rows(((r[field], r["n"]) for r in counts), labels)

    def by_status(clients):
        return by(clients.with_current_status("kind", on=end), "current_kind", kinds)

    return [
        StatTable("persons_status", _("Persons by residence status"), 10, by_status(persons)),
        StatTable(
            "households_status",
            _("Households by residence status of the main contact"),
            11,
            by_status(households),
        ),
        StatTable(
            "nationality",
            _("Persons by nationality"),
            20,
            by(persons, "nationality", country_names),
        ),
        StatTable(
            "households_nationality",
            _("Households by nationality of the main contact"),
            21,
            by(households, "nationality", country_names),
        ),
        StatTable("age", _("Persons by age group"), 30, _age_groups(persons, end)),
        StatTable(
            "households_age",
            _("Households by age group of the main contact"),
            31,
            _age_groups(households, end),
        ),
        StatTable("gender", _("Persons by gender"), 40, by(persons, "gender", genders)),
        StatTable(
            "households_gender",
            _("Households by gender of the main contact"),
            41,
            by(households, "gender", genders),
        ),
    ]


def _age_groups(clients, day):
    """Birth dates are encrypted: decrypted here only to count, never shown."""
    counts = {group: 0 for group in AGE_GROUPS}
    unknown = 0
    for birth_date in clients.values_list("birth_date", flat=True):
        if birth_date is None:
            unknown += 1
            continue
        age = (
            day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
        )
        for low, high in AGE_GROUPS:
            if low <= age <= high:
                counts[(low, high)] += 1
                break
    rows = [
        (f"{low}–{high}" if high < 200 else f"{low}+", n) for (low, high), n in counts.items() if n
    ]
    if unknown:
        rows.append((_("not recorded"), unknown))
    return rows


@register_statistics
def contact_statistics(*, cases, start, end):
    """Case-related counselling outside the visits (einzelfallbezogene Beratung): contacts by
    kind and the hours they took. File notes are records, not counselling: listed, no hours."""
    rows = (
        Contact.objects.filter(case__in=cases, date__gte=start, date__lte=end)
        .values("kind")
        .annotate(n=Count("pk"), minutes=Sum("duration_minutes"))
        .order_by()
    )
    kinds = dict(ContactKind.choices)
    by_kind = {r["kind"]: r for r in rows}
    counselling = [r for k, r in by_kind.items() if k != ContactKind.FILE_NOTE]
    return [
        StatTable(
            "contacts",
            _("Contacts and file notes"),
            65,
            [(str(kinds[k]), r["n"]) for k, r in by_kind.items()],
        ),
        StatTable(
            "contact_hours",
            _("Counselling hours (contacts, rounded)"),
            66,
            [
                (str(kinds[k]), round((r["minutes"] or 0) / 60))
                for k, r in by_kind.items()
                if k != ContactKind.FILE_NOTE
            ]
            + (
                [(_("all contacts"), round(sum(r["minutes"] or 0 for r in counselling) / 60))]
                if counselling
                else []
            ),
        ),
    ]
