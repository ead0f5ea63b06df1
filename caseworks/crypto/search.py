"""Searching encrypted names by any part or prefix, without decrypting the table and without
a deterministic full-length token per name part (docs/search.md explains the choices).

A name is folded to the form people type on a German keyboard (fold), split into parts, and
each part yields index rows: one for the whole part and one for each shorter prefix of
MIN_PREFIX letters or more. A row holds
- a *token*, the first TOKEN_BITS bits of a keyed hash (MAC) of the text: many different texts share
  each value (a deliberate false-positive rate, as in CipherSweet's blind indexes), so the
  database narrows a search to candidates without learning which names are stored;
- a *check*, a 64-bit MAC of the person's row id and the text: it tells whether a
  candidate really has that part or prefix (one MAC, no decryption), and as it differs
  from person to person, equal names leave no equal values behind.
Each person's rows are padded with random ones to a multiple of PAD_ROWS, so the row count
does not give away the length of the name.
"""

import hashlib
import secrets
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from anyascii import anyascii
from django.conf import settings

from caseworks.fields import _hmac_key

MIN_PREFIX = 3
# Longer parts are indexed (and compared) by their first MAX_PART letters.
MAX_PART = 32
PAD_ROWS = 8
# 2**12 token values. At 20,000 persons (~60,000 name parts, ~300,000 rows) each value stands
# for ~80 rows of ~12 different parts or prefixes: a row's token does not tell which name it
# is. See docs/search.md for the arithmetic at other sizes.
TOKEN_BITS = 12


def fold(text: str) -> str:
    """The searchable form of a name: Unicode NFKC; format characters removed (zero-width
    spaces and joiners, bidi marks, soft hyphens: invisible, so nobody can type them);
    case-folded; transliterated to Latin letters (ı→i, ß→ss, é→e, Cyrillic and Greek
    look-alikes of Latin letters, Arabic script without its unwritten short vowels);
    everything but letters and digits is a space; spaces collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    latin = anyascii(text.casefold()).lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in latin).split())


def _key() -> bytes:
    return _derived_key(_hmac_key(settings.CASEWORKS_BLIND_INDEX_KEY))


@lru_cache(maxsize=2)
def _derived_key(blind_index_key: bytes) -> bytes:
    # The search's own 32-byte key, separate from the blind indexes' HMAC-SHA256 use.
    return hashlib.sha256(b"caseworks name search\x00" + blind_index_key).digest()


def _mac(key: bytes, message: str, size: int) -> bytes:
    """Keyed BLAKE2b (a MAC by design, RFC 7693): the same guarantees as HMAC-SHA256 here,
    about three times as fast — the search computes one a candidate and word."""
    return hashlib.blake2b(message.encode(), key=key, digest_size=size).digest()


def token(text: str) -> int:
    """The short token of a part or prefix: the same for both kinds, so a typed word is
    looked up by one value whether it is a whole part or the start of one."""
    digest = _mac(_key(), f"token\x00{text[:MAX_PART]}", 4)
    return int.from_bytes(digest, "big") >> (32 - TOKEN_BITS)


def check(key: bytes, client_id: int, text: str) -> int:
    """The person's own keyed check value of a part or prefix (a signed 64-bit integer)."""
    return int.from_bytes(_mac(key, f"check\x00{client_id}\x00{text}", 8), "big", signed=True)


def name_rows(client_id: int, *names: str) -> list[tuple[int, int, bool]]:
    """(token, check, whole part?) rows stored for a person with these names (first names,
    last name), padded with random rows to a multiple of PAD_ROWS."""
    key = _key()
    texts: dict[str, bool] = {}
    for part in fold(" ".join(names)).split():
        part = part[:MAX_PART]
        texts[part] = True
        # The whole part's row answers for its full length as a prefix too.
        for length in range(MIN_PREFIX, len(part)):
            texts.setdefault(part[:length], False)
    rows = [(token(text), check(key, client_id, text), whole) for text, whole in texts.items()]
    while len(rows) % PAD_ROWS or not rows:
        noise = int.from_bytes(secrets.token_bytes(8), "big", signed=True)
        rows.append((secrets.randbelow(2**TOKEN_BITS), noise, False))
    return sorted(rows)


def query_tokens(words: Iterable[str]) -> set[int]:
    """The token values a search for these (folded) words looks up: one a word."""
    return {token(word) for word in words}


# How well a person's names answer the typed words: every word a whole name part, or every
# word at least the start of one (the full name as typed is found by its blind index).
ALL_PARTS, PREFIXES = 1, 2


def matches(words: list[str], rows: Iterable[tuple[int, int, bool]]) -> dict[int, int]:
    """client id -> ALL_PARTS or PREFIXES, for the candidates' (client_id, check, whole)
    rows that really carry every typed word: a word of MIN_PREFIX letters or more as a
    prefix of a part, a shorter one ("Li", "Ng") only as a whole part. One keyed hash per
    candidate and word; no name is decrypted."""
    key = _key()
    words = [w[:MAX_PART] for w in dict.fromkeys(words)]
    found: dict[int, dict[int, bool]] = {}
    for client_id, value, whole in rows:
        values = found.setdefault(client_id, {})
        values[value] = values.get(value, False) or whole
    result = {}
    for client_id, values in found.items():
        how = ALL_PARTS
        for word in words:
            is_whole = values.get(check(key, client_id, word))
            if is_whole is None or (not is_whole and len(word) < MIN_PREFIX):
                break
            if not is_whole:
                how = PREFIXES
        else:
            result[client_id] = how
    return result
