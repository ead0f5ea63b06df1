from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """The supervisors' pages over every app's data: no models of its own."""

    name = "supervision"
    verbose_name = _("Supervision")
