"""Residence perspectives: where the data already recorded (the residence status history,
birth dates, schooling, training and work, the household's children) suggests that a rule of
the Residence Act may open a path to a secure status.

Never legal advice: each prompt says the case is *worth checking with asylum/residence
counselling* and offers a referral. The rules are deliberately coarse (a gap in the status
history, a conviction, identity, livelihood, language are not known here), so a prompt is a
reason to ask, and a missing prompt proves nothing.

Each rule below carries its legal basis and thresholds next to the code. Every rule takes
`today` as an argument (tests pin it). Periods of years end on the same calendar date, a
29 February on 28 February (§ 188 (2), (3) BGB).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from cases.models import Relationship, ResidenceStatus, StatusKind
from cases.plan.models import Activity as ActivityRow
from cases.plan.models import ActivityKind
from caseworks.models import Service

# --- which statuses count ------------------------------------------------------------------

# Tolerations (Duldung, § 60a AufenthG) and its special forms. The § 60b Duldung ("for
# persons with unclear identity") is left out: its time does not count as prior toleration
# (§ 60b (5) AufenthG) and it excludes §§ 60c, 60d.
TOLERATIONS = frozenset(
    {
        StatusKind.TOLERATION,
        StatusKind.TRAINING_TOLERATION,
        StatusKind.EMPLOYMENT_TOLERATION,
    }
)
# Residence "permitted, tolerated or with a permission to reside (Gestattung)" — the
# pre-residence of §§ 25a, 25b and 104c AufenthG. Any recorded status except a border
# crossing certificate (the person is obliged to leave) and unknown ones counts.
LAWFUL_OR_TOLERATED = frozenset(StatusKind.values) - {
    StatusKind.BORDER_CROSSING_CERTIFICATE,
    StatusKind.UNKNOWN,
    StatusKind.OTHER,
}
# Already on a secure or integration path: no prompt.
SECURE = frozenset(
    {
        StatusKind.INTEGRATION_PERMIT,
        StatusKind.SETTLEMENT_PERMIT,
        StatusKind.RESIDENCE_PERMIT_ASYLUM,
        StatusKind.OPPORTUNITY_RESIDENCE,
    }
)


# --- the facts a rule reads -------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    kind: str
    valid_from: datetime.date
    valid_until: datetime.date | None = None


@dataclass(frozen=True)
class Activity:
    kind: str
    since: datetime.date
    until: datetime.date | None = None
    hours_per_week: int | None = None


@dataclass
class Person:
    """What the rules know about one person (plain values: the tests build these)."""

    birth_date: datetime.date | None
    statuses: list[Status] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    # Minor unmarried children living in the household (§ 25b (1) 2 AufenthG).
    has_minor_children: bool = False
    key: Any = None  # the Client the facts are about (not read by the rules)


@dataclass(frozen=True)
class Prompt:
    rule: str
    title: object  # a lazy translation
    basis: str
    text: object
    referral_category: str = Service.Category.ASYLUM_COUNSELLING
    person: object = None


# --- date arithmetic ---------------------------------------------------------------------------


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar date `years` later; 29 February becomes 28 February (§ 188 (3) BGB:
    a missing day ends the period on the month's last day)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day where it has none (§ 188 (3) BGB)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def age_reached(birth_date: datetime.date | None, years: int, today: datetime.date) -> bool:
    return birth_date is not None and today >= add_years(birth_date, years)


def _current(person: Person, today: datetime.date) -> Status | None:
    started = [s for s in person.statuses if s.valid_from <= today]
    return max(started, key=lambda s: s.valid_from) if started else None


def _run_start(person: Person, kinds: Iterable[str], today: datetime.date) -> datetime.date | None:
    """The first day of the latest unbroken run of statuses of `kinds` up to today (the
    current status must be one of them): walks back through the history while the kinds
    hold. Gaps between documents are not detected (renewals are often recorded late)."""
    kinds = frozenset(kinds)
    history = sorted(
        (s for s in person.statuses if s.valid_from <= today), key=lambda s: s.valid_from
    )
    start = None
    for status in reversed(history):
        if status.kind not in kinds:
            break
        start = status.valid_from
    return start


def _residence_since(person: Person, today: datetime.date) -> datetime.date | None:
    """Since when the person has stayed permitted, tolerated or with a Gestattung."""
    return _run_start(person, LAWFUL_OR_TOLERATED, today)


def _days(activities: Iterable[Activity], kind: str, today: datetime.date) -> int:
    """Days spent in activities of `kind` before today (an ended one to its last day
    inclusive; overlaps counted once)."""
    days: set[datetime.date] = set()
    for a in activities:
        if a.kind != kind:
            continue
        last = min(
            a.until or today - datetime.timedelta(days=1), today - datetime.timedelta(days=1)
        )
        day = a.since
        while day <= last:
            days.add(day)
            day += datetime.timedelta(days=1)
    return len(days)


def _years_in_days(years: int, today: datetime.date) -> int:
    """The days of the `years` years before today: a period running since that day has
    lasted `years` years today."""
    return (today - add_years(today, -years)).days


def _unbroken_since(
    activities: Iterable[Activity], kind: str, today: datetime.date, *, min_hours=0
):
    """The start of the activity of `kind` running today (earliest start among those
    running today), or None."""
    running = [
        a
        for a in activities
        if a.kind == kind
        and a.since <= today
        and (a.until is None or a.until >= today)
        and (a.hours_per_week or 0) >= min_hours
    ]
    return min((a.since for a in running), default=None)


# --- the rules ---------------------------------------------------------------------------------

RULES: list[Callable[[Person, datetime.date], Prompt | None]] = []


def rule(function):
    RULES.append(function)
    return function


# § 25a AufenthG (as amended by the Chancen-Aufenthaltsrecht act, in force 31 Dec 2022):
# a tolerated young person ("jugendlich oder junger Volljähriger") who
AGE_25A_FROM = 14  # is a young person: 14 or older (Jugendlicher, § 7 (1) Nr. 2 SGB VIII) ...
AGE_25A_BELOW = 27  # ... and applies before the 27th birthday (§ 25a (1) 1 Nr. 3),
YEARS_25A_RESIDENCE = 3  # has stayed 3 years uninterrupted permitted, tolerated or with a
#                          Gestattung (§ 25a (1) 1 Nr. 1),
YEARS_25A_SCHOOL = 3  # and attended school successfully in Germany for 3 years or holds a
#                       recognised school or vocational qualification (§ 25a (1) 1 Nr. 2).


@rule
def rule_25a(person: Person, today: datetime.date) -> Prompt | None:
    current = _current(person, today)
    if current is None or current.kind not in TOLERATIONS:
        return None
    if not age_reached(person.birth_date, AGE_25A_FROM, today):
        return None
    if age_reached(person.birth_date, AGE_25A_BELOW, today):
        return None
    since = _residence_since(person, today)
    if since is None or today < add_years(since, YEARS_25A_RESIDENCE):
        return None
    school_days = _days(person.activities, ActivityKind.SCHOOL, today)
    qualified = any(
        a.kind == ActivityKind.QUALIFICATION and a.since <= today for a in person.activities
    )
    # School periods are added up (a change of school, a break in between).
    if not qualified and school_days < _years_in_days(YEARS_25A_SCHOOL, today):
        return None
    return Prompt(
        "25a",
        _("Residence for well-integrated young people"),
        "§ 25a AufenthG",
        _(
            "Tolerated, under 27, three years in Germany and three years of school (or a "
            "qualification) are recorded: a residence permit under § 25a AufenthG may be "
            "possible. The application must be made before the 27th birthday."
        ),
    )


# § 25b AufenthG (as amended 31 Dec 2022): a tolerated adult who has stayed
AGE_25B_FROM = 18  # (an adult; young people go by § 25a)
YEARS_25B_RESIDENCE = 6  # 6 years uninterrupted permitted, tolerated or with a Gestattung,
YEARS_25B_WITH_CHILDREN = 4  # or 4 years living with a minor unmarried child (§ 25b (1) 2 Nr. 1).


@rule
def rule_25b(person: Person, today: datetime.date) -> Prompt | None:
    current = _current(person, today)
    if current is None or current.kind not in TOLERATIONS:
        return None
    if not age_reached(person.birth_date, AGE_25B_FROM, today):
        return None
    since = _residence_since(person, today)
    years = YEARS_25B_WITH_CHILDREN if person.has_minor_children else YEARS_25B_RESIDENCE
    if since is None or today < add_years(since, years):
        return None
    return Prompt(
        "25b",
        _("Residence for sustainable integration"),
        "§ 25b AufenthG",
        _(
            "Tolerated, with six years in Germany (four with minor children in the household) "
            "recorded: a residence permit under § 25b AufenthG may be possible (livelihood, "
            "language and other conditions apply)."
        ),
    )


# § 60c AufenthG, Ausbildungsduldung: a tolerated person in qualified vocational training
MONTHS_60C_TOLERATION = 3  # who has held a Duldung for 3 months (§ 60c (2) Nr. 2; not for
#                            those who started the training with a Gestattung, § 60c (1) 1 Nr. 1).


@rule
def rule_60c(person: Person, today: datetime.date) -> Prompt | None:
    current = _current(person, today)
    if current is None or current.kind not in (StatusKind.TOLERATION,):
        return None
    training = _unbroken_since(person.activities, ActivityKind.TRAINING, today)
    if training is None:
        return None
    tolerated = _run_start(person, TOLERATIONS, today)
    if tolerated is None or today < add_months(tolerated, MONTHS_60C_TOLERATION):
        return None
    return Prompt(
        "60c",
        _("Toleration for vocational training"),
        "§ 60c AufenthG",
        _(
            "Tolerated for three months and in vocational training: a training toleration "
            "(Ausbildungsduldung, § 60c AufenthG) may be possible — and later a residence "
            "permit (§ 16g AufenthG)."
        ),
    )


# § 60d AufenthG, Beschäftigungsduldung (as amended by the act of 2023 on skilled
# immigration, in force 1 Mar 2024): a tolerated person who
DATE_60D_ENTRY_BY = datetime.date(2022, 12, 31)  # entered Germany by 31 Dec 2022 (§ 60d (1) Nr. 1),
MONTHS_60D_TOLERATION = 12  # has held a Duldung for 12 months (§ 60d (1) Nr. 2),
MONTHS_60D_EMPLOYMENT = 12  # has been employed for 12 months (§ 60d (1) Nr. 3) ...
HOURS_60D_PER_WEEK = 20  # ... for at least 20 hours a week (§ 60d (1) Nr. 3).


@rule
def rule_60d(person: Person, today: datetime.date) -> Prompt | None:
    current = _current(person, today)
    if current is None or current.kind not in (StatusKind.TOLERATION,):
        return None
    first = min((s.valid_from for s in person.statuses), default=None)
    if first is None or first > DATE_60D_ENTRY_BY:
        return None
    tolerated = _run_start(person, TOLERATIONS, today)
    if tolerated is None or today < add_months(tolerated, MONTHS_60D_TOLERATION):
        return None
    employed = _unbroken_since(
        person.activities, ActivityKind.EMPLOYMENT, today, min_hours=HOURS_60D_PER_WEEK
    )
    if employed is None or today < add_months(employed, MONTHS_60D_EMPLOYMENT):
        return None
    return Prompt(
        "60d",
        _("Toleration for employment"),
        "§ 60d AufenthG",
        _(
            "Tolerated for twelve months and employed for twelve months at 20 hours a week or "
            "more: an employment toleration (Beschäftigungsduldung, § 60d AufenthG) may be "
            "possible."
        ),
    )


# § 104c AufenthG, Chancen-Aufenthaltsrecht: a person tolerated on the key date
DATE_104C_KEY = datetime.date(2022, 10, 31)  # tolerated on 31 Oct 2022 (§ 104c (1) 1),
YEARS_104C_RESIDENCE = 5  # after 5 years' uninterrupted permitted, tolerated or Gestattung
#                           residence by then (§ 104c (1) 1),
DATE_104C_ENDS = datetime.date(2025, 12, 31)  # applications only until 31 Dec 2025: the
#                           provision has expired since (§ 104c as enacted, "bis zum 31.12.2025").


@rule
def rule_104c(person: Person, today: datetime.date) -> Prompt | None:
    if today > DATE_104C_ENDS:
        return None  # expired: an application is no longer possible
    on_key_date = _current(person, DATE_104C_KEY)
    if on_key_date is None or on_key_date.kind not in TOLERATIONS:
        return None
    since = _residence_since(person, DATE_104C_KEY)
    if since is None or add_years(since, YEARS_104C_RESIDENCE) > DATE_104C_KEY:
        return None
    current = _current(person, today)
    if current is not None and current.kind in SECURE:
        return None
    return Prompt(
        "104c",
        _("Opportunity residence right"),
        "§ 104c AufenthG",
        _(
            "Tolerated on 31 October 2022 after five years in Germany: the opportunity "
            "residence right (Chancen-Aufenthaltsrecht, § 104c AufenthG) may apply. "
            "Applications are possible until 31 December 2025."
        ),
    )


def prompts_for(person: Person, today: datetime.date) -> list[Prompt]:
    """Every rule that prompts for the person today."""
    found = []
    for check in RULES:
        prompt = check(person, today)
        if prompt is not None:
            found.append(
                Prompt(
                    prompt.rule,
                    prompt.title,
                    prompt.basis,
                    prompt.text,
                    prompt.referral_category,
                    person.key,
                )
            )
    return found


PARENTS = (Relationship.MAIN_CONTACT, Relationship.SPOUSE)


# --- from the database ----------------------------------------------------------------------


def persons_of(case) -> list[Person]:
    """The facts for each person of the case, in three queries (persons, statuses,
    activities). Birth dates are decrypted here to compute ages, never shown."""
    clients = list(
        case.clients.only(
            "id", "case_id", "birth_date", "first_name", "last_name", "relationship", "code"
        )
    )
    statuses: dict[int, list[Status]] = {c.pk: [] for c in clients}
    for client_id, kind, valid_from, valid_until in ResidenceStatus.objects.filter(
        client__case=case
    ).values_list("client_id", "kind", "valid_from", "valid_until"):
        statuses[client_id].append(Status(kind, valid_from, valid_until))
    activities: dict[int, list[Activity]] = {c.pk: [] for c in clients}
    for client_id, kind, since, until, hours in ActivityRow.objects.filter(
        client__case=case
    ).values_list("client_id", "kind", "since", "until", "hours_per_week"):
        activities[client_id].append(Activity(kind, since, until, hours))
    return [
        Person(
            birth_date=c.birth_date,
            statuses=statuses[c.pk],
            activities=activities[c.pk],
            key=c,
        )
        for c in clients
    ]


def case_prompts(case, today: datetime.date) -> list[Prompt]:
    """The prompts for every person of the case."""
    persons = persons_of(case)
    # "Living with a minor unmarried child" (§ 25b (1) 2 AufenthG), read roughly: the
    # household's main contact and their spouse, when a child of the household is a minor.
    minor_child = any(
        p.key.relationship == Relationship.CHILD
        and p.birth_date is not None
        and not age_reached(p.birth_date, 18, today)
        for p in persons
    )
    found = []
    for person in persons:
        person.has_minor_children = minor_child and person.key.relationship in PARENTS
        found.extend(prompts_for(person, today))
    return found
