from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals and letters")

    def ready(self):
        from referrals import (  # noqa: F401  (register providers)
            casefile,
            dashboards,
            handover,
            manage_links,
            personal_data,
        )
        from referrals.reminders import casefile as reminders_casefile  # noqa: F401
