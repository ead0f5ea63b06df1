"""Creates the house's first administrator: an account with the admin role (the in-app setup
under /manage/), not a Django superuser. The password is asked twice on the terminal (or read
from a file with --password-file); with the second factor required, an enrolment code is
printed once as well: at installation there is nobody to mail it to (no mail set up, no other
administrator), so the person running the command is the first administrator. Everything after
this is done in /manage/, which mails codes to the person only."""

import getpass
from pathlib import Path

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from caseworks.access.roles import Role
from caseworks.audit.insider import acting_as
from caseworks.signin import services as signin


class Command(BaseCommand):
    help = (
        "Create the first administrator (the admin role for /manage/, no superuser). The "
        "second factor's enrolment code is printed here: at installation there is nobody to "
        "mail it to. Later accounts are created in /manage/, which mails their codes."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password-file", help="Read the password from this file.")

    def _password(self, path: str | None) -> str:
        if path:
            return Path(path).read_text(encoding="utf-8").strip()
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ; nothing was created.")
        return first

    def handle(self, *args, username, password_file=None, **options):
        User = get_user_model()
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"An account {username!r} exists already; nothing was created.")
        password = self._password(password_file)
        user = User(username=username)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        # The access log names the operating system account that ran the command.
        with acting_as(f"manage.py ({getpass.getuser()})"), transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=Role.ADMIN))
            code = signin.issue_enrolment_code(user)
        self.stdout.write(f"Administrator {username} created (admin role, no superuser).")
        self.stdout.write(
            f"Enrolment code for the second factor (valid {signin.ENROLMENT_HOURS} hours, "
            f"one use): {code}\nIt is not shown again. Sign in, then set up the house under "
            "/manage/."
        )
