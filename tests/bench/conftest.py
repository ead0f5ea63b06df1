"""`make bench`: timings on a city-sized data set, one table at the end.

The data set (`seed_demo --clients $CASEWORKS_BENCH_CLIENTS`, default 20,000) is built once
and kept: SQLite in var/bench/city-N.sqlite3, or the database DATABASE_URL names (its name
must contain "bench"; created when missing, built when it has no cases). Medians come from
repeated runs after a warm-up; queries are counted on one more run. The pages against the
floor (test_pages.py) are also written to var/bench/pages-<database>-<persons>.json, which
`make bench-scale` (tests/bench/scale.py) reads.
"""

import contextlib
import datetime
import gc
import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.template import Template
from django.test import Client as HttpClient
from django.test import utils as test_utils
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from cases import services as case_services
from cases.models import Case
from visits.models import Visit

CLIENTS = int(os.environ.get("CASEWORKS_BENCH_CLIENTS", "20000"))
BENCH_DIR = Path(settings.BASE_DIR) / "var" / "bench"
BIG_CASE = "BENCH-300"
User = get_user_model()


@dataclass
class Row:
    operation: str
    median: float  # seconds (or rows/s when unit == "rows/s")
    queries: int | None = None
    baseline: str = ""
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None
    unit: str = "ms"
    samples: list[float] = field(default_factory=list)
    key: str = ""  # a page against the floor (test_pages.py): its name in the JSON result file
    floor: float | None = None  # that page's floor median, seconds


RESULTS: list[Row] = []


def measure(fn, *, rounds: int = 20, warmup: int = 5) -> tuple[float, list[float]]:
    for _i in range(warmup):
        fn()
    gc.collect()
    samples = []
    for _i in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), samples


def measure_pair(a, b, *, rounds: int = 40, warmup: int = 5) -> tuple[float, float]:
    """Medians of two variants timed alternately, so that drift on a shared machine falls on
    both alike (for the ratios to a baseline)."""
    for _i in range(warmup):
        a()
        b()
    gc.collect()
    times_a: list[float] = []
    times_b: list[float] = []
    for _i in range(rounds):
        for fn, times in ((a, times_a), (b, times_b)):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    return statistics.median(times_a), statistics.median(times_b)


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


@contextlib.contextmanager
def production_templates() -> Iterator[None]:
    """Templates rendered as in production while timing: the test environment (pytest-django's
    setup_test_environment) makes every template render send a signal, on which the test client
    keeps a copy of the context; a page of many small templates would pay for that."""
    instrumented = Template._render  # type: ignore[attr-defined]
    original = test_utils._TestState.saved_data.template_render  # type: ignore[attr-defined]
    Template._render = original  # type: ignore[attr-defined]
    try:
        yield
    finally:
        Template._render = instrumented  # type: ignore[attr-defined]


def signed_in_get(http: HttpClient, user, url: str) -> Callable[[], Any]:
    """A GET through the whole stack (every middleware, a session in the database) as `user`,
    asserting a 200."""
    http.force_login(user)

    def get():
        response = http.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return get


def busiest_caseworker(team, pick=max):
    """The team's caseworker with the most open cases (pick=min: the fewest)."""
    counts: dict[int, int] = {}
    for user_id in Case.objects.filter(team=team, closed_on__isnull=True).values_list(
        "assigned_to_id", flat=True
    ):
        counts[user_id] = counts.get(user_id, 0) + 1
    return User.objects.get(pk=pick(counts, key=counts.get))


def big_case(caseworker, team) -> Case:
    """A household with 300 timeline entries (visits), assigned to the busiest caseworker;
    made once and kept (reference BENCH-300)."""
    found = Case.objects.filter(reference=BIG_CASE).first()
    if found is not None:
        return found
    case = case_services.case_create(
        actor=caseworker,
        team=team,
        client={
            "first_name": "Amina",
            "last_name": "Langzeit",
            "birth_date": datetime.date(1980, 1, 1),
        },
        opened_on=timezone.localdate() - datetime.timedelta(days=900),
    )
    Case.objects.filter(pk=case.pk).update(reference=BIG_CASE)
    day = case.opened_on
    Visit.objects.bulk_create(
        [
            Visit(
                case=case,
                kind=Visit.Kind.FIRST if i == 0 else Visit.Kind.FOLLOW_UP,
                date=day + datetime.timedelta(days=3 * i),
                duration_minutes=60,
                place="accommodation",
                topics=["housing"],
                notes=f"Besuch {i}",
                recorded_by=caseworker,
            )
            for i in range(300)
        ]
    )
    return Case.objects.get(pk=case.pk)


def _postgresql_bench_database() -> None:
    """DATABASE_URL's database, created when missing; only a *bench* database, as the demo
    users have the password "demo"."""
    database = settings.DATABASES["default"]
    name = database["NAME"]
    if "bench" not in name:
        pytest.exit(
            f"make bench writes demo data: DATABASE_URL must name a *bench* database: {name}"
        )
    if connection.vendor != "postgresql":
        return
    params = {
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    """Use (and on first use build) the persistent bench database instead of a test one."""
    if os.environ.get("DATABASE_URL"):
        database = settings.DATABASES["default"]
        _postgresql_bench_database()
    else:
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        database = settings.DATABASES["default"]
        database["NAME"] = str(BENCH_DIR / f"city-{CLIENTS}.sqlite3")
    with django_db_blocker.unblock():
        connection.close()
        call_command("migrate", verbosity=0)
        if not Case.objects.exists():
            started = time.perf_counter()
            with override_settings(DEBUG=True):
                call_command("seed_demo", clients=CLIENTS)
            RESULTS.append(
                Row(
                    f"seed_demo --clients {CLIENTS} (one-off)",
                    time.perf_counter() - started,
                    unit="s",
                )
            )
        connection.close()
    if connection.vendor == "sqlite":
        # A server keeps its database in the OS cache; so does the benchmark, by reading the
        # file once (otherwise the first operation measured pays for the disk).
        with open(settings.DATABASES["default"]["NAME"], "rb") as f:
            while f.read(1 << 24):
                pass


def pages_result_file(vendor: str, clients: int) -> Path:
    return BENCH_DIR / f"pages-{vendor}-{clients}.json"


def _write_pages_result() -> None:
    """The pages against the floor, for `make bench-scale` and for comparing runs."""
    rows = [row for row in RESULTS if row.key]
    if not rows:
        return
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    data = {
        "database": connection.vendor,
        "clients": CLIENTS,
        "measured_at": timezone.now().isoformat(timespec="seconds"),
        "pages": {
            row.key: {k: v for k, v in asdict(row).items() if k != "samples"} for row in rows
        },
    }
    pages_result_file(connection.vendor, CLIENTS).write_text(json.dumps(data, indent=1))


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    _write_pages_result()
    write = terminalreporter.write_line
    vendor = connection.vendor
    write("")
    write(
        f"Caseworks benchmarks on {vendor}, {CLIENTS} persons "
        f"(medians; ratio = operation / baseline)"
    )
    header = f"{'operation':<52} {'median':>11} {'queries':>7} {'baseline':>16} {'ratio':>8}  goal"
    write(header)
    write("-" * (len(header) + 24))
    for row in RESULTS:
        if row.unit == "ms":
            value = f"{row.median * 1000:.1f} ms"
        elif row.unit == "s":
            value = f"{row.median:.1f} s"
        else:
            value = f"{row.median:,.0f} {row.unit}"
        queries = "" if row.queries is None else str(row.queries)
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}×"
        verdict = "" if row.met is None else (" ✔" if row.met else " ✘ missed")
        goal = f"{row.goal}{verdict}"
        write(
            f"{row.operation:<52} {value:>11} {queries:>7} {row.baseline[:16]:>16} "
            f"{ratio:>8}  {goal}"
        )
