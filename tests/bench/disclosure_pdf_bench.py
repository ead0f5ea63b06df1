"""The Art. 15 disclosure PDF of a person with 2,000 visits: time and peak memory of building
it, each run in a fresh process (as a worker would). Not part of `make test` or `make bench`:

    .venv/bin/python tests/bench/disclosure_pdf_bench.py [--runs 3]

The first run builds var/bench/disclosure-2000.sqlite3 (migrated, one person with 2,000
visits and their history rows, as tests/bench/test_city.py makes them). Prints one line a
run: what the request costs now (asking for the PDF and its page, in ms), the build's seconds
(the worker's, formerly the request's), the process's peak RSS (ru_maxrss) before and after
building, and the PDF's size and pages.
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]
DATABASE = ROOT / "var" / "bench" / "disclosure-2000.sqlite3"
VISITS = 2000
sys.path.insert(0, str(ROOT))
# The test suite's fixed keys (pyproject.toml), never the developer's var/ keys.
TEST_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "test-secret-key-not-for-production-0123456789abcdefghijklmnop",
    "CASEWORKS_FIELD_KEYS": "hDTqPxCe1Kf5MDMk0-kQ1fF3uZcJQm9aq3lGxvXQ7e8=",
    "CASEWORKS_BLIND_INDEX_KEY": "test-blind-index-key-0123456789abcdef0123456789",
    "STATIC_MANIFEST": "False",
    "SECURE_SSL_REDIRECT": "False",
    "ALLOWED_HOSTS": "testserver",
    "CASEWORKS_REQUIRE_2FA": "False",
}
os.environ.update(TEST_ENV)


def _django() -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseworks.settings")
    import django

    django.setup()


def build_database() -> None:
    # Imported here and below: models can be imported only after django.setup().
    from tests.bench.long_accompaniment import long_person
    from tests.helpers import make_team, make_user

    team = make_team("a")
    caseworker = make_user("bench-cw", "caseworker", first_name="Clara", last_name="Weber")
    team.members.add(caseworker)
    supervisor = make_user("bench-sup", "supervisor", first_name="Sam", last_name="Sommer")
    team.supervisors.add(supervisor)
    long_person(team, caseworker, visits=VISITS)


def request_ms(person) -> float:
    """What a gunicorn worker now does for the PDF: the POST that asks for it and one look
    at its page (the build is the worker's), in milliseconds."""
    from django.contrib.auth.models import User
    from django.test import Client
    from django.test.utils import setup_test_environment

    from cases.models import DisclosureExport

    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username="bench-sup"))
    url = f"/cases/{person.case.code}/clients/{person.code}/disclosure.pdf"
    times = []
    for _i in range(3):  # the first pays for the process's first request (imports, templates)
        started = time.perf_counter()
        page = client.post(url)
        assert page.status_code == 302, page.status_code
        assert client.get(page["Location"]).status_code == 200
        times.append((time.perf_counter() - started) * 1000)
        DisclosureExport.objects.all().delete()
    return round(min(times[1:]), 1)


def one_run() -> dict:
    """In this (fresh) process: build the PDF once, as the background worker does."""
    from cases.models import Client
    from cases.privacy import exports

    person = Client.objects.get()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    pdf = exports.disclosure_pdf_bytes(person)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return {
        "request_ms": request_ms(person),
        "build_seconds": round(seconds, 2),
        "rss_before_mb": round(before / 1024),
        "rss_peak_mb": round(after / 1024),
        "pdf_kb": len(pdf) // 1024,
        "pages": pages,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        _django()
        print(json.dumps(one_run()))
        return
    new = not DATABASE.exists()
    DATABASE.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{DATABASE}"},
        cwd=ROOT,
        check=True,
    )
    if new:
        _django()
        build_database()
    for _i in range(args.runs):
        result = subprocess.run(
            [sys.executable, __file__, "--one"], cwd=ROOT, capture_output=True, text=True
        )
        if result.returncode:
            sys.exit(result.stderr[-3000:])
        print(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
