from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits and accompaniments")

    def ready(self):
        from visits import casefile, dashboards, personal_data, plan_links  # noqa: F401  (register providers)
