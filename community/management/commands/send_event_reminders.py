"""Mail a reminder (with the ICS invitation) to everyone registered for an event in the next
24 hours, once each (cron, e.g. hourly)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import override

from community.services import reminders_due


class Command(BaseCommand):
    help = "Send event reminders for the next 24 hours."

    def handle(self, *args, **options):
        with override(settings.LANGUAGE_CODE):
            sent = reminders_due()
        self.stdout.write(f"{sent} reminders sent")
