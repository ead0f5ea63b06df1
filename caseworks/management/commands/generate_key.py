"""Prints a new key: a Fernet field key, or with --blind a blind index key."""

import secrets

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print a new Fernet key for CASEWORKS_FIELD_KEYS (or --blind: a blind index key)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--blind", action="store_true", help="a CASEWORKS_BLIND_INDEX_KEY")

    def handle(self, *args, blind=False, **options):
        self.stdout.write(secrets.token_urlsafe(48) if blind else Fernet.generate_key().decode())
