from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteer network")

    def ready(self):
        # Register providers: the case file panel, statistics, personal data, the reminder
        # digest and who may be picked as a volunteer (visits asks, without importing us);
        # the language mediators' case-file box, statistics and start-page box.
        from volunteers import casefile, figures, hooks, personal_data  # noqa: F401
        from volunteers.mediators import casefile as mediation_casefile  # noqa: F401
        from volunteers.mediators import hooks as mediation_hooks  # noqa: F401
        from volunteers.mediators import statistics  # noqa: F401
