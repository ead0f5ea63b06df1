"""Run in a subprocess against a file database (DATABASE_URL), for what the in-memory test
database cannot show: several threads registering at once, and a sender killed mid-send.

    python tests/community/file_db_runner.py register-race <threads>
    python tests/community/file_db_runner.py queue <n>
    python tests/community/file_db_runner.py send <smtp port> [--kill-after K --at sent|handed]
    python tests/community/file_db_runner.py report
    python tests/community/file_db_runner.py subscribe-race <threads> <posts> <gate folder>
"""

import faulthandler
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseworks.settings")

import django  # noqa: E402
from django.conf import settings  # noqa: E402


def setup(smtp_port: int | None = None) -> None:
    if smtp_port is not None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = smtp_port
    else:
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    django.setup()


def register_race(threads: int) -> dict:
    import datetime

    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.utils import timezone

    from community import services

    cody = User.objects.create(username="race-cody")
    cody.groups.add(Group.objects.get(name="coordinator"))
    volunteer_group = Group.objects.get(name="volunteer")
    users = []
    for i in range(threads):
        user = User.objects.create(username=f"race-{i}")
        user.groups.add(volunteer_group)
        users.append(user)
    event = services.event_create(
        actor=cody,
        title="Schulung",
        kind="training",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        place="Saal",
        capacity=3,
    )
    connection.close()
    start = threading.Barrier(threads)
    errors: list[str] = []

    def one(user):
        from django.db import connection as thread_connection

        try:
            start.wait(timeout=30)
            services.registration_add(actor=user, event=event, user=user)
        except Exception as e:  # reported, never lost with the thread
            errors.append(f"{type(e).__name__}: {e}")
        finally:
            thread_connection.close()

    workers = [threading.Thread(target=one, args=(u,)) for u in users]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    confirmed = event.registrations.filter(status="confirmed").count()
    waiting = event.registrations.filter(status="waiting").count()
    return {"errors": errors, "confirmed": confirmed, "waiting": waiting, "capacity": 3}


def queue(n: int) -> dict:
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from community import sending, subscriptions
    from community.models import Issue, Subscriber

    cody = User.objects.create(username="send-cody")
    cody.groups.add(Group.objects.get(name="coordinator"))
    Subscriber.objects.bulk_create(
        [
            Subscriber(
                email=f"reader{i}@example.org",
                email_index=subscriptions.email_index(f"reader{i}@example.org"),
                status="active",
                confirmed_at=timezone.now(),
            )
            for i in range(n)
        ]
    )
    issue = Issue.objects.create(subject="Rundbrief", body="Hallo **alle**.", created_by=cody)
    return {"queued": sending.issue_send(actor=cody, issue=issue, base_url="http://testserver/")}


def send(port: int, kill_after: int | None, at: str) -> dict:
    from community import sending

    if kill_after is not None:
        count = {"n": 0}
        if at == "sent":  # killed right after the k-th row was marked sent
            from caseworks.ops.outbox import Outbox

            original = Outbox.mark_sent

            def mark_then_die(self, delivery_id, **fields):
                original(self, delivery_id, **fields)
                count["n"] += 1
                if count["n"] >= kill_after:
                    os.kill(os.getpid(), signal.SIGKILL)

            Outbox.mark_sent = mark_then_die  # type: ignore[method-assign]
        else:  # killed after the SMTP server took the k-th mail, before it was marked sent
            from django.core.mail.backends.smtp import EmailBackend

            original_send = EmailBackend.send_messages

            def send_then_die(self, messages):
                result = original_send(self, messages)
                count["n"] += len(messages)
                if count["n"] >= kill_after:
                    os.kill(os.getpid(), signal.SIGKILL)
                return result

            EmailBackend.send_messages = send_then_die
    sent = sending.work_queue(batch=7, lease=__import__("datetime").timedelta(0))
    return {"sent": sent}


def wait_at_gate(gate: Path, timeout: float = 300.0) -> None:
    """Say this process is ready (a file in `gate`), then wait for the caller's "go" file:
    the racing processes start together, however long each took to start Django. (Not a
    shared time: the test process's clock is set to another day, tests/clock.py.)"""
    (gate / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + timeout
    while not (gate / "go").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("no go from the test")
        time.sleep(0.01)


def subscribe_race(threads: int, posts: int, gate: Path) -> dict:
    """Like one gunicorn worker of several: `threads` clients post the public subscription
    form `posts` times each, from one address, once every racing process is at the `gate`
    (wait_at_gate). Returns how many were accepted (302) and refused (429)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.close()
    answers: list[int] = []
    errors: list[str] = []

    def one(i):
        from django.db import connection as thread_connection

        client = Client(REMOTE_ADDR="198.51.100.7")
        try:
            for j in range(posts):
                data = {"email": f"r{i}-{j}@example.org", "interests": ["events"], "consent": "on"}
                answers.append(client.post("/newsletter/subscribe/", data).status_code)
        except Exception as e:  # reported, never lost with the thread
            errors.append(f"{type(e).__name__}: {e}")
        finally:
            thread_connection.close()

    wait_at_gate(gate)
    workers = [threading.Thread(target=one, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    return {"accepted": answers.count(302), "refused": answers.count(429), "errors": errors}


def report() -> dict:
    from django.db.models import Count

    from community.models import Delivery

    states = dict(Delivery.objects.values_list("state").annotate(n=Count("pk")).order_by())
    interrupted = Delivery.objects.filter(error__startswith="interrupted").count()
    return {"states": states, "interrupted": interrupted}


# A scenario that hangs shows where, in every thread, instead of running into the caller's
# timeout without a word (stderr reaches the failing test's report).
HANG_SECONDS = float(os.environ.get("FILE_DB_RUNNER_HANG_SECONDS", "420"))

if __name__ == "__main__":
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    command, args = sys.argv[1], sys.argv[2:]
    if command == "send":
        port = int(args[0])
        kill_after = int(args[args.index("--kill-after") + 1]) if "--kill-after" in args else None
        at = args[args.index("--at") + 1] if "--at" in args else "sent"
        setup(port)
        result = send(port, kill_after, at)
    else:
        setup()
        if command == "register-race":
            result = register_race(int(args[0]))
        elif command == "subscribe-race":
            result = subscribe_race(int(args[0]), int(args[1]), Path(args[2]))
        elif command == "queue":
            result = queue(int(args[0]))
        else:
            result = report()
    print(json.dumps(result))
