"""Does the public subscription page take longer for a new address than for a subscribed one?
(Issue 35: 178 ms against 121 ms, medians of 50, so timing told who is subscribed.) Not part
of `make test` or `make bench`; a timing is no assertion on a shared machine:

    .venv/bin/python tests/bench/subscribe_timing_bench.py [--rounds 50]

Posts the form for a subscribed and for a new address alternately (each from its own client
address, so the rate limit does not answer instead), on a migrated file database in
var/bench/, and prints both medians and their difference.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATABASE = ROOT / "var" / "bench" / "subscribe.sqlite3"
sys.path.insert(0, str(ROOT))
os.environ.update(
    {
        "DEBUG": "False",
        "SECRET_KEY": "test-secret-key-not-for-production-0123456789abcdefghijklmnop",
        "CASEWORKS_FIELD_KEYS": "hDTqPxCe1Kf5MDMk0-kQ1fF3uZcJQm9aq3lGxvXQ7e8=",
        "CASEWORKS_BLIND_INDEX_KEY": "test-blind-index-key-0123456789abcdef0123456789",
        "STATIC_MANIFEST": "False",
        "SECURE_SSL_REDIRECT": "False",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{DATABASE}",
        "DJANGO_SETTINGS_MODULE": "caseworks.settings",
    }
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    rounds = parser.parse_args().rounds
    DATABASE.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, check=True
    )
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from community import subscriptions
    from community.models import Subscriber, SubscribeRequest

    setup_test_environment()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    known = "bekannt@example.org"
    Subscriber.objects.get_or_create(
        email_index=subscriptions.email_index(known),
        defaults={"email": known, "status": "active", "confirmed_at": timezone.now()},
    )
    times: dict[str, list[float]] = {"subscribed": [], "new": []}
    stamp = int(time.time())
    for i in range(rounds + 5):
        for kind in ("subscribed", "new"):
            email = known if kind == "subscribed" else f"neu-{stamp}-{i}@example.org"
            client = Client(REMOTE_ADDR=f"10.{i // 250}.{i % 250}.{1 if kind == 'new' else 2}")
            data = {"email": email, "interests": ["events"], "consent": "on"}
            started = time.perf_counter()
            response = client.post("/newsletter/subscribe/", data)
            elapsed = time.perf_counter() - started
            assert response.status_code == 302, response.status_code
            if i >= 5:  # warm-up
                times[kind].append(elapsed * 1000)
    SubscribeRequest.objects.all().delete()
    a, b = statistics.median(times["subscribed"]), statistics.median(times["new"])
    print(
        f"subscribed {a:.1f} ms, new {b:.1f} ms (medians of {rounds}), difference {b - a:+.1f} ms"
    )


if __name__ == "__main__":
    main()
