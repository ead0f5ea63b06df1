"""System checks: production refuses to start without explicit keys (also run from wsgi.py);
the query planner's statistics are current (a warning; `check --database default`, migrate)."""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from caseworks.ops import planner

MIN_BLIND_INDEX_KEY_LENGTH = 32
KEYS_TAG = "caseworks_keys"


@checks.register(KEYS_TAG)
def check_keys(app_configs=None, **kwargs):
    errors = []
    try:
        secret_key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses an empty one on access
        secret_key = ""
    if not secret_key:
        errors.append(
            checks.Error(
                "SECRET_KEY is not set.",
                hint="Set SECRET_KEY (or SECRET_KEY_FILE) to a long random value. Only a "
                "development instance (DEBUG=True) generates one into var/.",
                id="caseworks.E001",
            )
        )
    field_keys = settings.CASEWORKS_FIELD_KEYS
    if not field_keys:
        errors.append(
            checks.Error(
                "CASEWORKS_FIELD_KEYS is not set: personal data cannot be encrypted.",
                hint="Set CASEWORKS_FIELD_KEYS to one or more Fernet keys, comma-separated, "
                "newest first (`python manage.py generate_key`). Keep a copy in a safe place: "
                "without the key the data is lost.",
                id="caseworks.E002",
            )
        )
    else:
        for position, key in enumerate(field_keys, start=1):
            try:
                Fernet(key)
            except ValueError:
                errors.append(
                    checks.Error(
                        f"CASEWORKS_FIELD_KEYS: key number {position} is not a Fernet key.",
                        hint="A Fernet key is 32 url-safe base64-encoded bytes "
                        "(`python manage.py generate_key`).",
                        id="caseworks.E003",
                    )
                )
    bidx_key = settings.CASEWORKS_BLIND_INDEX_KEY
    if not bidx_key or len(bidx_key) < MIN_BLIND_INDEX_KEY_LENGTH:
        errors.append(
            checks.Error(
                "CASEWORKS_BLIND_INDEX_KEY is not set or shorter than "
                f"{MIN_BLIND_INDEX_KEY_LENGTH} characters.",
                hint="Set it to a long random secret (`python manage.py generate_key --blind`), "
                "different from the field keys.",
                id="caseworks.E004",
            )
        )
    elif bidx_key in field_keys:
        errors.append(
            checks.Error(
                "CASEWORKS_BLIND_INDEX_KEY must differ from every field key.",
                id="caseworks.E005",
            )
        )
    return errors


@checks.register(checks.Tags.database)
def check_planner_statistics(app_configs=None, databases=None, **kwargs):
    """The query planner's statistics (caseworks.ops.planner): without them SQLite picks the
    wrong index on a city-sized database and pages slow down tenfold."""
    warnings = []
    for alias in databases or ():
        stale = planner.stale_tables(connections[alias])
        more = ", …" if len(stale) > 5 else ""
        if stale:
            warnings.append(
                checks.Warning(
                    f"Database {alias!r}: query planner statistics missing or stale for "
                    f"{len(stale)} tables ({', '.join(stale[:5])}{more}).",
                    hint="Run `python manage.py migrate` (it analyses), or ANALYZE in the "
                    "database's shell; every new process of Caseworks also does.",
                    id="caseworks.W030",
                )
            )
    return warnings
