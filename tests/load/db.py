"""The load test's database side (run by tests/load/loadtest.py with the server's environment).

    python tests/load/db.py prepare --clients 400 --users 30 [--side import,disclosure]
    python tests/load/db.py count --since ISO --marker-minutes 47 --clients FILE   # JSON

`prepare` builds the house the load test drives: on PostgreSQL it first recreates the
database DATABASE_URL names (only a local one whose name contains "loadtest"; SQLite's file
is removed by loadtest.py), then `migrate`, `seed_demo --clients N` and as many extra users as
the run needs, so that each virtual user signs in as a distinct person (password "demo"):
caseworkers spread over teams A and B with the team's cases reassigned round-robin among
them, and paired, each pair sharing its cases (two people on one file: concurrent edits of
the same person happen, as in a real office); supervisors of A and B; office staff of both
teams; volunteers with some of volunteer1's accompaniments.

With --side (LOADTEST_SIDE, tests/load/loadtest.py's side jobs) `prepare` adds, in team A and
outside every virtual user's caseload, a caseworker and a supervisor for the side jobs
(load-side-cw, load-side-sup) and: for "disclosure", the long accompaniment of
tests/bench/long_accompaniment.py (a person with 2,000 visits and 200 documents of about
2 MB); for "import", the file to import (tests/bench/test_import.py's caseload, --import-rows
persons assigned to load-side-cw) at --import-file. The output is then {"roster": [...],
"side": {...}} instead of the roster alone.

`import FILE --user U --log L` runs `manage.py import_cases FILE --user U --confirm` in this
process and prints, as JSON, how long its transactions held SQLite's write lock (median, 95th
percentile, longest) and the longest wait for it.

`count` reads back what the run wrote, through the ORM (decrypting): the visits carrying the
run's marker (their notes hold the token each POST sent), and the version and phone number of
every person the run edited; and the import runs started since (their batches and the
longest batch's milliseconds, as the import recorded them: cases.models.ImportRun).
"""

import argparse
import datetime
import io
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo"  # the demo users' password (demo/data.py); DEBUG-only data


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseworks.settings")
    import django

    django.setup()


def recreate_postgres_database() -> None:
    """A fresh database for the run: DROP and CREATE the one DATABASE_URL names, refused
    unless it is local and called *loadtest* (this must never reach a real database)."""
    import psycopg
    from django.conf import settings
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    db = settings.DATABASES["default"]
    name, host = db["NAME"], db.get("HOST") or ""
    if "loadtest" not in name:
        sys.exit(
            f"The load test recreates the database it is given; {name!r} does not look like a "
            "throwaway one. Use a database named like caseworks_loadtest."
        )
    if host not in ("", "localhost", "127.0.0.1", "::1") and not host.startswith("/"):
        sys.exit(f"The load test only runs against a local PostgreSQL, not {host!r}.")
    params = {"host": host, "port": db.get("PORT"), "user": db.get("USER")}
    params["password"] = db.get("PASSWORD")
    conninfo = make_conninfo("dbname=postgres", **{k: str(v) for k, v in params.items() if v})
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def seed(clients: int) -> None:
    from django.core.management import call_command

    call_command("seed_demo", clients=clients, stdout=io.StringIO())


def split_roles(users: int) -> dict[str, int]:
    """About 2/3 caseworkers, the rest supervisors, office and volunteers (one at least)."""
    if users < 4:
        sys.exit("The load test needs at least 4 users: one of each role.")
    volunteers = max(1, round(users * 0.1))
    office = max(1, round(users * 0.1))
    supervisors = max(1, round(users * 0.13))
    caseworkers = users - volunteers - office - supervisors
    return {
        "caseworker": caseworkers,
        "supervisor": supervisors,
        "office": office,
        "volunteer": volunteers,
    }


def prepare(clients: int, users: int) -> list[dict]:
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        recreate_postgres_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    seed(clients)

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction

    from cases import services
    from cases.models import Case
    from caseworks.access.roles import Role
    from caseworks.models import Team
    from visits.models import Accompaniment

    User = get_user_model()
    demo = {u.username: u for u in User.objects.all()}
    teams = {
        "A": Team.objects.get(members=demo["caseworker1"]),
        "B": Team.objects.get(members=demo["caseworker3"]),
    }
    wanted = split_roles(users)
    existing: dict[str, list[tuple[str, str | None]]] = {
        "caseworker": [("caseworker1", "A"), ("caseworker2", "A"), ("caseworker3", "B")],
        "supervisor": [("supervisor", "A"), ("supervisor2", "B")],
        "office": [("office", None)],
        "volunteer": [("volunteer1", None)],
    }
    roster: list[dict] = []
    with transaction.atomic():
        for role, count in wanted.items():
            accounts = existing[role][:count]
            for number in range(len(accounts) + 1, count + 1):
                team_key = "AB"[number % 2]
                username = f"load-{role}{number:02d}"
                user = User.objects.create_user(
                    username, password=PASSWORD, first_name="Last", last_name=f"{number:02d}"
                )
                user.groups.set(Group.objects.filter(name=Role(role)))
                if role == "caseworker":
                    teams[team_key].members.add(user)
                elif role == "supervisor":
                    teams[team_key].supervisors.add(user)
                elif role == "office":
                    for team in teams.values():
                        team.members.add(user)
                in_team = role in ("caseworker", "supervisor")
                accounts.append((username, team_key if in_team else None))
            roster += [{"username": u, "role": role, "team": t} for u, t in accounts]

        # Caseloads: each team's open cases round-robin among its caseworkers; pairs of
        # caseworkers of a team share their cases, and a pair's "hot" person is the main
        # contact of its first case (both edit it now and then: the conflict form's path).
        names = [r["username"] for r in roster]
        by_name = {u.username: u for u in User.objects.filter(username__in=names)}
        for key, team in teams.items():
            lead = team.supervisors.order_by("pk").first()
            workers = [r for r in roster if r["role"] == "caseworker" and r["team"] == key]
            if not workers:
                continue  # few users: the team keeps its demo caseworkers' cases
            cases = list(Case.objects.filter(team=team, closed_on__isnull=True).order_by("pk"))
            for i, case in enumerate(cases):
                worker = by_name[workers[i % len(workers)]["username"]]
                if case.assigned_to_id != worker.pk:
                    services.case_assign(actor=lead, case=case, caseworker=worker)
            for a, b in zip(workers[0::2], workers[1::2], strict=False):
                first = None
                for case in Case.objects.filter(
                    team=team, closed_on__isnull=True, assigned_to__username=a["username"]
                ).order_by("pk"):
                    services.case_share(actor=lead, case=case, user=by_name[b["username"]])
                    first = first or case
                if first is not None:
                    main = first.clients.order_by("pk").first()
                    hot = f"/cases/{first.code}/clients/{main.code}/edit/"
                    a["hot"] = b["hot"] = hot

        # Volunteers: volunteer1's accompaniments spread over all of them (data shaping).
        volunteers = [by_name[r["username"]] for r in roster if r["role"] == "volunteer"]
        pks = list(
            Accompaniment.objects.filter(accompanied_by=demo["volunteer1"])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for i, volunteer in enumerate(volunteers[1:], start=1):
            Accompaniment.objects.filter(pk__in=pks[i :: len(volunteers)]).update(
                accompanied_by=volunteer
            )
    return roster


SIDE_CASEWORKER = "load-side-cw"
SIDE_SUPERVISOR = "load-side-sup"
DOCUMENTS = 200
DOCUMENT_MB = 2.0
VISITS = 2000


def prepare_side(side: set[str], import_rows: int, import_file: Path | None) -> dict:
    """The side jobs' accounts and data (see the module's docstring), in team A, which the
    virtual users' caseloads do not reach: the side caseworker is no virtual user."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from caseworks.access.roles import Role
    from caseworks.models import Team
    from tests.bench.long_accompaniment import add_documents, long_person
    from tests.bench.test_import import caseload_xlsx

    User = get_user_model()
    team = Team.objects.get(members__username="caseworker1")
    caseworker = User.objects.create_user(
        SIDE_CASEWORKER, password=PASSWORD, first_name="Side", last_name="Caseworker"
    )
    caseworker.groups.set(Group.objects.filter(name=Role.CASEWORKER))
    team.members.add(caseworker)
    supervisor = User.objects.create_user(
        SIDE_SUPERVISOR, password=PASSWORD, first_name="Side", last_name="Supervisor"
    )
    supervisor.groups.set(Group.objects.filter(name=Role.SUPERVISOR))
    team.supervisors.add(supervisor)
    found: dict = {"supervisor": SIDE_SUPERVISOR, "importer": "admin"}
    if "disclosure" in side:
        person = long_person(team, caseworker, visits=VISITS)
        add_documents(person.case, person, caseworker, count=DOCUMENTS, megabytes=DOCUMENT_MB)
        found |= {
            "case": str(person.case.code),
            "person": str(person.code),
            "visits": VISITS,
            "documents": DOCUMENTS,
        }
    if "import" in side and import_file is not None:
        import_file.write_bytes(caseload_xlsx(team, [SIDE_CASEWORKER], rows=import_rows))
        found |= {"import_file": str(import_file), "import_rows": import_rows}
    return found


def count(since: datetime.datetime, marker_minutes: int, client_codes: list[str]) -> dict:
    from cases.models import Client
    from cases.models.imports import ImportRun
    from visits.models import Visit

    visits = Visit.objects.filter(duration_minutes=marker_minutes, created_at__gte=since)
    clients = Client.objects.filter(code__in=client_codes)
    imports = ImportRun.objects.filter(started_at__gte=since).order_by("pk")
    return {
        "visits": [v.notes for v in visits.only("notes")],
        "clients": {str(c.code): [c.version, c.phone] for c in clients},
        "imports": [
            {
                "state": run.state,
                "persons": run.persons,
                "persons_done": run.persons_done,
                "batches": run.batches,
                "longest_batch_ms": run.longest_batch_ms,
                "seconds": (
                    round((run.finished_at - run.started_at).total_seconds(), 1)
                    if run.finished_at
                    else None
                ),
            }
            for run in imports
        ],
    }


def import_timed(path: str, username: str, log: Path) -> dict:
    """`manage.py import_cases FILE --user USERNAME --confirm`, the real command, in this
    process, timing every transaction it runs on SQLite: the wait for the write lock (BEGIN
    IMMEDIATE, as settings.py begins them) and the hold, from the lock granted to COMMIT or
    ROLLBACK done. Its output goes to `log`."""
    import time

    from django.core.management import call_command
    from django.db import connections

    connection = connections["default"]
    waits: list[float] = []
    holds: list[float] = []
    granted: list[float] = []

    def begin(execute, sql, params, many, context):
        if not sql.startswith("BEGIN"):
            return execute(sql, params, many, context)
        asked = time.monotonic()
        result = execute(sql, params, many, context)
        granted.append(time.monotonic())
        waits.append(granted[-1] - asked)
        return result

    def ending(real):
        def end():
            try:
                return real()
            finally:
                if granted:
                    holds.append(time.monotonic() - granted.pop())

        return end

    # The connection's own commit and rollback (no hook runs after them).
    connection._commit = ending(connection._commit)  # type: ignore[method-assign]
    connection._rollback = ending(connection._rollback)  # type: ignore[method-assign]
    with open(log, "a") as out, connection.execute_wrapper(begin):
        call_command("import_cases", path, user=username, confirm=True, stdout=out)
    ordered = sorted(holds)
    return {
        "transactions": len(holds),
        "hold_median_ms": round(ordered[len(ordered) // 2] * 1000) if ordered else 0,
        "hold_p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000) if ordered else 0,
        "hold_longest_ms": round(max(holds, default=0) * 1000),
        "wait_longest_ms": round(max(waits, default=0) * 1000),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--clients", type=int, default=400)
    p.add_argument("--users", type=int, default=30)
    p.add_argument("--side", default="", help="side jobs to prepare for: import,disclosure")
    p.add_argument("--import-rows", type=int, default=5000)
    p.add_argument("--import-file", type=Path)
    c = sub.add_parser("count")
    c.add_argument("--since", required=True)
    c.add_argument("--marker-minutes", type=int, required=True)
    c.add_argument("--clients", required=True, help="a JSON file: the edited persons' codes")
    i = sub.add_parser("import")
    i.add_argument("file")
    i.add_argument("--user", required=True)
    i.add_argument("--log", type=Path, required=True)
    args = parser.parse_args()
    setup_django()
    if args.command == "prepare":
        side = {s for s in args.side.split(",") if s}
        result: object = prepare(args.clients, args.users)
        if side:
            result = {
                "roster": result,
                "side": prepare_side(side, args.import_rows, args.import_file),
            }
    elif args.command == "import":
        result = import_timed(args.file, args.user, args.log)
    else:
        codes = json.loads(Path(args.clients).read_text())
        since = datetime.datetime.fromisoformat(args.since)
        result = count(since, args.marker_minutes, codes)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
