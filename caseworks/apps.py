from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworksConfig(AppConfig):
    name = "caseworks"
    verbose_name = _("Caseworks")

    def ready(self):
        from django.db.models.signals import post_migrate

        from caseworks.crypto import canary

        post_migrate.connect(canary.on_post_migrate, sender=self)
        from django.db.backends.signals import connection_created

        from caseworks.ops import instance

        # The instance folder 0700 and an SQLite database file 0600 (caseworks/instance.py).
        instance.secure_instance_folder()
        connection_created.connect(
            instance.on_connection_created, dispatch_uid="caseworks.ops.instance"
        )
        from caseworks.ops import planner

        # The query planner's statistics current (caseworks/ops/planner.py).
        connection_created.connect(
            planner.on_connection_created, dispatch_uid="caseworks.ops.planner"
        )
        post_migrate.connect(planner.on_post_migrate, sender=self)
        from caseworks import checks, middleware  # noqa: F401
        from caseworks.audit import insider  # noqa: F401
