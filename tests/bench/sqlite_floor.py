"""The SQLite side of "floor PostgreSQL ÷ floor SQLite" (tests/bench/test_pages.py), in a
process of its own on the database DATABASE_URL names (var/bench/city-N.sqlite3):

    DATABASE_URL=sqlite:///var/bench/city-20000.sqlite3 python -m tests.bench.sqlite_floor USER URL

Signs USER in, prints "ready", then for each line "go" on stdin requests URL once through the
whole stack (test client, every middleware, the session) and prints the seconds it took, so
that the parent alternates it with its own floor on PostgreSQL. Ends when stdin closes. The
settings come from the environment the parent passes on (pytest-env's test keys included);
templates render without the test instrumentation, as in production.
"""

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseworks.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402 (after django.setup())
from django.test import Client  # noqa: E402


def main(username: str, url: str) -> None:
    http = Client()
    http.force_login(get_user_model().objects.get(username=username))
    assert http.get(url).status_code == 200
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "go":
            break
        started = time.perf_counter()
        response = http.get(url)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200
        print(elapsed, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
