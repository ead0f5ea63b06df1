"""Other users keep writing while a large import runs on SQLite (issue 35): the import holds
the write lock a batch at a time, never for the whole file.

The in-memory test database is copied into a file (as tests/community/test_file_database.py
does); tests/cases/import_db_runner.py imports there while two threads, each on its own
connection, write as other users' requests would, with a busy timeout of 1 s (production
waits 20 s): a writer that had to wait longer for the lock fails with "database is locked".
"""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

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
        "SQLITE_TIMEOUT_SECONDS": "1",
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
    assert result["batches"] == ROWS // BATCH_ROWS
    assert result["visible_to_caseworker"] == ROWS // 2
    # Nobody was refused, and nobody waited longer than about one batch.
    assert result["writes"] > 10
    assert result["write_errors"] == []
    assert result["longest_batch_ms"] < 1000
    assert result["max_write_wait_ms"] < 1000
    assert result["commit_run_ms"] < 1000
