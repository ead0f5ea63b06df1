"""Run in a subprocess against a file database (DATABASE_URL), for a sender killed mid-batch:

    python tests/reminders/runner.py queue <n>
    python tests/reminders/runner.py send <minute> [--kill-after K]
    python tests/reminders/runner.py report

The clock is pinned (the morning before the accompaniments, ticking on; a send run <minute>
minutes later, as cron starts them), the gateway comes from the environment (CASEWORKS_SMS_*:
the test's fake gateway)."""

import datetime
import json
import os
import signal
import sys
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseworks.settings")

import django  # noqa: E402
import time_machine  # noqa: E402

MORNING = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))


def queue(n: int) -> dict:
    from tests.helpers import cast_member, make_team, open_case
    from tests.reminders.world import FAR, accompaniment, opt_in

    team = make_team("a")
    alice = cast_member("alice", {"a": team})
    at = MORNING + datetime.timedelta(days=1, hours=1)
    for i in range(n):
        case = open_case(alice, team, first_name=f"Person{i}", valid_until=FAR)
        person = case.clients.get()
        opt_in(alice, person, language="ti", address=f"0170 {1000000 + i}")
        accompaniment(case, person, at)
    from referrals.reminders import sending

    return {"queued": sending.reminders_queue_due()}


def send(kill_after: int | None) -> dict:
    from referrals.reminders import sending

    if kill_after is not None:  # killed right after the k-th gateway answer, before marking
        from caseworks.sms.backends import SevenBackend

        count = {"n": 0}
        original = SevenBackend.send

        def send_then_die(self, to, text):
            result = original(self, to, text)
            count["n"] += 1
            if count["n"] >= kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        SevenBackend.send = send_then_die  # type: ignore[method-assign]
    return {"sent": sending.reminders_work(batch=7, lease=datetime.timedelta(0))}


def report() -> dict:
    from django.db.models import Count

    from referrals.models import Reminder

    states = dict(Reminder.objects.values_list("state").annotate(n=Count("pk")).order_by())
    interrupted = Reminder.objects.filter(error__startswith="interrupted").count()
    return {"states": states, "interrupted": interrupted}


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    django.setup()
    minute = int(args[0]) if command == "send" else 0
    with time_machine.travel(MORNING + datetime.timedelta(minutes=minute), tick=True):
        if command == "queue":
            result = queue(int(args[0]))
        elif command == "send":
            kill = int(args[args.index("--kill-after") + 1]) if "--kill-after" in args else None
            result = send(kill)
        else:
            result = report()
    print(json.dumps(result))
