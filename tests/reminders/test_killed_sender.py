"""A sender killed with SIGKILL mid-batch, then the next cron run: the fake gateway (a real
HTTP server) receives no number twice. The sender runs in a subprocess against a file
database (tests/reminders/runner.py), as the newsletter's killed worker is tested."""

import collections
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.reminders.fake_gateway import API_KEY, FakeGateway

RUNNER = Path(__file__).with_name("runner.py")
BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def file_database(migrated_sqlite_file, db):
    if connection.vendor != "sqlite":
        pytest.skip("its scenarios run on a file-based SQLite database")
    return migrated_sqlite_file


@pytest.fixture
def fake():
    gateway = FakeGateway().start()
    yield gateway
    gateway.stop()


def run(database: Path, gateway: FakeGateway, *args: str, expect_kill: bool = False) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "CASEWORKS_SMS_BACKEND": "seven",
        "CASEWORKS_SMS_API_URL": gateway.url,
        "CASEWORKS_SMS_API_KEY": API_KEY,
    }
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


def test_a_sender_killed_mid_batch_sends_no_one_two_messages(file_database, fake):
    assert run(file_database, fake, "queue", "20") == {"queued": 20}
    run(file_database, fake, "send", "1", "--kill-after", "9", expect_kill=True)
    assert len(fake.messages()) == 9
    assert run(file_database, fake, "send", "2") == {"sent": 11}  # the next cron run
    counts = collections.Counter(m.to for m in fake.messages())
    assert len(counts) == 20 and set(counts.values()) == {1}
    # The one the gateway took as the sender died is in doubt: failed, not sent again.
    report = run(file_database, fake, "report")
    assert report == {"states": {"sent": 19, "failed": 1}, "interrupted": 1}
    assert all("ቆጸራ" in m.text for m in fake.messages())
