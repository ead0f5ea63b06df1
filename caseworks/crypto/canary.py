"""The key canary: proves at start-up that the configured keys are the database's keys.

It also guards key rotation: rotate_keys (caseworks.crypto.keys) re-encrypts the canary last, once
no other value is left under an old key, so the canary is always under the oldest key still
in use. An old key removed before the rotation has finished therefore fails this check
(caseworks.E010) at migrate, `check --database default` and the WSGI start, instead of the
app starting with values it cannot decrypt."""

from django.core import checks
from django.db import DatabaseError, connections, router

from caseworks.fields import DecryptionError, blind_index
from caseworks.models import KeyCanary

PURPOSE = "canary"


class KeyMismatch(Exception):
    """The configured keys do not fit this database. Never carries a decrypted value."""


def _canary_model() -> type[KeyCanary]:
    return KeyCanary


def _table_exists(using: str) -> bool:
    model = _canary_model()
    with connections[using].cursor() as cursor:
        return model._meta.db_table in connections[using].introspection.table_names(cursor)


def verify(using: str = "default") -> bool:
    """True when the canary reads back with the configured keys; False when there is none
    yet (before the first migrate). Raises KeyMismatch otherwise."""
    model = _canary_model()
    if not _table_exists(using):
        return False
    try:
        canary = model.objects.using(using).first()
    except DecryptionError:
        raise KeyMismatch(
            "The field keys (CASEWORKS_FIELD_KEYS) cannot decrypt this database's key canary: "
            "they are not the keys this data was written with. Nothing was changed."
        ) from None
    if canary is None:
        return False
    if canary.value != model.PLAINTEXT:
        raise KeyMismatch("The key canary holds an unexpected value. Nothing was changed.")
    if canary.blind_index != blind_index(model.PLAINTEXT, purpose=PURPOSE):
        raise KeyMismatch(
            "CASEWORKS_BLIND_INDEX_KEY is not the key this database was written with: searches "
            "and the duplicate check would silently find nothing. Nothing was changed."
        )
    return True


def ensure(using: str = "default") -> None:
    """Check the canary, or write it when there is none (a new installation)."""
    if not verify(using):
        model = _canary_model()
        model.objects.using(using).create(
            value=model.PLAINTEXT, blind_index=blind_index(model.PLAINTEXT, purpose=PURPOSE)
        )


def on_post_migrate(sender, using="default", **kwargs):
    if sender.name == "caseworks" and router.allow_migrate_model(using, _canary_model()):
        ensure(using)


@checks.register(checks.Tags.database)
def check_canary(app_configs=None, databases=None, **kwargs):
    errors = []
    for alias in databases or ():
        try:
            verify(alias)
        except KeyMismatch as e:
            errors.append(
                checks.Critical(
                    str(e),
                    id="caseworks.E010",
                    hint=(
                        "Start with the keys from the installation's key backup. "
                        "Never run with new keys against old data."
                    ),
                )
            )
        except DatabaseError:
            pass  # no database yet: migrate will create it and the canary
    return errors
