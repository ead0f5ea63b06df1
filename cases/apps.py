"""The cases app: its providers (case-file sections, dashboards, the guard of versioned
changes, personal-data sources) register once the app registry is ready."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # Here, not at the top: these modules import models, which cannot be imported while
        # the app registry loads this module. Importing them registers their providers.
        from cases import casefile, dashboards, services  # noqa: F401  (registers providers)
        from cases import setup as manage_links  # noqa: F401
        from cases.plan import casefile as plan_casefile  # noqa: F401
        from cases.plan import statistics as plan_statistics  # noqa: F401
        from cases.privacy import personal_data  # noqa: F401
