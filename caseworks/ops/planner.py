"""The query planner's statistics kept current, and checked.

Without statistics SQLite's planner guesses which index narrows a query most, and guesses
wrong on our data: at 20,000 persons the case file's accompaniment queries took the
`(status, appointment_at)` index and read every planned accompaniment of the city instead of
the case's own (17–19 ms of SQL for the page; 1–2 ms with statistics, issue 37). SQLite only
has statistics once `ANALYZE` ran (the table `sqlite_stat1`), and nothing runs it by itself.

SQLite, with its own mechanism:
- every connection bounds any analysis (`PRAGMA analysis_limit`: a table is sampled, not read
  whole; a 20,000-person city takes ~0.1 s instead of ~1 s) and runs `PRAGMA optimize=0x10002`
  as it opens (SQLite's advice for connections that live long: from SQLite 3.46 it analyses
  every table that changed much since, and costs next to nothing when none did; older versions
  only look at the tables the connection has used, so at the open they do nothing);
- after `migrate`, and on the first connection of every process (a server's worker, a
  management command), `ANALYZE` runs when the statistics are missing or stale: a table of at
  least MIN_ROWS rows with none, or grown more than GROWTH times since (this covers SQLite
  before 3.46, where nothing else would notice an import);
- `check_planner_statistics` (caseworks.checks, `manage.py check --database default`, run by
  `migrate`) warns when they are missing or stale.

PostgreSQL: autovacuum analyses a table once a tenth of its rows changed, an import within
about a minute; nothing runs per connection. After `migrate`, and in the check, a table of at
least MIN_ROWS rows that was never analysed (autovacuum switched off) is analysed / warned
about.
"""

import logging
import re
from typing import Any

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

# Tables smaller than this are read whole whatever the plan: no statistics needed.
MIN_ROWS = 1000
# Statistics are stale when a table holds more than GROWTH times the rows they counted.
GROWTH = 10
# Rows sampled per index by ANALYZE and PRAGMA optimize (SQLite's own suggestion: 100–1000).
ANALYSIS_LIMIT = 1000
# SQLite's mask for an optimize at open: 0x02 analyse what needs it, 0x10000 every table.
OPTIMIZE_AT_OPEN = "PRAGMA optimize=0x10002"

# The databases whose statistics this process has checked (settings NAME), checked once.
_checked: set[str] = set()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_stale_tables(cursor: Any) -> list[str]:
    """Tables of at least MIN_ROWS rows that SQLite has no statistics for, or that grew more
    than GROWTH times since. max(rowid) stands in for the count (a lookup, not a scan; every
    table Django makes is a rowid table)."""
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    tables = [row[0] for row in cursor.fetchall()]
    counted: dict[str, int] = {}
    cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
    if cursor.fetchone():
        cursor.execute("SELECT tbl, stat FROM sqlite_stat1")
        for table, stat in cursor.fetchall():
            match = re.match(r"\d+", stat or "")
            if match:
                counted[table] = max(counted.get(table, 0), int(match.group()))
    stale = []
    for table in tables:
        try:
            # A name from sqlite_master, quoted: not user input.
            cursor.execute(f"SELECT max(rowid) FROM {_quote(table)}")  # noqa: S608
        except DatabaseError:  # a table without rowid (none of Django's): not ours to judge
            continue
        rows = cursor.fetchone()[0] or 0
        if rows < MIN_ROWS:
            continue
        if table not in counted or rows > GROWTH * max(counted[table], 1):
            stale.append(table)
    return stale


def _postgresql_stale_tables(cursor: Any) -> list[str]:
    """Tables of at least MIN_ROWS rows never analysed, by hand or by autovacuum."""
    cursor.execute(
        "SELECT relname FROM pg_stat_user_tables WHERE n_live_tup >= %s"
        " AND last_analyze IS NULL AND last_autoanalyze IS NULL ORDER BY relname",
        [MIN_ROWS],
    )
    return [row[0] for row in cursor.fetchall()]


def stale_tables(connection: Any) -> list[str]:
    """The tables whose planner statistics are missing or stale (empty: all current)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            return _sqlite_stale_tables(cursor)
        if connection.vendor == "postgresql":
            return _postgresql_stale_tables(cursor)
    return []


def analyze(connection: Any) -> None:
    """Make the statistics anew (SQLite bounded by ANALYSIS_LIMIT)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")


def ensure_statistics(connection: Any) -> list[str]:
    """ANALYZE when statistics are missing or stale; the tables that made it necessary."""
    stale = stale_tables(connection)
    if stale:
        logger.info("Planner statistics missing or stale (%s): analysing", ", ".join(stale))
        analyze(connection)
    return stale


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created: SQLite's optimize at open; the first connection of the process to
    a database makes missing or stale statistics (either database)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
            cursor.execute(OPTIMIZE_AT_OPEN)
    name = str(connection.settings_dict.get("NAME"))
    if name in _checked:
        return
    _checked.add(name)
    try:
        ensure_statistics(connection)
    except DatabaseError:
        # Busy (another process writes) or read-only: the next process tries again; the
        # system check says so meanwhile. Pages work without statistics, only slower.
        logger.warning("Planner statistics could not be checked", exc_info=True)


def on_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: statistics for what migrate (or a restore before it) brought."""
    ensure_statistics(connections[using])
