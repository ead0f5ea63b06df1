"""Issue 37: every page against the floor, on the city data set (conftest.py; `make bench`).

The floor is the "password changed" page (/accounts/password/done/): signed in, through every
middleware, the session and the navigation of base.html, and nothing of its own (a sentence
and a link, no query of its own). The 204 of /accounts/session/ would be too cheap, it renders
no template; the security page adds two queries of its own. Each page is timed alternately
with the floor of the same user in the same session (floor, page, floor, page…), ROUNDS rounds
after a warm-up, median of each: the ratio is robust to a busy machine, the milliseconds are
not.

The requests run as in production, outside any test transaction (each commits what it
writes, e.g. the session), with templates rendered without the test environment's
instrumentation (conftest.production_templates), and on one database connection kept open
(as with DB_CONN_MAX_AGE > 0: the test client does not close it between requests).

On PostgreSQL one more row: the floor there against the floor on SQLite, timed alternately
in one run, the SQLite side in a process of its own on var/bench/city-N.sqlite3
(tests/bench/sqlite_floor.py); it needs that file, i.e. `make bench` on SQLite once before.
"""

import datetime
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client as HttpClient
from django.utils import timezone

from cases.models import Case
from cases.plan import services as plan_services
from cases.plan.models import NeedCategory, SpecialNeedKind, WhoActs
from caseworks.access.roles import Role
from caseworks.models import Team
from demo.plan import GOALS
from documents.models import Document
from tests.bench.conftest import (
    BENCH_DIR,
    CLIENTS,
    RESULTS,
    Row,
    big_case,
    busiest_caseworker,
    count_queries,
    measure,
    measure_pair,
    production_templates,
    signed_in_get,
)
from tests.bench.test_documents import documents_case  # noqa: F401 (a fixture: 200 documents)
from visits.models import Accompaniment
from volunteers import services as volunteer_services
from volunteers.models import VolunteerRequest

User = get_user_model()
FLOOR_URL = "/accounts/password/done/"
ROUNDS = int(os.environ.get("CASEWORKS_BENCH_ROUNDS", "15"))
WARMUP = 5
PLAN_CASE = "BENCH-PLAN"


@dataclass(frozen=True)
class Page:
    name: str
    user: object
    url: str
    goal: float  # at most this many floors
    shows: str = ""  # a text the page must contain (that it is the page meant)


# In the order; the keys name the rows of var/bench/pages-*.json (make bench-scale).
KEYS = [
    "caseload",
    "case_file",
    "my_week",
    "dashboard",
    "statistics",
    "documents",
    "candidates",
    "register",
    "case_plan",
    "events",
]


@pytest.fixture(scope="module")
def pages(django_db_setup, django_db_blocker, documents_case) -> dict[str, Page]:  # noqa: F811
    with django_db_blocker.unblock():
        supervisor = User.objects.get(username="supervisor")
        coordinator = User.objects.get(username="koordination")
        team = Team.objects.filter(supervisors=supervisor).first()
        caseworker = busiest_caseworker(team)
        big = big_case(caseworker, team)
        caseload = Case.objects.filter(assigned_to=caseworker, closed_on__isnull=True).count()
        team_size = team.members.filter(groups__name=Role.CASEWORKER).count()
        documents = Document.objects.filter(case=documents_case).count()
        plan_case = _plan_case(caseworker)
        request = _open_volunteer_request(caseworker)
        end = timezone.localdate()
        start = end - datetime.timedelta(days=364)
        return {
            "caseload": Page(
                f"caseload list (busiest caseworker, {caseload} open)",
                caseworker,
                "/cases/",
                4,
            ),
            "case_file": Page(
                f"case file, {big.visits.count()} entries",
                caseworker,
                f"/cases/{big.code}/",
                4,
                big.reference,
            ),
            "my_week": Page("my week (busiest caseworker)", caseworker, "/visits/week/", 4),
            "dashboard": Page(
                f"supervision dashboard, team of {team_size}", supervisor, "/supervision/", 4
            ),
            "statistics": Page(
                "statistics, one year, one team",
                supervisor,
                f"/supervision/statistics/?start={start}&end={end}&teams={team.pk}",
                20,
            ),
            "documents": Page(
                f"documents list, {documents} documents",
                documents_case.assigned_to,
                f"/cases/{documents_case.code}/documents/",
                4,
                "Brief 199",
            ),
            "candidates": Page(
                "volunteer candidates (one request)",
                coordinator,
                f"/volunteers/requests/{request.code}/",
                4,
            ),
            "register": Page("volunteer register", coordinator, "/volunteers/", 4),
            "case_plan": Page(
                f"case plan ({plan_case.needs.count()} needs)",
                caseworker,
                f"/cases/{plan_case.code}/plan/",
                4,
                GOALS["housing"],
            ),
            "events": Page("events list (coordination)", coordinator, "/events/", 4),
        }


def _plan_case(caseworker) -> Case:
    """An open household of the busiest caseworker with a plan: a need of every catalogue
    category (some for one person) and a special protection need; made once and kept."""
    found = Case.objects.filter(reference=PLAN_CASE).first()
    if found is not None:
        return found
    case = (
        Case.objects.filter(assigned_to=caseworker, closed_on__isnull=True)
        .exclude(reference__startswith="BENCH-")
        .order_by("pk")
        .first()
    )
    Case.objects.filter(pk=case.pk).update(reference=PLAN_CASE)
    case.refresh_from_db()
    persons = list(case.clients.order_by("pk"))
    today = timezone.localdate()
    for i, category in enumerate(NeedCategory.objects.filter(is_active=True).order_by("pk")):
        plan_services.need_create(
            actor=caseworker,
            case=case,
            category=category,
            client=persons[i % len(persons)] if i % 3 == 0 else None,
            goal=GOALS.get(category.key, category.key),
            due_on=today + datetime.timedelta(days=7 * i),
            who_acts=WhoActs.values[i % len(WhoActs.values)],
            opened_on=max(case.opened_on, today - datetime.timedelta(days=30)),
        )
    plan_services.special_need_create(
        actor=caseworker,
        client=persons[0],
        kind=SpecialNeedKind.SERIOUS_ILLNESS,
        volunteer_hint="Bitte langsam sprechen und Pausen anbieten.",
        noted_on=today,
    )
    return case


def _open_volunteer_request(caseworker) -> VolunteerRequest:
    """An open request for a planned accompaniment ahead (the coordination ranks candidates
    for it); a new one when the last one's appointment has passed."""
    now = timezone.now()
    found = (
        VolunteerRequest.objects.filter(
            status=VolunteerRequest.RequestStatus.OPEN, accompaniment__appointment_at__gt=now
        )
        .order_by("pk")
        .first()
    )
    if found is not None:
        return found
    accompaniment = (
        Accompaniment.objects.filter(
            status=Accompaniment.Status.PLANNED,
            appointment_at__gt=now + datetime.timedelta(days=2),
            volunteer__isnull=True,
            case__closed_on__isnull=True,
            volunteer_requests__isnull=True,
        )
        .order_by("appointment_at")
        .first()
    )
    assert accompaniment is not None, "the city has no planned accompaniment ahead"
    return volunteer_services.request_create(
        actor=accompaniment.case.assigned_to or caseworker,
        accompaniment=accompaniment,
        data={"task": "doctor", "language": "Arabisch", "district": "Nord"},
    )


def _timed(user, url: str):
    """The page and the floor of one user, in one session."""
    http = HttpClient()
    return signed_in_get(http, user, FLOOR_URL), signed_in_get(http, user, url)


def test_the_floor(pages, django_db_blocker):
    page = pages["caseload"]
    with django_db_blocker.unblock():
        floor = signed_in_get(HttpClient(), page.user, FLOOR_URL)
        assert "<nav" in floor().content.decode()  # base.html with its navigation
        with production_templates():
            t_floor, samples = measure(floor, rounds=ROUNDS, warmup=WARMUP)
            queries = count_queries(floor)
    RESULTS.append(
        Row(
            f"floor: {FLOOR_URL} (caseworker)",
            t_floor,
            queries=queries,
            samples=samples,
            key="floor",
        )
    )


@pytest.mark.parametrize("key", KEYS)
def test_page_against_the_floor(pages, key, django_db_blocker):
    page = pages[key]
    with django_db_blocker.unblock():
        floor, get = _timed(page.user, page.url)
        assert page.shows in get().content.decode()
        with production_templates():
            t_floor, t_page = measure_pair(floor, get, rounds=ROUNDS, warmup=WARMUP)
            queries = count_queries(get)
    ratio = t_page / t_floor
    RESULTS.append(
        Row(
            page.name,
            t_page,
            queries=queries,
            baseline=f"floor {t_floor * 1000:.1f} ms",
            ratio=ratio,
            goal=f"≤ {page.goal:g}× floor",
            met=ratio <= page.goal,
            key=key,
            floor=t_floor,
        )
    )


def test_floor_postgresql_against_sqlite(pages, django_db_blocker):
    """Issue 37: the floor on PostgreSQL at most 1.5× the floor on SQLite (a request that
    changes nothing writes nothing). Both timed alternately, SQLite's in a worker process."""
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL run compares its floor with SQLite's")
    sqlite_city = BENCH_DIR / f"city-{CLIENTS}.sqlite3"
    if not sqlite_city.exists():
        pytest.skip(f"no {sqlite_city}: run `make bench` on SQLite first")
    user = pages["caseload"].user
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{sqlite_city}"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.sqlite_floor", user.username, FLOOR_URL],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
    )
    assert worker.stdin is not None and worker.stdout is not None
    assert worker.stdout.readline().strip() == "ready"

    def sqlite_floor() -> float:
        worker.stdin.write("go\n")
        worker.stdin.flush()
        return float(worker.stdout.readline())

    try:
        with django_db_blocker.unblock():
            floor = signed_in_get(HttpClient(), user, FLOOR_URL)
            with production_templates():
                on_postgresql, on_sqlite = [], []
                for i in range(WARMUP + ROUNDS):
                    started = time.perf_counter()
                    floor()
                    elapsed = time.perf_counter() - started
                    other = sqlite_floor()
                    if i >= WARMUP:
                        on_postgresql.append(elapsed)
                        on_sqlite.append(other)
    finally:
        worker.stdin.close()
        worker.wait(timeout=30)
    t_postgresql = statistics.median(on_postgresql)
    t_sqlite = statistics.median(on_sqlite)
    ratio = t_postgresql / t_sqlite
    RESULTS.append(
        Row(
            "floor PostgreSQL ÷ floor SQLite",
            t_postgresql,
            baseline=f"SQLite {t_sqlite * 1000:.1f} ms",
            ratio=ratio,
            goal="≤ 1.5× SQLite",
            met=ratio <= 1.5,
            key="floor_postgresql_sqlite",
            floor=t_sqlite,
        )
    )
