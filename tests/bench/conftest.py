"""`make bench`: timings on a city-sized data set, one table at the end.

The data set (`seed_demo --clients $CASEWORKS_BENCH_CLIENTS`, default 20,000) is built once
and kept: SQLite in var/bench/, or the database DATABASE_URL names (built when it has no
cases). Medians come from repeated runs after a warm-up; queries are counted on one more run.
"""

import gc
import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

CLIENTS = int(os.environ.get("CASEWORKS_BENCH_CLIENTS", "20000"))
BENCH_DIR = Path(settings.BASE_DIR) / "var" / "bench"


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
    times_a, times_b = [], []
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


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    """Use (and on first use build) the persistent bench database instead of a test one."""
    if os.environ.get("DATABASE_URL"):
        database = settings.DATABASES["default"]
    else:
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        database = settings.DATABASES["default"]
        database["NAME"] = str(BENCH_DIR / f"city-{CLIENTS}.sqlite3")
    with django_db_blocker.unblock():
        connection.close()
        call_command("migrate", verbosity=0)
        from cases.models import Case

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


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    write = terminalreporter.write_line
    vendor = connection.vendor
    write("")
    write(
        f"Caseworks benchmarks on {vendor}, {CLIENTS} persons "
        f"(medians; ratio = operation / baseline)"
    )
    header = f"{'operation':<52} {'median':>11} {'queries':>7} {'ratio':>8}  goal"
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
        write(f"{row.operation:<52} {value:>11} {queries:>7} {ratio:>8}  {goal}")
