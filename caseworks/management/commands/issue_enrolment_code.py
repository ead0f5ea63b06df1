"""Issues a one-time enrolment code: a user without a second factor (new, or after a reset
for a lost phone) needs it to set up their authenticator app. Valid 72 hours; an earlier code
of the same user stops working. The code is printed once and stored only as a keyed hash."""

import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from caseworks.audit.insider import acting_as
from caseworks.signin import services as signin


class Command(BaseCommand):
    help = "Issue a one-time enrolment code for USERNAME's second factor (valid 72 hours)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        # The access log names the operating system account that ran the command.
        with acting_as(f"manage.py ({getpass.getuser()})"):
            code = signin.issue_enrolment_code(user)
        self.stdout.write(
            f"Enrolment code for {user.get_username()} (valid {signin.ENROLMENT_HOURS} "
            f"hours, one use): {code}\n"
            "Give it to the user in person or by phone after checking who is asking; it is "
            "not shown again."
        )
