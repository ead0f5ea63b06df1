"""The test database: migrated once for a version of the code, then copied into each test process.

Every pytest process (each xdist worker, each of CI's weekday runs) needs a migrated database;
running the migrations takes ~20 s of CPU a process. Here the first process to arrive runs them
(Django's own `setup_databases`, exactly as pytest-django would) into a template, under a file
lock; every process then starts from a copy of that template, and Django's `keepdb` path finds
every migration applied. What the tests see is the database the migrations built, byte for byte.

The template is keyed by a hash of the project's Python files outside tests/ (migrations, and
the code they import), the database engine and the Django version: any change to them builds a
new one, so a stale template is never used.
- SQLite (in memory, the default): the template is a file in CASEWORKS_TEST_DB_CACHE (default
  var/test-db/), restored into the process's shared in-memory database before Django opens it.
- PostgreSQL: the template is a database `test_<name>_template_<key>`; each worker's database is
  created from it (`CREATE DATABASE … TEMPLATE`). Old templates are dropped when a new one is built.
"""

import contextlib
import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import connections
from django.test.utils import setup_databases, teardown_databases

ROOT = Path(__file__).resolve().parent.parent
NOT_CODE = {"tests", "var", "node_modules", "docs", "locale", "static", "templates"}


def code_key(engine: str) -> str:
    """A hash of what decides the migrated schema and rows: the project's Python code."""
    digest = hashlib.sha256(f"{engine} {django.get_version()}".encode())
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0].startswith(".") or parts[0] in NOT_CODE or parts[0].endswith(".egg-info"):
            continue
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    path = Path(os.environ.get("CASEWORKS_TEST_DB_CACHE") or ROOT / "var" / "test-db")
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def locked(name: str) -> Iterator[None]:
    """One process at a time (the others wait), across every pytest process on the machine."""
    with open(cache_dir() / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrated_file(target: Path) -> Path:
    """A file-based SQLite database as the migrations leave it, for tests that start other
    processes: a copy of the template when this run has one (the SQLite runs), else migrated
    here in a subprocess, as an installation would."""
    template = cache_dir() / f"sqlite-{code_key('sqlite')}.sqlite3"
    if template.exists():
        shutil.copyfile(template, target)
    else:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
            env={**os.environ, "DATABASE_URL": f"sqlite:///{target}"},
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=600,
        )
    return target


def setup(verbosity: int) -> Any:
    """Set up the test database of this process; returns what `teardown` needs."""
    connection = connections["default"]
    vendor = connection.vendor
    if vendor == "sqlite" and connection.creation.is_in_memory_db(
        connection.creation._get_test_db_name()
    ):
        return _setup_sqlite(connection, verbosity)
    if vendor == "postgresql":
        return _setup_postgresql(connection, verbosity)
    # Anything else (a file-based SQLite test database): Django's own way, migrations each time.
    return setup_databases(verbosity=verbosity, interactive=False), None


def teardown(state: Any, verbosity: int) -> None:
    old_config, holder = state
    teardown_databases(old_config, verbosity=verbosity)
    if holder is not None:
        holder.close()


def _setup_sqlite(connection: Any, verbosity: int) -> Any:
    template = cache_dir() / f"sqlite-{code_key(connection.vendor)}.sqlite3"
    memory = connection.creation._get_test_db_name()  # file:memorydb_default?mode=memory&…
    with locked("sqlite"):
        if not template.exists():
            old_config = setup_databases(verbosity=verbosity, interactive=False)
            connection.ensure_connection()
            partial = template.with_suffix(".partial")
            target = sqlite3.connect(partial)
            connection.connection.backup(target)
            target.close()
            os.replace(partial, template)
            for old in template.parent.glob("sqlite-*.sqlite3"):
                if old != template:
                    old.unlink(missing_ok=True)
            return old_config, None
    # The shared in-memory database lives as long as one connection to it is open: this one
    # holds it (and the template's rows) until the session ends; Django's connection opens the
    # same database by its name and finds every migration applied (keepdb).
    holder = sqlite3.connect(memory, uri=True)
    source = sqlite3.connect(f"file:{template}?mode=ro", uri=True)
    source.backup(holder)
    source.close()
    return setup_databases(verbosity=verbosity, interactive=False, keepdb=True), holder


def _setup_postgresql(connection: Any, verbosity: int) -> Any:
    settings_dict = connection.settings_dict
    test_name = connection.creation._get_test_db_name()
    template = f"{test_name.split('_gw')[0]}_template_{code_key(connection.vendor)}"
    quote = connection.ops.quote_name
    with locked(
        "postgresql-" + settings_dict["HOST"].replace("/", "_") + str(settings_dict["PORT"])
    ):
        with connection._nodb_cursor() as cursor:
            cursor.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", ["%_template_%"]
            )
            existing = {row[0] for row in cursor.fetchall()}
        if template not in existing:
            # Built as this process's own test database, then renamed into the template.
            name = settings_dict["NAME"]
            setup_databases(verbosity=verbosity, interactive=False)
            connection.close()
            settings.DATABASES[connection.alias]["NAME"] = settings_dict["NAME"] = name
            with connection._nodb_cursor() as cursor:
                for old in existing:
                    if old.startswith(test_name.split("_gw")[0] + "_template_"):
                        cursor.execute(f"DROP DATABASE IF EXISTS {quote(old)}")
                cursor.execute(f"ALTER DATABASE {quote(test_name)} RENAME TO {quote(template)}")
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_name)}")
            cursor.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(template)}")
    return setup_databases(verbosity=verbosity, interactive=False, keepdb=True), None
