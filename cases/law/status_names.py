"""What a residence status is called where it is written down by hand: the lists houses
keep, an import file, a note. One reading for everyone who takes a status as text (the
import, and any form that accepts one typed), so that they understand the same words.

Offices write a status by its document ("Duldung", "Gestattung", "Fiktionsbescheinigung"),
by its legal basis ("§ 24 AufenthG", "§ 25 Abs. 2", "25 II", "§ 60a"), by an abbreviation
("AE", "NE", "GÜB", "BüMA") or by a mix ("AE § 25 Abs. 2 (subsidiärer Schutz)"). Each word
and each paragraph narrows the kinds it could be (StatusKind, DOMAIN.md); what is left is
the reading. A value that still fits several kinds — a bare "Aufenthaltserlaubnis" is any of
six permits — is a question for the person who knows, never a guess: read_status() says
which kinds it could be, and ACCEPTED how to write each one unambiguously.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import translation

from cases.models import FictionSubtype, StatusKind

K = StatusKind
# Every kind of Aufenthaltserlaubnis (the Chancen-Aufenthaltsrecht is one, § 104c AufenthG).
PERMITS = frozenset(
    {
        K.RESIDENCE_PERMIT_ASYLUM,
        K.RESIDENCE_PERMIT_DEPORTATION_BAN,
        K.RESIDENCE_PERMIT_HUMANITARIAN,
        K.TEMPORARY_PROTECTION,
        K.INTEGRATION_PERMIT,
        K.OPPORTUNITY_RESIDENCE,
    }
)
TOLERATIONS = frozenset(
    {
        K.TOLERATION,
        K.TOLERATION_UNCLEAR_IDENTITY,
        K.TRAINING_TOLERATION,
        K.EMPLOYMENT_TOLERATION,
    }
)
# Still in (or before) the asylum procedure, or recognised: "Asyl" alone may be either.
ASYLUM_ANY = frozenset({K.ARRIVAL_CERTIFICATE, K.PERMISSION_TO_RESIDE, K.RESIDENCE_PERMIT_ASYLUM})

# How to write each kind so that it reads as that kind alone: shown on the import page and
# in docs/import.md, and each read back by the tests. The first is the usual name.
ACCEPTED: dict[str, tuple[str, ...]] = {
    K.ARRIVAL_CERTIFICATE: ("Ankunftsnachweis", "BüMA", "§ 63a AsylG"),
    K.PERMISSION_TO_RESIDE: ("Aufenthaltsgestattung", "Gestattung", "§ 55 AsylG"),
    K.TOLERATION: ("Duldung", "§ 60a AufenthG"),
    K.TOLERATION_UNCLEAR_IDENTITY: ("Duldung (ungeklärte Identität)", "§ 60b AufenthG"),
    K.TRAINING_TOLERATION: ("Ausbildungsduldung", "§ 60c AufenthG"),
    K.EMPLOYMENT_TOLERATION: ("Beschäftigungsduldung", "§ 60d AufenthG"),
    K.BORDER_CROSSING_CERTIFICATE: ("Grenzübertrittsbescheinigung", "GÜB", "§ 50 AufenthG"),
    K.FICTIONAL_CERTIFICATE: (
        "Fiktionsbescheinigung",
        "§ 81 Abs. 3 S. 1 (Erlaubnisfiktion)",
        "§ 81 Abs. 3 S. 2 (Duldungsfiktion)",
        "§ 81 Abs. 4 (Fortgeltungsfiktion)",
    ),
    K.RESIDENCE_PERMIT_ASYLUM: (
        "Aufenthaltserlaubnis (Asyl/Flüchtling)",
        "§ 25 Abs. 2 AufenthG",
        "§ 25 Abs. 1 AufenthG",
        "AE subsidiärer Schutz",
        "§ 25 II",
    ),
    K.RESIDENCE_PERMIT_DEPORTATION_BAN: (
        "Aufenthaltserlaubnis (Abschiebungsverbot)",
        "§ 25 Abs. 3 AufenthG",
    ),
    K.RESIDENCE_PERMIT_HUMANITARIAN: (
        "Aufenthaltserlaubnis (humanitär)",
        "§ 22 AufenthG",
        "§ 23 AufenthG",
        "§ 25 Abs. 4 AufenthG",
        "§ 25 Abs. 5 AufenthG",
    ),
    K.TEMPORARY_PROTECTION: (
        "Aufenthaltserlaubnis (vorübergehender Schutz)",
        "§ 24 AufenthG",
    ),
    K.INTEGRATION_PERMIT: (
        "Aufenthaltserlaubnis (Integration)",
        "§ 25a AufenthG",
        "§ 25b AufenthG",
    ),
    K.OPPORTUNITY_RESIDENCE: ("Chancen-Aufenthaltsrecht", "§ 104c AufenthG"),
    K.SETTLEMENT_PERMIT: ("Niederlassungserlaubnis", "NE", "§ 26 Abs. 3 AufenthG", "§ 9 AufenthG"),
    K.OTHER: ("sonstiger",),
    K.UNKNOWN: ("ungeklärt",),
}


@dataclass(frozen=True)
class StatusReading:
    """What a written status says: one kind (with the fictional certificate's type when
    the text names it), or the kinds it could be (a question), or nothing understood."""

    text: str
    kind: str = ""
    subtype: str = ""
    candidates: tuple[str, ...] = ()  # two or more: it could be any of these

    @property
    def understood(self) -> bool:
        return bool(self.kind)

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


@dataclass(frozen=True)
class _Says:
    """What one word or paragraph says: the kinds it fits, the one it means when nothing
    else narrows it (a bare "Duldung" is § 60a), a fictional certificate's type."""

    kinds: frozenset[str]
    default: str = ""
    subtype: str = ""


def _says(*kinds: str, default: str = "", subtype: str = "") -> _Says:
    return _Says(frozenset(kinds), default, subtype)


NOT_UNDERSTOOD = _Says(frozenset())

# Words, matched by their beginning (folded: lower case, no umlauts, ß as ss), the longer
# before the shorter. A word not listed says nothing ("Aufnahmeeinrichtung", "gültig").
WORDS: list[tuple[str, _Says]] = [
    # A negation or a pending decision turns the value into something else entirely.
    ("kein", NOT_UNDERSTOOD),
    ("nicht", NOT_UNDERSTOOD),
    ("ohne", NOT_UNDERSTOOD),
    ("abgelehnt", NOT_UNDERSTOOD),
    ("beantragt", NOT_UNDERSTOOD),
    ("erloschen", NOT_UNDERSTOOD),
    # § 81 AufenthG: the three fictions (only Abs. 4 allows travel).
    ("duldungsfiktion", _says(K.FICTIONAL_CERTIFICATE, subtype=FictionSubtype.TOLERATION)),
    ("erlaubnisfiktion", _says(K.FICTIONAL_CERTIFICATE, subtype=FictionSubtype.PERMISSION)),
    ("fortgeltungsfiktion", _says(K.FICTIONAL_CERTIFICATE, subtype=FictionSubtype.CONTINUATION)),
    ("fiktion", _says(K.FICTIONAL_CERTIFICATE)),
    ("ausbildungsduldung", _says(K.TRAINING_TOLERATION)),
    ("beschaftigungsduldung", _says(K.EMPLOYMENT_TOLERATION)),
    ("duldung", _says(*TOLERATIONS, default=K.TOLERATION)),
    ("geduldet", _says(*TOLERATIONS, default=K.TOLERATION)),
    ("toleration", _says(*TOLERATIONS, default=K.TOLERATION)),
    ("ausbildung", _says(K.TRAINING_TOLERATION)),
    ("beschaftigung", _says(K.EMPLOYMENT_TOLERATION)),
    ("identitat", _says(K.TOLERATION_UNCLEAR_IDENTITY)),
    ("light", _says(K.TOLERATION_UNCLEAR_IDENTITY)),  # "Duldung light", as § 60b is known
    ("ungeklart", _says(K.UNKNOWN, K.TOLERATION_UNCLEAR_IDENTITY, default=K.UNKNOWN)),
    ("unklar", _says(K.UNKNOWN, K.TOLERATION_UNCLEAR_IDENTITY, default=K.UNKNOWN)),
    ("unbekannt", _says(K.UNKNOWN)),
    ("unknown", _says(K.UNKNOWN)),
    ("ankunft", _says(K.ARRIVAL_CERTIFICATE)),
    ("anknw", _says(K.ARRIVAL_CERTIFICATE)),
    ("buma", _says(K.ARRIVAL_CERTIFICATE)),  # BüMA, the Ankunftsnachweis before 2016
    ("aufenthaltsgest", _says(K.PERMISSION_TO_RESIDE)),
    ("gestattung", _says(K.PERMISSION_TO_RESIDE)),
    ("gestattet", _says(K.PERMISSION_TO_RESIDE)),
    ("asylbewerb", _says(K.ARRIVAL_CERTIFICATE, K.PERMISSION_TO_RESIDE)),
    ("asylsuch", _says(K.ARRIVAL_CERTIFICATE, K.PERMISSION_TO_RESIDE)),
    ("asylverfahren", _says(K.ARRIVAL_CERTIFICATE, K.PERMISSION_TO_RESIDE)),
    ("asylantrag", _says(K.ARRIVAL_CERTIFICATE, K.PERMISSION_TO_RESIDE)),
    ("asylberecht", _says(K.RESIDENCE_PERMIT_ASYLUM)),
    ("asylanerkenn", _says(K.RESIDENCE_PERMIT_ASYLUM)),
    ("asyl", _says(*ASYLUM_ANY)),
    ("fluchtlingseigenschaft", _says(K.RESIDENCE_PERMIT_ASYLUM)),
    ("fluchtlingsschutz", _says(K.RESIDENCE_PERMIT_ASYLUM)),
    ("fluchtlingsanerkenn", _says(K.RESIDENCE_PERMIT_ASYLUM)),
    ("fluchtling", _says(*ASYLUM_ANY)),
    ("refugee", _says(*ASYLUM_ANY)),
    ("gfk", _says(K.RESIDENCE_PERMIT_ASYLUM)),  # the Geneva Convention's refugee status
    ("subsidiar", _says(K.RESIDENCE_PERMIT_ASYLUM)),
    ("international", _says(K.RESIDENCE_PERMIT_ASYLUM)),
    # The BAMF recognises a refugee, a subsidiary protection or a ban on deportation.
    ("anerkann", _says(K.RESIDENCE_PERMIT_ASYLUM, K.RESIDENCE_PERMIT_DEPORTATION_BAN)),
    ("abschiebungsverbot", _says(K.RESIDENCE_PERMIT_DEPORTATION_BAN)),
    ("abschiebeverbot", _says(K.RESIDENCE_PERMIT_DEPORTATION_BAN)),
    ("humanitar", _says(K.RESIDENCE_PERMIT_HUMANITARIAN)),
    ("resettlement", _says(K.RESIDENCE_PERMIT_HUMANITARIAN)),
    ("aufnahmeprogramm", _says(K.RESIDENCE_PERMIT_HUMANITARIAN)),
    ("aufnahmezusage", _says(K.RESIDENCE_PERMIT_HUMANITARIAN)),
    ("aufnahmeanordnung", _says(K.RESIDENCE_PERMIT_HUMANITARIAN)),
    ("landesaufnahme", _says(K.RESIDENCE_PERMIT_HUMANITARIAN)),
    ("bundesaufnahme", _says(K.RESIDENCE_PERMIT_HUMANITARIAN)),
    ("hartefall", _says(K.RESIDENCE_PERMIT_HUMANITARIAN)),
    ("vorubergehend", _says(K.TEMPORARY_PROTECTION)),
    ("ukrain", _says(K.TEMPORARY_PROTECTION)),
    ("temporary", _says(K.TEMPORARY_PROTECTION)),
    ("integration", _says(K.INTEGRATION_PERMIT)),
    ("integriert", _says(K.INTEGRATION_PERMIT)),
    ("bleiberecht", _says(K.INTEGRATION_PERMIT, K.OPPORTUNITY_RESIDENCE)),
    ("chancen", _says(K.OPPORTUNITY_RESIDENCE)),
    ("aufenthaltserl", _says(*PERMITS)),
    ("aufenthaltstitel", _says(*PERMITS, K.SETTLEMENT_PERMIT)),
    ("niederlassung", _says(K.SETTLEMENT_PERMIT)),
    ("settlement", _says(K.SETTLEMENT_PERMIT)),
    ("grenzubertritt", _says(K.BORDER_CROSSING_CERTIFICATE)),
    ("sonstig", _says(K.OTHER)),
    ("andere", _says(K.OTHER)),
    ("other", _says(K.OTHER)),
]
# Abbreviations, matched whole.
ABBREVIATIONS: dict[str, _Says] = {
    "ae": _says(*PERMITS),
    "ne": _says(K.SETTLEMENT_PERMIT),
    "gub": _says(K.BORDER_CROSSING_CERTIFICATE),
    "gubk": _says(K.BORDER_CROSSING_CERTIFICATE),
    "aufnahme": _says(K.RESIDENCE_PERMIT_HUMANITARIAN),
}
LAWS = {"aufenthg": "aufenthg", "aufenthaltsgesetz": "aufenthg", "asylg": "asylg"}
LAWS |= {"asylgesetz": "asylg", "asylvfg": "asylg"}  # the AsylG before 2015
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6}


@dataclass
class _Paragraph:
    """A paragraph as written: "§ 25 Abs. 1, 2 AufenthG" is 25, {1, 2}, no sentence."""

    number: str
    subsections: set[int] = field(default_factory=set)
    sentence: int | None = None
    law: str = ""


def _paragraph_says(p: _Paragraph) -> _Says:  # noqa: C901 (one table of the law)
    """What a paragraph means; NOT_UNDERSTOOD for one that names no status kind here."""
    law = p.law or ("asylg" if p.number in ("55", "63", "63a") else "aufenthg")
    subs = p.subsections
    if law == "asylg":
        if p.number == "63a":
            return _says(K.ARRIVAL_CERTIFICATE)
        if p.number in ("55", "63"):
            return _says(K.PERMISSION_TO_RESIDE)
        return NOT_UNDERSTOOD
    if p.number == "25":
        # Abs. 1 asylum, 2 refugee or subsidiary protection, 3 ban on deportation, 4 and 5
        # humanitarian; a bare § 25 may be any of them.
        by_subsection = {
            1: K.RESIDENCE_PERMIT_ASYLUM,
            2: K.RESIDENCE_PERMIT_ASYLUM,
            3: K.RESIDENCE_PERMIT_DEPORTATION_BAN,
            4: K.RESIDENCE_PERMIT_HUMANITARIAN,
            5: K.RESIDENCE_PERMIT_HUMANITARIAN,
        }
        if not subs:
            return _says(*set(by_subsection.values()))
        if not subs <= set(by_subsection):
            return NOT_UNDERSTOOD
        return _says(*{by_subsection[s] for s in subs})
    if p.number == "81":
        # Abs. 3 S. 1 Erlaubnisfiktion, Abs. 3 S. 2 Duldungsfiktion, Abs. 4 Fortgeltungsfiktion.
        subtype = ""
        if subs == {4}:
            subtype = FictionSubtype.CONTINUATION
        elif subs == {3} and p.sentence in (1, 2):
            subtype = FictionSubtype.PERMISSION if p.sentence == 1 else FictionSubtype.TOLERATION
        return _says(K.FICTIONAL_CERTIFICATE, subtype=subtype)
    if p.number == "26" and subs & {1, 2}:
        return NOT_UNDERSTOOD  # § 26 Abs. 1, 2: the duration of a permit, not a status
    simple = {
        "60a": K.TOLERATION,
        "60b": K.TOLERATION_UNCLEAR_IDENTITY,
        "60c": K.TRAINING_TOLERATION,
        "60d": K.EMPLOYMENT_TOLERATION,
        "50": K.BORDER_CROSSING_CERTIFICATE,
        "22": K.RESIDENCE_PERMIT_HUMANITARIAN,
        "23": K.RESIDENCE_PERMIT_HUMANITARIAN,
        "23a": K.RESIDENCE_PERMIT_HUMANITARIAN,
        "24": K.TEMPORARY_PROTECTION,
        "25a": K.INTEGRATION_PERMIT,
        "25b": K.INTEGRATION_PERMIT,
        "104c": K.OPPORTUNITY_RESIDENCE,
        "26": K.SETTLEMENT_PERMIT,
        "9": K.SETTLEMENT_PERMIT,
    }
    return _says(simple[p.number]) if p.number in simple else NOT_UNDERSTOOD


def fold(text: str) -> str:
    """Lower case without accents or umlauts (ä, ae → a), ß as ss; digits apart from words
    ("AE25" → "ae 25") but a paragraph's letter kept with it ("60 a" → "60a")."""
    text = unicodedata.normalize("NFKD", str(text).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[a-z]{4,}", lambda m: re.sub(r"(?<=[a-z])[aou]e", _umlaut, m.group()), text)
    text = re.sub(r"(\d)([a-z]{2,})", r"\1 \2", text)
    text = re.sub(r"([a-z])(\d)", r"\1 \2", text)
    return re.sub(r"\b(\d{2,3}) ([a-e])\b", r"\1\2", text)


def _umlaut(match: re.Match) -> str:
    return match.group()[0]


TOKEN = re.compile(r"§+|\d+[a-e]?(?![a-z0-9])|[a-z]+|[(),/.;&+-]")
SUBSECTION = ("abs", "absatz", "(")
SENTENCE = ("satz", "s", "st")
SKIP_NEXT = ("nr", "nummer", "alt", "alternative", "var", "variante")
JOINERS = (",", "/", ".", ";", "&", "+", "-", ")", "und", "u", "oder", "bzw", "bis")


def _read(text: str) -> tuple[list[_Says], list[_Paragraph]]:  # noqa: C901 (one walk)
    """The words that say something, and the paragraphs, of a folded text."""
    words: list[_Says] = []
    paragraphs: list[_Paragraph] = []
    current: _Paragraph | None = None
    expect = "paragraph"  # what a bare number means next
    for token in TOKEN.findall(text):
        if token.startswith("§"):
            current, expect = None, "paragraph"
        elif token[0].isdigit():
            if expect == "sentence" and current is not None:
                current.sentence, expect = int(token.rstrip("abcde") or 0), "after"
            elif expect == "skip":
                expect = "after"
            elif (
                current is not None
                and expect in ("subsection", "after")
                and token.isdigit()
                and 1 <= int(token) <= 9
            ):
                current.subsections.add(int(token))
                expect = "subsection"
            else:
                current = _Paragraph(token.lstrip("0") or "0")
                paragraphs.append(current)
                expect = "after"
        elif token in SUBSECTION and current is not None:
            expect = "subsection"
        elif token in SENTENCE and current is not None:
            expect = "sentence"
        elif token in SKIP_NEXT:
            expect = "skip"
        elif token in ROMAN and current is not None and expect != "paragraph":
            # "§ 81 III 1": Absatz in Roman, then the Satz in Arabic numerals.
            current.subsections.add(ROMAN[token])
            expect = "sentence"
        elif token in LAWS:
            for p in paragraphs:  # "§§ 55, 63 AsylG": the law of every paragraph before it
                p.law = p.law or LAWS[token]
            expect = "paragraph"
        elif token in JOINERS:
            continue
        else:
            says = ABBREVIATIONS.get(token) or next(
                (s for prefix, s in WORDS if token.startswith(prefix)), None
            )
            if says is not None:
                words.append(says)
            expect = "paragraph"
    return words, paragraphs


@functools.cache
def _names() -> dict[str, str]:
    """The codes and the labels (German and English), folded: read as they are."""
    names: dict[str, str] = {}
    for code, label in StatusKind.choices:
        names[fold(code)] = code
        for language in ("de", "en"):
            with translation.override(language):
                names.setdefault(fold(str(label)), code)
    return names


def read_status(value: str) -> StatusReading:
    """The kind a written status names, or the kinds it could be, or none understood."""
    text = " ".join(str(value).split())
    folded = fold(text)
    if folded in _names():
        return StatusReading(text, kind=_names()[folded])
    words, paragraphs = _read(folded)
    said = list(words)
    if paragraphs:
        readings = [_paragraph_says(p) for p in paragraphs]
        if any(not r.kinds for r in readings):
            return StatusReading(text)
        said.append(
            _Says(
                frozenset().union(*(r.kinds for r in readings)),
                subtype=_one({r.subtype for r in readings}),
            )
        )
    if not said:
        return StatusReading(text)
    kinds = frozenset.intersection(*(s.kinds for s in said))
    if len(kinds) > 1:
        defaults = {s.default for s in said if s.default in kinds}
        if len(defaults) == 1:
            kinds = frozenset(defaults)
    if not kinds:
        return StatusReading(text)
    if len(kinds) > 1:
        return StatusReading(text, candidates=_ordered(kinds))
    (kind,) = kinds
    subtype = _one({s.subtype for s in said}) if kind == K.FICTIONAL_CERTIFICATE else ""
    return StatusReading(text, kind=kind, subtype=subtype)


def _one(values: Iterable[str]) -> str:
    """The one value stated, or "" when none or several disagree."""
    stated = {v for v in values if v}
    return stated.pop() if len(stated) == 1 else ""


def _ordered(kinds: Iterable[str]) -> tuple[str, ...]:
    order = list(StatusKind.values)
    return tuple(sorted(kinds, key=order.index))


def accepted() -> list[tuple[str, str, tuple[str, ...]]]:
    """(code, label, ways of writing it) for every kind, in the order of StatusKind."""
    return [(code, str(label), ACCEPTED[code]) for code, label in StatusKind.choices]
