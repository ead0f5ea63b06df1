"""The cases app's dashboard columns and statistics tables (see
caseworks.extensions.supervision)."""

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext as _
from django_countries import countries

from cases import models as case_models
from cases.models import (
    Client,
    ClientReference,
    Contact,
    ContactKind,
    Deadline,
    Gender,
    Relationship,
    ResidenceStatus,
    StatusKind,
)
from cases.models.client import expiring as client_expiring
from caseworks.extensions.supervision import (
    Column,
    Item,
    Source,
    StatTable,
    counted,
    register_columns,
    register_statistics,
)

TEAM, ASSIGNEE = "team_id", "assigned_to_id"
AGE_GROUPS = [(0, 5), (6, 11), (12, 17), (18, 26), (27, 44), (45, 64), (65, 200)]


@register_columns
def case_columns(*, cases, today):
    clients = Client.objects.filter(case__in=cases)
    escalated = Deadline.objects.escalated(today).filter(case__in=cases)
    current_status = ResidenceStatus.objects.latest_of(OuterRef("pk"))
    reference = ClientReference.objects.filter(client=OuterRef("pk"), valid_until__isnull=False)
    status_until = Subquery(current_status.values("valid_until")[:1])
    reference_until = Subquery(reference.order_by("valid_until").values("valid_until")[:1])
    expiring = client_expiring(today)
    # Persons and those with a document expiring: one query, the condition the list's filter.
    of_clients = counted(
        clients,
        "case__team_id",
        "case__assigned_to_id",
        persons=Count("pk"),
        expiring=Count("pk", filter=expiring),
    )
    # The earliest end among the current document and the references: Least() of two
    # Coalesce()s, since SQLite's MIN()/LEAST return NULL when one side is NULL.
    expiring_clients = clients.filter(expiring).annotate(
        expires=Least(
            Coalesce(status_until, reference_until), Coalesce(reference_until, status_until)
        )
    )
    return [
        Column(
            "open_cases",
            _("open cases"),
            10,
            sources=[
                Source(
                    cases.order_by("reference"),
                    TEAM,
                    ASSIGNEE,
                    lambda case: Item(case, case.opened_on, _("opened")),
                    case="",
                )
            ],
            primary=True,
            help=_("open cases: households accompanied now, with the day they were opened."),
        ),
        Column(
            "persons",
            _("persons"),
            20,
            counts=of_clients["persons"],
            sources=[
                Source(
                    clients.order_by("case__reference", "pk").only(
                        "pk", "case", "first_name", "last_name", "relationship"
                    ),
                    "case__team_id",
                    "case__assigned_to_id",
                    lambda client: Item(client.case, None, client.full_name),
                )
            ],
            help=_("persons: everyone in the open cases."),
        ),
        Column(
            "deadlines_escalated",
            _("deadlines escalated"),
            5,
            sources=[
                Source(
                    escalated.order_by("due_on", "pk"),
                    "case__team_id",
                    "case__assigned_to_id",
                    lambda deadline: Item(deadline.case, deadline.due_on, deadline.label),
                )
            ],
            primary=True,
            help=_("deadlines escalated: not done and due within %(days)s days, or missed.")
            % {"days": case_models.ESCALATION_DAYS},
        ),
        Column(
            "expiring",
            _("documents expiring"),
            60,
            counts=of_clients["expiring"],
            sources=[
                Source(
                    expiring_clients.order_by("expires", "pk").only(
                        "pk", "case", "first_name", "last_name"
                    ),
                    "case__team_id",
                    "case__assigned_to_id",
                    lambda client: Item(client.case, client.expires, client.full_name),
                )
            ],
            primary=True,
            help=_(
                "documents expiring within %(days)s days: persons whose residence document or "
                "a registered reference (passport, eAT card …) has expired or expires within "
                "%(days)s days."
            )
            % {"days": settings.CASEWORKS_EXPIRY_WARNING_DAYS},
        ),
    ]


def _rows(pairs, labels):
    """(label, count) by count; a value not recorded (None or "", which a choice list may
    label with dashes) is one row, "not recorded"."""
    counts: dict[str, int] = {}
    for key, n in pairs:
        label = str(labels.get(key, key)) if key else str(_("not recorded"))
        counts[label] = counts.get(label, 0) + n
    return sorted(counts.items(), key=lambda row: -row[1])


@register_statistics
def case_statistics(*, cases, start, end):
    """Persons, and households (counted by their main contact), by four dimensions: counted
    in ONE query, grouped by all four at once (and main contact or not), the tables being its
    sums along each dimension."""
    kinds = dict(StatusKind.choices)
    country_names = {code: name for code, name in countries}
    genders = dict(Gender.choices)
    cube = list(
        Client.objects.filter(case__in=cases)
        .with_current_status("kind", on=end)
        .values("current_kind", "nationality", "birth_year", "gender")
        .annotate(n=Count("pk"), main=Count("pk", filter=Q(relationship=Relationship.MAIN_CONTACT)))
        .order_by()
    )

    def by(field, labels, count="n"):
        return _rows(((r[field], r[count]) for r in cube if r[count]), labels)

    def ages(count="n"):
        return _age_groups(((r["birth_year"], r[count]) for r in cube if r[count]), end)

    return [
        StatTable(
            "persons_status", _("Persons by residence status"), 10, by("current_kind", kinds)
        ),
        StatTable(
            "households_status",
            _("Households by residence status of the main contact"),
            11,
            by("current_kind", kinds, "main"),
        ),
        StatTable("nationality", _("Persons by nationality"), 20, by("nationality", country_names)),
        StatTable(
            "households_nationality",
            _("Households by nationality of the main contact"),
            21,
            by("nationality", country_names, "main"),
        ),
        StatTable("age", _("Persons by age group"), 30, ages()),
        StatTable(
            "households_age", _("Households by age group of the main contact"), 31, ages("main")
        ),
        StatTable("gender", _("Persons by gender"), 40, by("gender", genders)),
        StatTable(
            "households_gender",
            _("Households by gender of the main contact"),
            41,
            by("gender", genders, "main"),
        ),
    ]


def _age_groups(years, day):
    """Ages reached in the year of `day` (the period's end), from (birth year, persons): the
    year is kept in the clear for this (Client.birth_year), nothing is decrypted. For a
    calendar year the age on its last day; for another period a person whose birthday is
    still to come that year counts one year older (docs/statistics.md)."""
    counts = {group: 0 for group in AGE_GROUPS}
    unknown = 0
    for birth_year, n in years:
        if birth_year is None:
            unknown += n
            continue
        age = day.year - birth_year
        for low, high in AGE_GROUPS:
            if low <= age <= high:
                counts[(low, high)] += n
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
            ],
        ),
    ]
