from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteer network")

    def ready(self):
        # Register providers: the case file panel, statistics, personal data, the reminder
        # digest and who may be picked as a volunteer (visits asks, without importing us).
        from volunteers import casefile, figures, hooks, personal_data  # noqa: F401
