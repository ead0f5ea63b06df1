"""The fields that hold languages as codes (caseworks.languages) and, beside them, the texts
typed before the codes that named no language of the catalogue ("not yet assigned"). The
administrator's page (/manage/languages/, caseworks.house.languages) lists those texts from
every app and assigns a code to each, in every field at once."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from caseworks.extensions.registry import Registry


@dataclass(frozen=True)
class LanguageField:
    """One model's language field and its field of texts not yet assigned.

    `codes`: the field of codes — a list (LanguageCodesField, many=True) or one code
    (LanguageCodeField, a row per language). `other`: the texts as typed, several
    ", "-separated when many=True. `assign(record, code, actor)`, when given, replaces the
    generic change for one record holding the text (e.g. a volunteer who has the language's
    row already); it returns nothing and saves with history itself.
    """

    key: str  # "cases.Client.languages": unique
    label: str | Promise  # what the administrator reads: "Klient·innen: Sprachen"
    model: Any
    codes: str
    other: str
    many: bool = True
    assign: Callable[[Any, str, Any], None] | None = None


language_fields: Registry[LanguageField] = Registry(
    "languages.language_fields", key=lambda field: field.key
)
register_language_field = language_fields.register
