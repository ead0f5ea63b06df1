"""The leavers' check, for cron (every few minutes): for each carrier's directory, ask the
provider about every active account it signed in whose last check is older than the
directory's interval. A refresh the provider refuses (the account is disabled there or gone)
deactivates the account and ends its sessions at once; all in the access log
(manage.user.deactivated, directory.account_ended). An unreachable provider changes nothing
and makes the command fail, so that cron reports it.

    */5 * * * *  caseworks  manage.py check_directory
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from caseworks.directory.models import DirectoryProvider
from caseworks.house.directory import directory_check


class Command(BaseCommand):
    help = (
        "Deactivate accounts the carriers' directories no longer know or have disabled, and "
        "end their sessions (each directory's check interval; run from cron)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        unreachable = []
        for provider in DirectoryProvider.objects.filter(enabled=True).select_related(
            "organisation", "actor"
        ):
            result = directory_check(provider=provider)
            self.stdout.write(
                f"{provider.organisation.name}: {result.checked} checked, "
                f"{result.deactivated} deactivated, {result.unreachable} not reached, "
                f"{result.without_token} without a refresh token"
            )
            if result.unreachable:
                unreachable.append(str(provider.organisation.name))
        if unreachable:
            raise CommandError(f"Directory not reached: {', '.join(unreachable)}")
