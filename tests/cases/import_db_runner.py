"""An import on a file database while other users write (issue 35), in a subprocess:

    DATABASE_URL=sqlite:///path python tests/cases/import_db_runner.py ROWS BATCH_ROWS [WRITERS]

Sets up a team, a caseworker and an administrator, builds an XLSX of ROWS persons (two a
household), and imports it with `importing.run(batch_rows=BATCH_ROWS)` while WRITERS threads
(default 2), each on its own connection, write an access-log row every 20 ms as other users'
requests would. Prints one JSON line: the import's total time, its batches and longest batch
transaction, the commit of the run, and the writers' writes, failures and longest wait.
BATCH_ROWS = ROWS is the old behaviour (one transaction for the whole file).
"""

import json
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseworks.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from cases.intake import importing  # noqa: E402
from cases.models.imports import ImportRun  # noqa: E402
from cases.selectors import case_list_for_user  # noqa: E402
from caseworks.audit.log import log_event  # noqa: E402
from tests.cases.test_import import person, xlsx  # noqa: E402
from tests.helpers import cast_member, make_team  # noqa: E402


def writer(user, stop: threading.Event, stats: dict, lock: threading.Lock) -> None:
    """Another user's short write transactions, timed."""
    try:
        while not stop.is_set():
            began = time.perf_counter()
            try:
                with transaction.atomic():
                    log_event(user=user, action="load.write", object_type="test")
            except Exception as e:  # counted and reported, never lost with the thread
                with lock:
                    stats["errors"].append(f"{type(e).__name__}: {e}")
            waited = time.perf_counter() - began
            with lock:
                stats["writes"] += 1
                stats["max_wait"] = max(stats["max_wait"], waited)
            time.sleep(0.02)
    finally:
        connection.close()


def main(rows: int, batch_rows: int, writers: int) -> dict:
    team = make_team("a")
    alice = cast_member("alice", {"a": team})
    adam = cast_member("adam")
    data = xlsx(
        [
            person(n, household=f"H-{(n + 1) // 2}", main="ja" if n % 2 else "nein")
            for n in range(1, rows + 1)
        ]
    )
    commit_run = importing._commit_run
    publish: list[float] = []

    def timed_commit(*args, **kwargs):
        began = time.perf_counter()
        commit_run(*args, **kwargs)
        publish.append(time.perf_counter() - began)

    importing._commit_run = timed_commit  # type: ignore[assignment]
    connection.close()
    stop, lock = threading.Event(), threading.Lock()
    stats: dict = {"writes": 0, "errors": [], "max_wait": 0.0}
    threads = [
        threading.Thread(target=writer, args=(alice, stop, stats, lock)) for _ in range(writers)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    began = time.perf_counter()
    error = ""
    try:
        importing.run(data, filename="runner.xlsx", user=adam, batch_rows=batch_rows)
    except Exception as e:
        error = f"{type(e).__name__}: {e}"
    total = time.perf_counter() - began
    time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    run = ImportRun.objects.get()
    return {
        "rows": rows,
        "batch_rows": batch_rows,
        "import_error": error,
        "total_s": round(total, 2),
        "state": run.state,
        "persons_done": run.persons_done,
        "batches": run.batches,
        "longest_batch_ms": run.longest_batch_ms,
        "commit_run_ms": round(publish[0] * 1000) if publish else None,
        "visible_to_caseworker": case_list_for_user(user=alice).count(),
        "writes": stats["writes"],
        "write_errors": stats["errors"][:5],
        "write_error_count": len(stats["errors"]),
        "max_write_wait_ms": round(stats["max_wait"] * 1000),
    }


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    print(json.dumps(main(args[0], args[1], args[2] if len(args) > 2 else 2)))
