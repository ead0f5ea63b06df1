"""Daily reminder digest, meant for cron (e.g. 6:30 on working days)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from visits.reminders import send_reminders


class Command(BaseCommand):
    help = "E-mail each caseworker and supervisor what is due today (once a day)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            help="language of the e-mails (default: %(default)s)",
        )

    def handle(self, *args, language, **options):
        stats = send_reminders(language=language)
        self.stdout.write(
            "{sent} sent, {already_sent} already sent today, {nothing_due} with nothing due, "
            "{no_address} without e-mail address".format(**stats)
        )
