from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworksConfig(AppConfig):
    name = "caseworks"
    verbose_name = _("Caseworks")

    def ready(self):
        from django.db.models.signals import post_migrate

        from caseworks import canary

        post_migrate.connect(canary.on_post_migrate, sender=self)
        from caseworks import (
            checks,  # noqa: F401  (registers the system checks)
            middleware,  # noqa: F401  (connects the sign-in time receiver)
        )
