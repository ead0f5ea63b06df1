"""`make bench-scale`: the pages against the floor (tests/bench/test_pages.py) on cities of
several sizes, and how each page's ratio grows with the city (issue 37: from 20,000 to 50,000
persons at most +10 %, the busiest caseworker's caseload and the team the same size).

    make bench-scale                                       # SQLite: var/bench/city-N.sqlite3
    CASEWORKS_BENCH_SCALE=2000,20000 make bench-scale      # other sizes
    DATABASE_URL=postgres://…/caseworks_bench make bench-scale   # databases caseworks_bench_N
    python -m tests.bench.scale --table-only               # the table of the last runs

Runs test_pages.py once per size, each in a process of its own (each city is built on first
use and kept; the 50,000 one takes a quarter of an hour or more), then prints one table from
var/bench/pages-<database>-<N>.json. Each ratio comes from its own run, page and floor timed
alternately, so sizes measured at different moments compare; the milliseconds do not.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "var" / "bench"
GROWTH_GOAL = 0.10


def per_size_url(url: str, clients: int) -> str:
    """caseworks_bench → caseworks_bench_20000: a database per size, kept like the files."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{clients}"))


def run(sizes: list[int], url: str) -> int:
    """Each size in turn; a size whose run fails still leaves the others' rows."""
    failed = 0
    for clients in sizes:
        env = {**os.environ, "CASEWORKS_BENCH_CLIENTS": str(clients)}
        if url:
            env["DATABASE_URL"] = per_size_url(url, clients)
        print(f"\n=== {clients:,} persons ===", flush=True)
        started = time.perf_counter()
        code = subprocess.call(
            [
                sys.executable,
                "-m",
                "pytest",
                "tests/bench/test_pages.py",
                "-o",
                "addopts=-p no:cacheprovider",
                "-q",
            ],
            env=env,
            cwd=ROOT,
        )
        print(f"=== {clients:,} persons: {time.perf_counter() - started:.0f} s", flush=True)
        failed = failed or code
    return failed


def table(vendor: str, sizes: list[int]) -> list[str]:
    results = {}
    for clients in sizes:
        path = BENCH_DIR / f"pages-{vendor}-{clients}.json"
        if path.exists():
            results[clients] = json.loads(path.read_text())
    if not results:
        return [f"No results in {BENCH_DIR} for {vendor}: run make bench-scale first."]
    sizes = [n for n in sizes if n in results]
    last = results[sizes[-1]]["pages"]
    lines = [
        f"Pages ÷ floor as the city grows, {vendor} (each size its own run: "
        + ", ".join(f"{n:,} at {results[n]['measured_at']}" for n in sizes)
        + ")"
    ]
    growth_label = f"{sizes[-2]:,}→{sizes[-1]:,}" if len(sizes) > 1 else "growth"
    header = (
        f"{'page':<48}" + "".join(f"{f'{n:,}':>10}" for n in sizes) + f"{growth_label:>16}  goal"
    )
    lines += [header, "-" * (len(header) + 14)]
    for key, row in last.items():
        values = [results[n]["pages"].get(key) for n in sizes]
        if key == "floor":
            cells = "".join(_cell(v and f"{v['median'] * 1000:.1f} ms") for v in values)
            lines.append(f"{'floor (ms, caseworker)':<48}{cells}")
            continue
        cells = "".join(_cell(v and f"{v['ratio']:.2f}×") for v in values)
        growth, verdict = "", ""
        if len(sizes) > 1 and values[-1] and values[-2] and key != "floor_postgresql_sqlite":
            change = values[-1]["ratio"] / values[-2]["ratio"] - 1
            growth = f"{change:+.0%}"
            verdict = f"≤ +{GROWTH_GOAL:.0%} " + ("✔" if change <= GROWTH_GOAL else "✘ missed")
        name = row["operation"][:47]
        lines.append(f"{name:<48}{cells}{growth:>16}  {verdict}")
    return lines


def _cell(text: str | None) -> str:
    return f"{text or '—':>10}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default=os.environ.get("CASEWORKS_BENCH_SCALE", "2000,20000,50000")
    )
    parser.add_argument("--table-only", action="store_true")
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.sizes.split(","))
    url = os.environ.get("DATABASE_URL", "")
    vendor = "postgresql" if url.startswith(("postgres", "pgsql")) else "sqlite"
    if url and vendor == "sqlite":
        print("bench-scale: DATABASE_URL is for PostgreSQL; SQLite uses var/bench/city-N.sqlite3")
        return 2
    code = 0 if args.table_only else run(sizes, url)
    print()
    print("\n".join(table(vendor, sizes)))
    return code


if __name__ == "__main__":
    sys.exit(main())
