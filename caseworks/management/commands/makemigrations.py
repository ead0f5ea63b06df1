"""Django's makemigrations, minus the encryption-key checks.

Writing migrations reads model definitions only and never touches data, so a checkout without
keys (a CI job, a reviewer's hook) can still check for missing migrations. Every other system
check runs as usual, and every other command still refuses to run without keys.
"""

from django.core import checks
from django.core.management.commands.makemigrations import Command as MakeMigrationsCommand

from caseworks.checks import KEYS_TAG


class Command(MakeMigrationsCommand):
    # A property, as the check tags are known only once the apps are loaded; Django reads it
    # like the class attribute it declares.
    @property
    def requires_system_checks(self) -> list[str]:  # type: ignore[override]
        return sorted(tag for tag in checks.registry.registry.tags_available() if tag != KEYS_TAG)
