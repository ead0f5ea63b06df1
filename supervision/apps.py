from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """The supervisors' pages over every app's data: no models of its own (the statistics it
    keeps for closed periods are stored in cases.models.KeptFigures)."""

    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        # Imported here: the models of every app are loaded only now.
        from supervision import kept

        kept.connect()
