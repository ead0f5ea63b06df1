"""Searching encrypted names by any part or prefix, without decrypting the table and without
a deterministic full-length token per name part (docs/search.md explains the choices).

A name is folded to the form people type on a German keyboard (fold), split into parts, and
each part yields short keyed tokens: one for the whole part and one for each prefix of
MIN_PREFIX to MAX_PREFIX letters. A token is the first TOKEN_BITS bits of an HMAC-SHA256
with the blind-index key, so many different parts share each token value (a deliberate
false-positive rate, as in CipherSweet's blind indexes): the database narrows the search to
a few candidates, and only those candidates' names are decrypted and compared.
"""

import hashlib
import hmac
import unicodedata
from collections.abc import Iterable

from django.conf import settings

from caseworks.fields import _hmac_key

MIN_PREFIX = 3
MAX_PREFIX = 10
# 2**12 token values. At 20,000 persons (~60,000 name parts, ~300,000 tokens) each value
# stands for ~70 token rows of ~6 different parts or prefixes: a row's token no longer tells
# which name it is, and a query decrypts ~70 × (the share of the house the user sees)
# false candidates. See docs/search.md for the arithmetic at other sizes.
TOKEN_BITS = 12


def fold(text: str) -> str:
    """The searchable form of a name: Unicode NFKC; format characters removed (zero-width
    spaces and joiners, bidi marks, soft hyphens: invisible, so nobody can type them);
    case-folded; transliterated to Latin letters (ı→i, ß→ss, é→e, Cyrillic and Greek
    look-alikes of Latin letters, Arabic script without its unwritten short vowels);
    everything but letters and digits is a space; spaces collapsed."""
    from anyascii import anyascii

    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    latin = anyascii(text.casefold()).lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in latin).split())


def _token(kind: str, value: str) -> int:
    key = _hmac_key(settings.CASEWORKS_BLIND_INDEX_KEY)
    digest = hmac.new(key, f"search:{kind}\x00{value}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") >> (32 - TOKEN_BITS)


def part_token(part: str) -> int:
    return _token("part", part)


def prefix_token(prefix: str) -> int:
    return _token("prefix", prefix[:MAX_PREFIX])


def name_tokens(*names: str) -> set[int]:
    """The tokens stored for a person with these names (first names, last name)."""
    tokens: set[int] = set()
    for part in fold(" ".join(names)).split():
        tokens.add(part_token(part))
        for length in range(MIN_PREFIX, min(len(part), MAX_PREFIX) + 1):
            tokens.add(prefix_token(part[:length]))
    return tokens


def query_token(word: str) -> int:
    """The token a typed word is looked up by (word already folded): a prefix from
    MIN_PREFIX letters on; a shorter word only as a whole part ("Li", "Ng")."""
    return prefix_token(word) if len(word) >= MIN_PREFIX else part_token(word)


def rank(words: list[str], names: Iterable[str]) -> int | None:
    """How well a person's names answer the typed words (all folded): 0 the full name as
    typed (either order), 1 every word a whole name part, 2 every word a prefix of a part;
    None when some word matches no part (a false candidate of the index)."""
    parts = fold(" ".join(names)).split()
    if not words or not parts:
        return None
    if any(not any(part.startswith(word) for part in parts) for word in words):
        return None
    full = " ".join(parts)
    # "Karimi Ahmad" and "Shah Karimi Ahmad" are the full name typed last name first.
    orders = {" ".join(words), " ".join(words[1:] + words[:1]), " ".join(words[-1:] + words[:-1])}
    if full in orders:
        return 0
    if all(word in parts for word in words):
        return 1
    return 2
