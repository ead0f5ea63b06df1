"""Encrypted model fields and blind indexes.

Encrypted fields store Fernet tokens (MultiFernet over settings.CASEWORKS_FIELD_KEYS, newest
key first) in a text column. They refuse unique/db_index and every lookup but `isnull`:
searching goes through BlindIndexField columns, which hold an HMAC-SHA256 (separate key) of a
normalised value. A value that cannot be decrypted raises DecryptionError; it never comes back
as ciphertext or as an empty value.
"""

import datetime
import hashlib
import hmac
import unicodedata
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from anyascii import anyascii
from cologne_phonetics import encode
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver


class DecryptionError(Exception):
    """A stored value cannot be decrypted with any configured key.

    The message names the field, never the value.
    """


@lru_cache(maxsize=1)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "CASEWORKS_FIELD_KEYS is empty: set it to one or more Fernet keys, newest first "
            "(generate one with `python manage.py generate_key`)."
        )
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "CASEWORKS_FIELD_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes)."
        ) from None


def get_fernet() -> MultiFernet:
    return _fernet(tuple(settings.CASEWORKS_FIELD_KEYS))


@receiver(setting_changed)
def _reset_key_caches(*, setting, **kwargs):
    if setting in ("CASEWORKS_FIELD_KEYS", "CASEWORKS_BLIND_INDEX_KEY"):
        _fernet.cache_clear()
        _hmac_key.cache_clear()


_shared_ciphertexts: ContextVar[dict | None] = ContextVar("shared_ciphertexts", default=None)


@contextmanager
def shared_ciphertexts():
    """For generating demo data only (seed_demo's city set): equal plaintexts get one
    ciphertext, which saves most of the encryption time of a bulk insert. It reveals which
    stored values are equal, so it must never wrap real data."""
    token = _shared_ciphertexts.set({})
    try:
        yield
    finally:
        _shared_ciphertexts.reset(token)


def encrypt_str(plaintext: str) -> str:
    shared = _shared_ciphertexts.get()
    if shared is not None:
        if plaintext not in shared:
            shared[plaintext] = get_fernet().encrypt(plaintext.encode()).decode("ascii")
        return shared[plaintext]
    return get_fernet().encrypt(plaintext.encode()).decode("ascii")


def encrypt_plaintext_column(schema_editor, table: str, column: str, pk: str = "id") -> int:
    """For a data migration that turns a plain column into an encrypted one: encrypt the
    values where they stand (values already encrypted are left alone, so it can run again).
    Returns the number of values encrypted."""
    connection = schema_editor.connection
    q = connection.ops.quote_name
    done = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {q(pk)}, {q(column)} FROM {q(table)} "  # noqa: S608 (names, not data)
            f"WHERE {q(column)} IS NOT NULL AND {q(column)} <> ''"
        )
        for row_id, value in cursor.fetchall():
            try:
                get_fernet().decrypt(value.encode())
                continue  # already encrypted
            except (InvalidToken, ValueError):
                pass
            cursor.execute(
                f"UPDATE {q(table)} SET {q(column)} = %s WHERE {q(pk)} = %s",  # noqa: S608
                [encrypt_str(value), row_id],
            )
            done += 1
    return done


def decrypt_str(token: str, *, label: str = "value") -> str:
    try:
        return get_fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise DecryptionError(
            f"Cannot decrypt {label}: it was encrypted with a key that is not in "
            "CASEWORKS_FIELD_KEYS (wrong key, or a key removed too early after rotation)."
        ) from None


if TYPE_CHECKING:  # the mixin is only ever combined with a model field
    _Field = models.Field[Any, Any]
else:
    _Field = object


class EncryptedMixin(_Field):
    """Turns a Django field into one stored encrypted in a text column."""

    # Lookups that make sense on ciphertext: only whether a value is there at all.
    allowed_lookups = ("isnull",)

    def __init__(self, *args, **kwargs):
        for option in ("unique", "db_index", "primary_key"):
            if kwargs.get(option):
                raise ImproperlyConfigured(
                    f"{type(self).__name__} cannot be {option}: ciphertext is randomised; "
                    "add a BlindIndexField for searching."
                )
        super().__init__(*args, **kwargs)

    def get_internal_type(self):
        return "TextField"

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def get_lookup(self, lookup_name):
        if lookup_name not in self.allowed_lookups:
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted: '{lookup_name}' lookups are "
                "not possible; search through its blind index."
            )
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name):
        return None

    def to_plaintext(self, value) -> str:
        return str(value)

    def from_plaintext(self, plaintext: str):
        return plaintext

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        if value is None or value == "" and self.null:
            return None
        return encrypt_str(self.to_plaintext(value))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        label = f"{self.model._meta.label}.{self.name}"
        return self.from_plaintext(decrypt_str(value, label=label))


class EncryptedCharField(EncryptedMixin, models.CharField):
    pass


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedEmailField(EncryptedMixin, models.EmailField):
    pass


class EncryptedDateField(EncryptedMixin, models.DateField):
    def to_plaintext(self, value) -> str:
        return value.isoformat()

    def from_plaintext(self, plaintext: str):
        return datetime.date.fromisoformat(plaintext)


class EncryptedBinaryField(EncryptedMixin, models.BinaryField):
    """Bytes (an archived letter PDF), stored as a Fernet token."""

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        return get_fernet().encrypt(bytes(value)).decode("ascii")

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        try:
            return get_fernet().decrypt(
                value.encode("ascii") if isinstance(value, str) else bytes(value)
            )
        except InvalidToken:
            raise DecryptionError(
                f"Cannot decrypt {self.model._meta.label}.{self.name}: it was encrypted with a "
                "key that is not in CASEWORKS_FIELD_KEYS."
            ) from None

    def to_python(self, value):
        return value


# --- blind indexes ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _hmac_key(key: str | None) -> bytes:
    if not key:
        raise ImproperlyConfigured(
            "CASEWORKS_BLIND_INDEX_KEY is empty: set it to a long random secret, different "
            "from the field keys."
        )
    return key.encode()


def normalise(value: str) -> str:
    """Unicode NFKC, without format characters (zero-width spaces, bidi marks: invisible,
    nobody can type them), case-folded, whitespace collapsed: 'MÜLLER ' and 'müller' are
    equal. Names use the stronger caseworks.crypto.search.fold (transliterated)."""
    value = unicodedata.normalize("NFKC", value)
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Cf").casefold()
    return " ".join(value.split())


def normalise_identifier(value: str) -> str:
    """Document and file numbers: as normalise(), without spaces, dashes, slashes and dots."""
    return "".join(ch for ch in normalise(value) if ch.isalnum())


def phonetic(value: str) -> str:
    """Kölner Phonetik over a Latin transliteration: Mohammed, Muhammad and Mohamad share a
    code, as do Yusuf/Youssef and Schmidt/Schmitt. Stored only as a keyed HMAC (blind_index).
    Names typed in Arabic script transliterate without their short vowels (mhmd) and do not
    match their Latin spellings."""
    latin = anyascii(normalise(value))
    return " ".join(code for _word, code in encode(latin) if code)


def blind_index(value, *, purpose: str, normaliser: Callable[[str], str] = normalise) -> str:
    """HMAC-SHA256 over purpose and the normalised value, as 64 hex digits.

    The purpose separates domains: a name and a document number with the same text do not
    share a digest. Names use one purpose for first, last and full name, so one digest of
    the query finds any of them.
    """
    if isinstance(value, datetime.date):
        value = value.isoformat()
    text = normaliser(str(value))
    message = f"{purpose}\x00{text}".encode()
    key = _hmac_key(settings.CASEWORKS_BLIND_INDEX_KEY)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class BlindIndexField(models.CharField):
    """A searchable HMAC of one or more other fields of the same model, computed on save.

    `sources` are attribute names; their non-empty values are joined with a space.
    """

    def __init__(self, *args, sources=(), purpose="", normaliser=normalise, **kwargs):
        self.sources = tuple(sources)
        self.purpose = purpose
        self.normaliser = normaliser
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["sources"] = self.sources
        kwargs["purpose"] = self.purpose
        for key, default in (
            ("max_length", 64),
            ("editable", False),
            ("blank", True),
            ("db_index", True),
        ):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if not self.sources or not self.purpose:
            errors.append(checks.Error("BlindIndexField needs sources and a purpose.", obj=self))
        return errors

    def compute(self, instance) -> str:
        parts = [getattr(instance, source) for source in self.sources]
        parts = [p.isoformat() if isinstance(p, datetime.date) else str(p) for p in parts if p]
        if not parts:
            return ""
        return blind_index(" ".join(parts), purpose=self.purpose, normaliser=self.normaliser)

    def pre_save(self, model_instance, add):
        value = self.compute(model_instance)
        setattr(model_instance, self.attname, value)
        return value


class ChoiceListField(models.JSONField):
    """A list of codes from a fixed, translatable list (e.g. a visit's topics).

    The labels are for display only (history tab), so they are not part of the migration.
    """

    def __init__(self, *args, item_choices=(), **kwargs):
        self.item_choices = dict(item_choices)
        super().__init__(*args, **kwargs)

    def labels(self, codes) -> list[str]:
        return [str(self.item_choices.get(code, code)) for code in codes or ()]


def _language_code(value: Any) -> str:
    """A language's code from a code or a name ("ar", "Arabisch" -> "ara"); "" for none."""
    from django.core.exceptions import ValidationError

    from caseworks.languages import BY_CODE, parse

    text = " ".join(str(value or "").split())
    if not text or text in BY_CODE:
        return text
    code = parse(text)
    if code is None:
        from django.utils.translation import gettext

        raise ValidationError(gettext("Choose a language from the list."), code="language")
    return code


class LanguageCodeField(models.CharField):
    """One language: an ISO 639-3 code of the catalogue (caseworks.languages), chosen in forms
    from a select with the German names. A name given instead ("Arabisch", "ar") is cleaned
    to its code; a text naming no language of the catalogue is refused."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 8)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str:
        return _language_code(value)

    def formfield(self, *args: Any, **kwargs: Any) -> Any:
        from django import forms

        from caseworks.languages import choices

        return forms.ChoiceField(
            label=self.verbose_name,
            required=not self.blank,
            choices=lambda: [("", "—"), *choices()],
            help_text=self.help_text,
            widget=forms.Select(attrs={"class": "language"}),
        )


class LanguageCodesField(ChoiceListField):
    """The languages a person or a service speaks: a list of ISO 639-3 codes of the catalogue
    (caseworks.languages), chosen in forms from a multiple select with the German names.

    A JSON list like the other code lists (topics, districts): a few codes per record that
    nothing looks up in the database (clients, services, newsletter segments). Where the
    database must find speakers of a language (volunteers), the codes are rows of their own.
    Names given instead of codes ("Arabisch, Kurdisch") are cleaned to codes; a text naming
    no language of the catalogue is refused.
    """

    def to_python(self, value: Any) -> list[str]:
        from caseworks.languages import split

        items = split(value) if isinstance(value, str) else list(value or ())
        codes: list[str] = []
        for item in items:
            code = _language_code(item)
            if code and code not in codes:
                codes.append(code)
        return codes

    def get_prep_value(self, value: Any) -> Any:
        # Saved without full_clean (a bulk insert, objects.create): still codes, never a name.
        return super().get_prep_value(None if value is None else self.to_python(value))

    def labels(self, codes: Any) -> list[str]:
        from caseworks.languages import name  # caseworks.languages imports what imports this

        return [name(code) for code in codes or ()]

    def formfield(self, *args: Any, **kwargs: Any) -> Any:
        from django import forms
        from django.utils.translation import gettext_lazy

        from caseworks.languages import choices

        return forms.MultipleChoiceField(
            label=self.verbose_name,
            required=not self.blank,
            choices=choices,
            help_text=self.help_text or gettext_lazy("Several: Ctrl or a long press."),
            widget=forms.SelectMultiple(attrs={"size": 8, "class": "languages"}),
        )
