"""Retention's speed (issue 35: about 1.5 cases a second, 3,000 expired cases took over half
an hour), on a copy of a database with closed cases, in a process of its own:

    DEBUG=True python tests/bench/retention_runner.py SOURCE.sqlite3 \
        [--profile] [--cases N] [--batch B]

Copies SOURCE (e.g. built with `seed_demo --clients 6000`, which closes some cases; the keys
are those of SOURCE's folder unless CASEWORKS_VAR_DIR says otherwise) to a temporary file, so
every run starts from the same data, and runs apply_retention with `today` far enough ahead
that every closed case is due (at most N of them: the others are reopened in the copy
first). Prints one JSON line: cases deleted, seconds, cases per second, queries.
--profile prints a profile to stderr (pyinstrument if installed, else cProfile).
"""

import argparse
import cProfile
import datetime
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--cases", type=int, default=0, help="at most this many due cases")
    parser.add_argument(
        "--batch", type=int, default=0, help="cases per batch (default: BATCH_CASES)"
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="retention-bench-"))
    copy = workdir / "db.sqlite3"
    shutil.copyfile(args.source, copy)
    os.environ["DATABASE_URL"] = f"sqlite:///{copy}"
    # The keys of the instance the source belongs to (its folder, as var/ for var/*.sqlite3).
    os.environ.setdefault("CASEWORKS_VAR_DIR", str(Path(args.source).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseworks.settings")

    import django

    django.setup()
    from django.db import connection

    from cases.models import Case
    from cases.privacy import retention

    # The longest deletion of a batch: most of the time its transaction holds the write lock.
    longest = 0.0
    real_purge = retention.purge_cases

    def timed_purge(cases):
        nonlocal longest
        began = time.perf_counter()
        try:
            return real_purge(cases)
        finally:
            longest = max(longest, time.perf_counter() - began)

    retention.purge_cases = timed_purge

    closed = Case.objects.filter(closed_on__isnull=False).order_by("pk")
    if args.cases:
        keep = list(closed.values_list("pk", flat=True)[: args.cases])
        closed.exclude(pk__in=keep).update(closed_on=None, closing_reason="")
    today = datetime.date.today() + datetime.timedelta(days=366 * 12)
    due = Case.objects.filter(closed_on__isnull=False).count()
    profiler = None
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    began = time.perf_counter()
    with connection.execute_wrapper(count):
        if args.profile:
            try:
                from pyinstrument import Profiler

                profiler = Profiler()
                profiler.start()
            except ImportError:
                profiler = cProfile.Profile()
                profiler.enable()
        _run, totals = retention.apply_retention(
            dry_run=False, today=today, batch_cases=args.batch or retention.BATCH_CASES
        )
        if profiler is not None:
            if isinstance(profiler, cProfile.Profile):
                profiler.disable()
                pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
            else:
                profiler.stop()
                sys.stderr.write(profiler.output_text(unicode=True, color=False))
    took = time.perf_counter() - began
    shutil.rmtree(workdir, ignore_errors=True)
    return {
        "due": due,
        "cases": totals.get("cases", 0),
        "history_rows": totals.get("history rows", 0),
        "seconds": round(took, 2),
        "cases_per_second": round(totals.get("cases", 0) / took, 1) if took else None,
        "queries": queries,
        "batch": args.batch or retention.BATCH_CASES,
        "longest_batch_purge_s": round(longest, 2),
        "profiled": args.profile,
    }


if __name__ == "__main__":
    print(json.dumps(main()))
