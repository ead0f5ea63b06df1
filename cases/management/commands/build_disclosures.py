"""Build the Art. 15 disclosure PDFs people asked for (cases.privacy.exports), every minute
from its timer (docs/systemd/caseworks-build-disclosures.timer):

    * * * * *  cd /srv/caseworks/src && ../venv/bin/python manage.py build_disclosures

It polls for new requests for --max-seconds (default 50, so runs do not pile up), so a PDF
is started within a second or two of being asked for; a second run at the same time claims
other requests. Exports expired or not downloaded within 7 days are deleted."""

from django.core.management.base import BaseCommand

from cases.privacy import exports


class Command(BaseCommand):
    help = "Build the requested Art. 15 disclosure PDFs."

    def add_arguments(self, parser):
        parser.add_argument("--max-seconds", type=float, default=50.0)

    def handle(self, *args, max_seconds, **options):
        built = exports.work(max_seconds=max_seconds)
        if options["verbosity"] > 1 or built:
            self.stdout.write(f"{built} built")
