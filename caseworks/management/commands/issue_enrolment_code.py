"""Issues a one-time enrolment code: a user without a second factor (new, or after a reset
for a lost phone) needs it to set up their authenticator app. Valid 72 hours; an earlier code
of the same user stops working. The code is printed once and stored only as a keyed hash.

The code goes to whoever runs the command (an operator of the server), not to the person: the
ordinary way is /manage/, which mails it to the person only. So the command is for an account
without a usable password (a new account, or after "reset access"): there the code is the
person's way in. For an account that has a password it is refused unless --reset is given: the
code then lets whoever holds it together with the password replace the person's second factor
(a lost phone, when mail does not reach the person). Such a code can never set a password
(caseworks.signin.services.reset_with_code). Refusals and --reset are in the access log."""

import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from caseworks.audit.insider import acting_as, subject_code
from caseworks.models import AccessLog
from caseworks.signin import services as signin


class Command(BaseCommand):
    help = (
        "Issue a one-time enrolment code for USERNAME's second factor (valid 72 hours), printed "
        "here. Normally use /manage/ (it mails the code to the person). Refused for an account "
        "with a usable password unless --reset is given; both are logged."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                "Issue it although the account has a password (a lost phone): the person "
                "replaces their second factor after signing in with their password."
            ),
        )

    def handle(self, *args, username, reset=False, **options):
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        operator = f"manage.py ({getpass.getuser()})"
        if user.has_usable_password():
            AccessLog.objects.create(
                user=None,
                username=operator[:150],
                action=(
                    "user.enrolment_code_despite_password"
                    if reset
                    else "user.enrolment_code_refused"
                ),
                object_type="user",
                object_code=subject_code(user),
                object_label=user.get_username()[:60],
                detail={"has_password": True, "reset": reset},
            )
            if not reset:
                raise CommandError(
                    f"{user.get_username()} has a password: send the code through /manage/ "
                    "(mailed to the person only), or give --reset for a lost phone. The refusal "
                    "is in the access log."
                )
        # The access log names the operating system account that ran the command.
        with acting_as(operator):
            code = signin.issue_enrolment_code(user)
        self.stdout.write(
            f"Enrolment code for {user.get_username()} (valid {signin.ENROLMENT_HOURS} "
            f"hours, one use): {code}\n"
            "Give it to the user in person or by phone after checking who is asking; it is "
            "not shown again."
        )
