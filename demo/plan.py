"""Demo data of the case plan (issue 23): needs in every status on the small house's cases,
some linked to the latest visit, a few special protection needs with a volunteer's hint, and
households whose recorded data meets a residence perspective rule (§ 25a, § 25b, § 60d).
Through the services, like demo.house."""

import datetime
import random

from django.utils import timezone

from cases import services as case_services
from cases.models import Case, Relationship, StatusKind
from cases.plan import services as plan_services
from cases.plan.models import DropReason, NeedCategory, NeedStatus, SpecialNeedKind, WhoActs

GOALS = {
    "housing": "Eigene Wohnung finden",
    "health": "Hausarzt und Krankenkasse geklärt",
    "school": "Kita-Platz für das jüngste Kind",
    "language": "Integrationskurs B1 beginnen",
    "work": "Praktikum im Handwerk",
    "benefits": "Weiterbewilligung Jobcenter",
    "documents": "Reisepass verlängern",
    "asylum": "Anhörung vorbereiten",
    "family_reunification": "Antrag Familiennachzug stellen",
    "orientation": "Bus, Einkauf, Ämter kennen",
}
HINTS = [
    "Bitte langsam sprechen und Pausen anbieten.",
    "Möchte bei Arztterminen von einer Frau begleitet werden.",
    "",
]
SPECIAL_KINDS = [
    SpecialNeedKind.TORTURE_TRAUMA,
    SpecialNeedKind.PREGNANCY,
    SpecialNeedKind.SINGLE_PARENT,
    SpecialNeedKind.SERIOUS_ILLNESS,
    SpecialNeedKind.DISABILITY,
]


def seed_plan(teams, users, *, today: datetime.date | None = None) -> int:
    """Needs on every open case of the house, and the perspective cases. Returns the number
    of needs created."""
    today = today or timezone.localdate()
    rng = random.Random(23)
    categories = {c.key: c for c in NeedCategory.objects.filter(is_active=True)}
    keys = sorted(GOALS)
    created = 0
    cases = Case.objects.filter(closed_on__isnull=True).select_related("assigned_to").order_by("pk")
    for index, case in enumerate(cases):
        worker = case.assigned_to
        if worker is None:
            continue
        persons = list(case.clients.order_by("pk"))
        for n in range(rng.randint(1, 3)):
            key = keys[(index + n * 3) % len(keys)]
            opened = max(case.opened_on, today - datetime.timedelta(days=rng.randint(0, 200)))
            need = plan_services.need_create(
                actor=worker,
                case=case,
                category=categories[key],
                client=persons[n % len(persons)] if rng.random() < 0.4 else None,
                goal=GOALS[key],
                due_on=today + datetime.timedelta(days=rng.randint(-10, 90)),
                who_acts=rng.choice(WhoActs.values),
                opened_on=opened,
            )
            created += 1
            fate = rng.random()
            if fate < 0.3:
                plan_services.need_update(
                    actor=worker,
                    need=need,
                    expected_version=need.version,
                    status=NeedStatus.IN_PROGRESS,
                )
            elif fate < 0.55:
                plan_services.need_finish(
                    actor=worker,
                    need=need,
                    status=NeedStatus.REACHED,
                    on=min(today, opened + datetime.timedelta(days=rng.randint(5, 120))),
                )
            elif fate < 0.62:
                plan_services.need_finish(
                    actor=worker, need=need, status=NeedStatus.DROPPED, drop_reason=DropReason.MOVED
                )
            latest = case.visits.filter(cancelled_at__isnull=True).order_by("-date").first()
            if latest is not None and rng.random() < 0.5:
                latest._history_user = worker
                latest.needs.add(need)
        if index % 5 == 2:
            plan_services.special_need_create(
                actor=worker,
                client=persons[0],
                kind=SPECIAL_KINDS[index % len(SPECIAL_KINDS)],
                volunteer_hint=HINTS[index % len(HINTS)],
                noted_on=max(case.opened_on, today - datetime.timedelta(days=30)),
            )
    _perspective_cases(teams, users, today)
    return created


def _perspective_cases(teams, users, today):
    """Two households whose recorded data meets a rule: a young man tolerated after years of
    school (§ 25a), and a mother with children, tolerated for years (§ 25b); her eldest son
    works 30 hours a week (§ 60d)."""
    worker = users["caseworker1"]
    years = lambda n: today - datetime.timedelta(days=round(365.25 * n))  # noqa: E731
    case = case_services.case_create(
        actor=worker,
        team=teams["A"],
        different_person_confirmed=True,
        opened_on=years(3.5),
        allocated_on=years(3.6),
        accommodation_address="Lindenallee 40\n12345 Musterstadt",
        client={
            "first_name": "Samir",
            "last_name": "Haidari",
            "birth_date": years(19.2),
            "nationality": "AF",
            "languages": ["prs", "deu"],
        },
        status={
            "kind": StatusKind.PERMISSION_TO_RESIDE,
            "valid_from": years(4),
            "valid_until": years(1.5),
        },
    )
    samir = case.clients.get()
    case_services.residence_status_add(
        actor=worker,
        client=samir,
        data={
            "kind": StatusKind.TOLERATION,
            "valid_from": years(1.5),
            "valid_until": today + datetime.timedelta(days=75),
        },
    )
    plan_services.activity_create(
        actor=worker, client=samir, kind="school", since=years(3.8), until=years(0.3)
    )
    plan_services.activity_create(actor=worker, client=samir, kind="training", since=years(0.2))

    family = case_services.case_create(
        actor=worker,
        team=teams["A"],
        different_person_confirmed=True,
        opened_on=years(5),
        allocated_on=years(5.1),
        accommodation_address="Gartenstraße 2\n12345 Musterstadt",
        client={
            "first_name": "Amina",
            "last_name": "Yusuf",
            "birth_date": years(38),
            "nationality": "SO",
            "languages": ["som"],
        },
        status={
            "kind": StatusKind.PERMISSION_TO_RESIDE,
            "valid_from": years(5.3),
            "valid_until": years(2),
        },
    )
    amina = family.clients.get()
    case_services.residence_status_add(
        actor=worker,
        client=amina,
        data={
            "kind": StatusKind.TOLERATION,
            "valid_from": years(2),
            "valid_until": today + datetime.timedelta(days=40),
        },
    )
    for first, age, relationship in [("Hodan", 9, Relationship.CHILD), ("Abdi", 21, "child")]:
        member = case_services.client_create(
            actor=worker,
            case=family,
            data={
                "first_name": first,
                "last_name": "Yusuf",
                "birth_date": years(age),
                "relationship": relationship,
            },
        )
        case_services.residence_status_add(
            actor=worker,
            client=member,
            data={
                "kind": StatusKind.PERMISSION_TO_RESIDE,
                "valid_from": years(5.3),
                "valid_until": years(2),
            },
        )
        case_services.residence_status_add(
            actor=worker,
            client=member,
            data={
                "kind": StatusKind.TOLERATION,
                "valid_from": years(2),
                "valid_until": today + datetime.timedelta(days=40),
            },
        )
        if first == "Abdi":
            plan_services.activity_create(
                actor=worker, client=member, kind="employment", since=years(1.5), hours_per_week=30
            )
    plan_services.special_need_create(
        actor=worker,
        client=amina,
        kind=SpecialNeedKind.SINGLE_PARENT,
        volunteer_hint="Kommt meist mit der jüngeren Tochter.",
    )
