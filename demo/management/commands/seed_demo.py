"""Demo data: one house of three carriers, two teams, the demo users and realistic cases.

The builders live beside it in the demo app, on top of the dependency graph, because they seed
every app: demo.house (the small house, through the services), demo.city (the city-scale set
from `--clients` CITY_THRESHOLD on, bulk inserts), demo.data (the tables both draw on).

Refuses to run unless DEBUG is on: demo users with the password "demo" must never reach a
production database. Deterministic (fixed seed), written through the services so the
history names a user for every change.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.models import Client
from caseworks.fields import shared_ciphertexts
from demo import city, house, plan
from demo import community as demo_community
from demo import mediators as demo_mediators
from demo import volunteers as demo_volunteers
from demo.data import DPOS, USERS


class Command(BaseCommand):
    help = "Create demo organisations, teams, users (password 'demo') and cases. DEBUG only."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=60, help="number of persons")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but print the logins) when the demo users already exist",
        )

    def handle(self, *args, clients: int, if_empty: bool, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: demo users with a known password "
                "must never reach a production database."
            )
        if clients < 1:
            raise CommandError("--clients must be at least 1.")
        User = get_user_model()
        if User.objects.filter(username="caseworker1").exists():
            if if_empty:
                self.print_logins()
                return
            raise CommandError("Demo data exists already. Delete var/ to start afresh.")
        with transaction.atomic():
            teams, users = house.create_house()
            house.create_services()
            if clients >= city.CITY_THRESHOLD:
                # A city: bulk inserts (history rows included), not one service call a row.
                with shared_ciphertexts():  # demo data only: see the function
                    counts = city.build(self, teams=teams, users=users, n_clients=clients)
                persons = counts["persons"]
                self.stdout.write(
                    f"City data set: {counts['households']} households, {persons} persons, "
                    f"{counts['visits']} visits, {counts['accompaniments']} accompaniments, "
                    f"{counts['referrals']} referrals in {counts['seconds']} s."
                )
            else:
                house.create_cases(teams, users, clients)
                # The case plan (issue 23), with two households that meet a perspective rule.
                plan.seed_plan(teams, users)
                persons = Client.objects.count()
            # The volunteer register: 20 in the small house, 300 at 20,000 persons.
            demo_volunteers.create_volunteers(n=max(20, clients * 300 // 20000))
            demo_mediators.create_mediators()  # the language mediators' pool (issue 32)
            demo_community.create_community()  # events and the newsletter (issue 21)
        self.stdout.write(self.style.SUCCESS(f"Created {persons} persons in demo cases."))
        self.print_logins()

    def print_logins(self):
        self.stdout.write("\nDemo logins (password for all: demo)")
        for username, first, last, roles, team_key, _leads in USERS:
            where = f", team {team_key}" if team_key else ""
            role_names = ", ".join(str(r.label) for r in roles)
            if username in DPOS:
                role_names = f"Data protection officer, {DPOS[username]}"
            self.stdout.write(f"  {username:<12} {first} {last} ({role_names}{where})")
        self.stdout.write("Open http://127.0.0.1:8000/accounts/login/\n")
