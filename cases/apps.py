from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from cases import (  # noqa: F401  (register providers; plan_*: the case plan)
            casefile,
            dashboards,
            manage_links,
            personal_data,
            plan_casefile,
            plan_statistics,
        )
