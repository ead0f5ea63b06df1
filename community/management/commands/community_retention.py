"""Delete newsletter data that may no longer be kept (daily, from cron): unconfirmed
requests after 7 days, the consent proof of withdrawn subscriptions after 3 years, the rate
limits' counters after a day."""

from django.core.management.base import BaseCommand

from community import ratelimit
from community.subscriptions import purge_unconfirmed, purge_withdrawn


class Command(BaseCommand):
    help = "Delete unconfirmed newsletter requests and expired consent proof."

    def handle(self, *args, **options):
        unconfirmed = purge_unconfirmed()
        withdrawn = purge_withdrawn()
        ratelimit.purge()
        self.stdout.write(f"{unconfirmed} unconfirmed, {withdrawn} withdrawn deleted")
