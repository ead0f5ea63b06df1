from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworksConfig(AppConfig):
    name = "caseworks"
    verbose_name = _("Caseworks")

    def ready(self):
        from caseworks import (
            checks,  # noqa: F401  (registers the system checks)
            middleware,  # noqa: F401  (connects the sign-in time receiver)
        )
