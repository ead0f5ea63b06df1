"""Placeholders in texts the administrator edits (letter texts, printout translations).

A text from the database is never a template: only `{name}` with a name from a fixed list is
replaced, by plain string substitution. No attribute or index access, no format
specification, no conversion; `{{` and `}}` stand for literal braces. Values are inserted as
text: the printout's template escapes them like any other value.
"""

import string
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The letter texts' placeholders (LetterText), with what they stand for (shown on the form).
LETTER_PLACEHOLDERS: dict[str, str] = {
    "vorname": "Vorname der Person",
    "nachname": "Nachname der Person",
    "name": "Vor- und Nachname",
    "geburtsdatum": "Geburtsdatum (TT.MM.JJJJ)",
    "dienst": "Name der Stelle, an die vermittelt wird",
    "bearbeiter": "Name der Mitarbeiterin / des Mitarbeiters",
    "az": "Aktenzeichen des Falls",
    "organisation": "Name des Trägers",
}

_FORMATTER = string.Formatter()


def _fields(text: str) -> list[tuple[str, str | None, str | None]]:
    try:
        return [
            (name, spec, conversion)
            for _literal, name, spec, conversion in _FORMATTER.parse(text)
            if name is not None
        ]
    except ValueError as e:  # "{" without its "}", a lone "}"
        raise ValidationError(
            _("Unbalanced braces: write a placeholder as {name}, a brace itself as {{ or }}."),
            code="braces",
        ) from e


def placeholders_in(text: str) -> list[str]:
    return [name for name, _spec, _conv in _fields(text)]


def check_placeholders(text: str, allowed: Iterable[str]) -> None:
    """Raise a ValidationError naming every placeholder that is not on the list."""
    allowed = set(allowed)
    unknown = []
    for name, spec, conversion in _fields(text):
        if name not in allowed or spec or conversion:
            unknown.append("{" + name + ("!" + conversion if conversion else "") + "}")
    if unknown:
        raise ValidationError(
            _("Unknown placeholder(s): %(unknown)s. Allowed: %(allowed)s.")
            % {
                "unknown": ", ".join(dict.fromkeys(unknown)),
                "allowed": ", ".join("{" + name + "}" for name in sorted(allowed)) or "—",
            },
            code="placeholder",
        )


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with each known placeholder replaced by its value (as plain text). A placeholder
    without a value (a text saved before the list shrank) is left as it was written."""
    out = []
    value_ends_sentence = False
    for literal, name, spec, conversion in _FORMATTER.parse(text):
        if value_ends_sentence and literal.startswith("."):
            literal = literal[1:]  # "… bei {organisation}." with "… e. V.": one full stop
        out.append(literal)
        value_ends_sentence = False
        if name is None:
            continue
        if name in values and not spec and not conversion:
            out.append(str(values[name]))
            # (a value set apart for right-to-left text ends in U+2069 after its full stop)
            value_ends_sentence = str(values[name]).rstrip("\u2069").endswith(".")
        else:
            out.append("{" + name + (f"!{conversion}" if conversion else "") + "}")
    return "".join(out)
