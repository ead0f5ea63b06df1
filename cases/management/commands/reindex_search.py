"""Recompute every person's name search data (blind indexes and tokens), for example after
the blind-index key changed. Safe to run at any time, and again."""

from django.core.management.base import BaseCommand
from django.db import transaction

from cases.models import Client, NameToken
from cases.reindex import reindex_names


class Command(BaseCommand):
    help = "Recompute the name blind indexes and search tokens of every person."

    def handle(self, *args, **options):
        with transaction.atomic():
            n = reindex_names(
                Client, NameToken, progress=lambda done: self.stdout.write(f"{done} persons …")
            )
        self.stdout.write(self.style.SUCCESS(f"Re-indexed {n} persons."))
