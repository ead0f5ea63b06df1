from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data (`seed_demo`, the city data set). It seeds every app, so it sits on top."""

    name = "demo"
    verbose_name = _("Demo data")
