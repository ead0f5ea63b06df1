"""The embedded SQLite default holds concurrent writers, and its files are private.

caseworks/settings.py gives an SQLite database OPTIONS (IMMEDIATE transactions, a busy
timeout, WAL). Outside testers saw what happens without them: with several gunicorn workers,
two requests that each read and then write (lock_versioned, require_open: select_for_update
is a no-op on SQLite) answered "database is locked" (a 500). The scenario here is exactly
that, on a database file in tmp_path with two connections of Django's own sqlite backend in
two threads: with the settings' OPTIONS both transactions succeed one after the other; with
the OPTIONS removed the same scenario fails. Both are asserted, so the difference shows.

No gunicorn, no test database: `make loadtest` (tests/load/) is the end-to-end version.
"""

import contextlib
import os
import runpy
import stat
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.db.utils import ConnectionHandler

from caseworks.ops import instance

SQLITE = "django.db.backends.sqlite3"
SETTINGS_FILE = Path(__file__).resolve().parents[2] / "caseworks" / "settings.py"
# How long a transaction that has read waits for the other one to have read too.
HOLD_SECONDS = 1.0


@pytest.fixture
def sqlite_options(monkeypatch) -> dict:
    """The OPTIONS caseworks/settings.py gives an SQLite database: those in use when the
    suite runs on SQLite, else (CI's PostgreSQL run) the settings evaluated without
    DATABASE_URL."""
    default = settings.DATABASES["default"]
    if default["ENGINE"] != SQLITE:
        monkeypatch.delenv("DATABASE_URL", raising=False)
        default = runpy.run_path(str(SETTINGS_FILE))["DATABASES"]["default"]
        assert default["ENGINE"] == SQLITE
    return dict(default.get("OPTIONS", {}))


def sqlite_settings(path: Path, options: dict) -> dict:
    """A complete settings dict for a file database (the defaults Django fills in)."""
    database = {"ENGINE": SQLITE, "NAME": str(path), "OPTIONS": options}
    return ConnectionHandler({"default": database}).settings["default"]


def make_database(path: Path, options: dict) -> dict:
    settings_dict = sqlite_settings(path, options)
    db = DatabaseWrapper(settings_dict, alias="concurrency")
    with db.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n integer NOT NULL)")
        cursor.execute("INSERT INTO counter (n) VALUES (0)")
    db.close()
    return settings_dict


def read_then_write(
    settings_dict: dict, start: threading.Barrier, both_read: threading.Barrier, errors: list[str]
) -> None:
    """One request's transaction as Django's atomic() runs it (BEGIN in the configured mode,
    commit or roll back): read a value, then write what was computed from it."""
    db = DatabaseWrapper(settings_dict, alias="concurrency")
    try:
        start.wait(timeout=10)
        db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        try:
            with db.cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                (n,) = cursor.fetchone()
                # Both have read before either writes, unless the other one cannot read yet
                # because it waits for the lock (IMMEDIATE): then this one goes on alone.
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_read.wait(timeout=HOLD_SECONDS)
                cursor.execute("UPDATE counter SET n = %s", [n + 1])
            db.commit()
        except Exception:
            db.rollback()
            raise
        finally:
            db.set_autocommit(True)
    except Exception as e:  # reported to the test, never lost with the thread
        errors.append(f"{type(e).__name__}: {e}")
    finally:
        db.close()


def run_two_at_once(settings_dict: dict) -> tuple[list[str], int]:
    """Both threads begin their transaction together; (errors, final count)."""
    errors: list[str] = []
    start, both_read = threading.Barrier(2), threading.Barrier(2)
    threads = [
        threading.Thread(target=read_then_write, args=(settings_dict, start, both_read, errors))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    db = DatabaseWrapper(settings_dict, alias="concurrency")
    with db.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        (count,) = cursor.fetchone()
    db.close()
    return errors, count


def test_with_the_settings_options_two_read_then_write_transactions_both_succeed(
    tmp_path, sqlite_options, django_db_blocker
):
    with django_db_blocker.unblock():
        settings_dict = make_database(tmp_path / "db.sqlite3", sqlite_options)
        errors, count = run_two_at_once(settings_dict)
    # The second waited for the first one's commit (IMMEDIATE, the busy timeout) instead of
    # failing, and then read what the first wrote: serialised, no lost update.
    assert errors == []
    assert count == 2


def test_without_the_options_the_same_scenario_says_database_is_locked(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        settings_dict = make_database(tmp_path / "db.sqlite3", {})
        errors, count = run_two_at_once(settings_dict)
    # Both read, then both want to write: SQLite refuses one at once (waiting could only
    # deadlock, so the busy timeout does not even apply). In a request: a 500.
    assert len(errors) == 1
    assert "database is locked" in errors[0]
    assert count == 1


def test_the_settings_options_put_the_database_in_wal_mode(
    tmp_path, sqlite_options, django_db_blocker
):
    """Readers never wait for the writer (nor a backup's long read for anyone)."""
    with django_db_blocker.unblock():
        db = DatabaseWrapper(sqlite_settings(tmp_path / "db.sqlite3", sqlite_options), "wal")
        with db.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            (mode,) = cursor.fetchone()
        db.close()
    assert mode == "wal"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_022():
    """The usual umask, whatever the one running the suite: files 0644, folders 0755."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_instance_folder_and_the_sqlite_database_are_private(
    tmp_path, settings, sqlite_options, django_db_blocker, umask_022
):
    var = tmp_path / "var"
    var.mkdir()
    assert mode_of(var) == 0o755
    settings.VAR_DIR = var
    database = var / "caseworks.sqlite3"
    with django_db_blocker.unblock():
        # A connection as every request opens one: the file is created 0644, and the
        # connection_created receiver that caseworks/apps.py connects takes that back.
        db = DatabaseWrapper(sqlite_settings(database, sqlite_options), alias="private")
        with db.cursor() as cursor:
            cursor.execute("CREATE TABLE t (n integer)")
            cursor.execute("INSERT INTO t VALUES (1)")
        assert mode_of(var) == 0o700
        assert mode_of(database) == 0o600
        # WAL's companions, created while the connection is open, follow the database.
        companions = [Path(f"{database}{suffix}") for suffix in ("-wal", "-shm")]
        assert all(path.exists() for path in companions)
        assert {mode_of(path) for path in companions} == {0o600}
        db.close()


def test_the_instance_folder_is_made_private_when_the_app_starts(tmp_path, settings, umask_022):
    var = tmp_path / "var"
    var.mkdir()
    (var / "keys.json").touch(mode=0o600)
    settings.VAR_DIR = var
    instance.secure_instance_folder()
    assert mode_of(var) == 0o700


def test_privacy_never_loosens_and_skips_what_is_missing(tmp_path):
    folder = tmp_path / "readonly"
    folder.mkdir(mode=0o500)
    instance.make_private(folder)
    assert mode_of(folder) == 0o500
    instance.make_private(tmp_path / "missing")  # no error
    folder.chmod(0o700)
