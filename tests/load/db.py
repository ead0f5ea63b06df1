"""The load test's database side (run by tests/load/loadtest.py with the server's environment).

    python tests/load/db.py prepare --clients 400 --users 30     # prints the roster as JSON
    python tests/load/db.py count --since ISO --marker-minutes 47 --clients FILE   # JSON

`prepare` builds the house the load test drives: on PostgreSQL it first recreates the
database DATABASE_URL names (only a local one whose name contains "loadtest"; SQLite's file
is removed by loadtest.py), then `migrate`, `seed_demo --clients N` and as many extra users as
the run needs, so that each virtual user signs in as a distinct person (password "demo"):
caseworkers spread over teams A and B with the team's cases reassigned round-robin among
them, and paired, each pair sharing its cases (two people on one file: concurrent edits of
the same person happen, as in a real office); supervisors of A and B; office staff of both
teams; volunteers with some of volunteer1's accompaniments.

`count` reads back what the run wrote, through the ORM (decrypting): the visits carrying the
run's marker (their notes hold the token each POST sent), and the version and phone number of
every person the run edited.
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


def count(since: datetime.datetime, marker_minutes: int, client_codes: list[str]) -> dict:
    from cases.models import Client
    from visits.models import Visit

    visits = Visit.objects.filter(duration_minutes=marker_minutes, created_at__gte=since)
    clients = Client.objects.filter(code__in=client_codes)
    return {
        "visits": [v.notes for v in visits.only("notes")],
        "clients": {str(c.code): [c.version, c.phone] for c in clients},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--clients", type=int, default=400)
    p.add_argument("--users", type=int, default=30)
    c = sub.add_parser("count")
    c.add_argument("--since", required=True)
    c.add_argument("--marker-minutes", type=int, required=True)
    c.add_argument("--clients", required=True, help="a JSON file: the edited persons' codes")
    args = parser.parse_args()
    setup_django()
    if args.command == "prepare":
        result: object = prepare(args.clients, args.users)
    else:
        codes = json.loads(Path(args.clients).read_text())
        since = datetime.datetime.fromisoformat(args.since)
        result = count(since, args.marker_minutes, codes)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
