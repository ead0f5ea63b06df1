"""WSGI entry point (gunicorn caseworks.wsgi). Refuses to start when the keys are missing."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseworks.settings")
application = get_wsgi_application()

from caseworks.checks import check_keys  # noqa: E402

_errors = check_keys()
if _errors:
    raise ImproperlyConfigured(
        "Caseworks will not start: " + " ".join(f"{e.id}: {e.msg} {e.hint or ''}" for e in _errors)
    )

from caseworks.crypto import canary  # noqa: E402

try:
    canary.verify()
except canary.KeyMismatch as e:
    raise ImproperlyConfigured(f"Caseworks will not start: {e}") from None
