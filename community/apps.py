from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Events and newsletter")

    def ready(self):
        from community import export, personal_data  # noqa: F401  (register providers)
