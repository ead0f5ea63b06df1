"""What needs a real file database and other processes: registrations from many threads at
once never exceed the capacity, the public page's rate limit holds across processes, and a
sender killed with SIGKILL mid-send, then resumed, mails every recipient exactly once
(counted by a real SMTP server, aiosmtpd).

Each test gets a file database as the migrations leave it (tests/testdb.py); the scenarios
run in subprocesses (tests/community/file_db_runner.py) against it. No transaction=True test.
"""

import collections
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.community.smtp_sink import start_sink

RUNNER = Path(__file__).with_name("file_db_runner.py")
BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def file_database(migrated_sqlite_file, db):
    """A file database as the migrations leave it (schema, role groups)."""
    if connection.vendor != "sqlite":
        pytest.skip("its scenarios run on a file-based SQLite database")
    return migrated_sqlite_file


def run(database: Path, *args: str, expect_kill: bool = False) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    result = subprocess.run(
        [sys.executable, str(RUNNER), *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if expect_kill:
        assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]
        return {}
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_capacity_is_never_exceeded_by_concurrent_registrations(file_database):
    result = run(file_database, "register-race", "12")
    assert result["errors"] == []
    assert result["confirmed"] == result["capacity"] == 3
    assert result["waiting"] == 9


def test_the_rate_limit_holds_across_processes(file_database, tmp_path):
    """Issue 35: 61 posts from one address to 4 gunicorn workers, 40 accepted against a limit
    of 10 an hour (the limit was counted in each process's memory). Four processes of four
    threads each post 32 times at once: 10 accepted between them."""
    from community.views import SUBSCRIBE_LIMIT

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{file_database}"}
    gate = tmp_path / "gate"  # the racers start together once all four are ready
    gate.mkdir()
    racers = [
        subprocess.Popen(
            [sys.executable, str(RUNNER), "subscribe-race", "4", "2", str(gate)],
            env=env,
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = []
    try:
        deadline = time.monotonic() + 300
        while len(list(gate.glob("ready-*"))) < len(racers):
            assert time.monotonic() < deadline, "the racers did not start"
            assert all(r.poll() is None for r in racers), "a racer ended before the race"
            time.sleep(0.05)
        (gate / "go").touch()
        for racer in racers:
            # A hung racer prints every thread's stack and exits (file_db_runner.HANG_SECONDS).
            out, err = racer.communicate(timeout=600)
            assert racer.returncode == 0, err[-6000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for racer in racers:
            racer.kill()
    assert [r["errors"] for r in results] == [[]] * 4
    assert sum(r["accepted"] for r in results) == SUBSCRIBE_LIMIT
    assert sum(r["refused"] for r in results) == 32 - SUBSCRIBE_LIMIT


@pytest.fixture
def sink():
    controller, sink = start_sink()
    yield controller.port, sink
    controller.stop()


def test_a_sender_killed_after_k_mails_resumes_and_mails_everyone_exactly_once(file_database, sink):
    port, received = sink
    assert run(file_database, "queue", "40") == {"queued": 40}
    run(file_database, "send", str(port), "--kill-after", "13", "--at", "sent", expect_kill=True)
    assert len(received.recipients()) == 13
    run(file_database, "send", str(port))  # the next cron run
    counts = collections.Counter(received.recipients())
    assert len(counts) == 40
    assert set(counts.values()) == {1}
    assert run(file_database, "report")["states"] == {"sent": 40}


def test_a_crash_between_smtp_and_marking_sent_never_mails_twice(file_database, sink):
    """The one mail in doubt (the SMTP server took it, the row was not marked yet) is not
    sent again: at most once. It shows as interrupted; everyone else gets exactly one."""
    port, received = sink
    run(file_database, "queue", "20")
    run(file_database, "send", str(port), "--kill-after", "5", "--at", "handed", expect_kill=True)
    assert len(received.recipients()) == 5
    run(file_database, "send", str(port))
    counts = collections.Counter(received.recipients())
    assert len(counts) == 20 and set(counts.values()) == {1}
    report = run(file_database, "report")
    assert report["states"] == {"sent": 19, "failed": 1}
    assert report["interrupted"] == 1
