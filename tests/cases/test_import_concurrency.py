"""Other users keep writing while a large import runs on SQLite (issue 35): the import holds
the write lock a batch at a time, never for the whole file.

The in-memory test database is copied into a file (as tests/community/test_file_database.py
does); tests/cases/import_db_runner.py imports there while two threads, each on its own
connection, write as other users' requests would, with a busy timeout of 5 s (production
waits 20 s): a writer that had to wait longer for the lock fails with "database is locked".
How long a batch takes depends on the machine: what is asserted is how the import takes
the lock (in batches of at most BATCH_ROWS, smaller when slow), not a duration.
"""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from cases.intake.importing import BATCH_TARGET, MIN_BATCH_ROWS, next_batch_size

RUNNER = Path(__file__).with_name("import_db_runner.py")
BASE_DIR = Path(__file__).resolve().parents[2]
ROWS = 400
BATCH_ROWS = 20
pytestmark = pytest.mark.slow


@pytest.fixture
def file_database(tmp_path, db):
    if connection.vendor != "sqlite":
        pytest.skip("copies the SQLite test database into a file")
    path = tmp_path / "import.sqlite3"
    source = sqlite3.connect(connection.settings_dict["NAME"], uri=True)
    source.execute("PRAGMA read_uncommitted = 1")
    target = sqlite3.connect(path)
    target.executescript("\n".join(source.iterdump()))
    target.close()
    source.close()
    return path


def run(database: Path, rows: int, batch_rows: int) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SQLITE_TIMEOUT_SECONDS": "5",
    }
    result = subprocess.run(
        [sys.executable, str(RUNNER), str(rows), str(batch_rows)],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_other_users_write_while_a_large_import_runs(file_database):
    result = run(file_database, ROWS, BATCH_ROWS)
    assert result["import_error"] == ""
    assert result["state"] == "done" and result["persons_done"] == ROWS
    # Never the whole file in one transaction: batches of at most BATCH_ROWS persons.
    assert result["batches"] >= ROWS // BATCH_ROWS
    assert result["visible_to_caseworker"] == ROWS // 2
    # The others wrote meanwhile, and nobody was refused.
    assert result["writes"] > 10
    assert result["write_errors"] == []


def test_a_slow_batch_makes_the_next_one_smaller_and_a_quick_one_larger():
    """The batch size is what keeps the write lock's hold short on a busy machine."""
    assert next_batch_size(50, BATCH_TARGET * 4, largest=50) == 12
    assert next_batch_size(12, BATCH_TARGET * 100, largest=50) == MIN_BATCH_ROWS
    assert next_batch_size(10, BATCH_TARGET / 10, largest=50) == 20  # at most twice over
    assert next_batch_size(40, BATCH_TARGET / 10, largest=50) == 50
    assert next_batch_size(50, BATCH_TARGET, largest=50) == 50
    assert next_batch_size(3, 10.0, largest=3) == 3  # a run asked for smaller batches
