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

Spelling variants (Haidary/Haidari, Jusuf/Yusuf): each part also yields a row for its sound,
the Kölner Phonetik code the intake's duplicate check compares (caseworks.fields.phonetic),
in the same kind of token and check under a text no folded name can be ("~" and the code).
A typed word is compared by sound only when it is long enough to be a name rather than the
start of one (sound_text), and ranks after every exact and prefix match.
"""

import hashlib
import secrets
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from anyascii import anyascii
from django.conf import settings

from caseworks.fields import _hmac_key, phonetic

MIN_PREFIX = 3
# Longer parts are indexed (and compared) by their first MAX_PART letters.
MAX_PART = 32
PAD_ROWS = 8
# 2**12 token values. At 20,000 persons (~60,000 name parts, ~300,000 rows) each value stands
# for ~80 rows of ~12 different parts or prefixes: a row's token does not tell which name it
# is. See docs/search.md for the arithmetic at other sizes.
TOKEN_BITS = 12
# A typed word is compared by its sound when it has this many letters and its sound this many
# consonants ("Rahi", "Ali" are starts or too common a sound: "Rahimy", "Jusuf" are names).
SOUND_MIN_LETTERS = 4
SOUND_MIN_CONSONANTS = 2
# The texts of sound rows start with a character fold() never leaves in a name part.
SOUND_MARK = "~"


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


def _sound(part: str) -> str:
    """The sound row's text of a folded part ("" for a part without consonants, "123")."""
    code = phonetic(part[:MAX_PART])
    return f"{SOUND_MARK}{code}" if code else ""


def sound_text(word: str) -> str:
    """The sound row a typed (folded) word is looked up by, or "" when the word is too short
    to be compared by sound: fewer than SOUND_MIN_LETTERS letters, or fewer than
    SOUND_MIN_CONSONANTS consonant sounds (a start like "Rahi" would find every "Ray")."""
    if len(word) < SOUND_MIN_LETTERS:
        return ""
    text = _sound(word)
    consonants = text[len(SOUND_MARK) :].lstrip("0")
    return text if len(consonants) >= SOUND_MIN_CONSONANTS else ""


def name_rows(client_id: int, *names: str) -> list[tuple[int, int, bool]]:
    """(token, check, whole part?) rows stored for a person with these names (first names,
    last name): each part, its prefixes and its sound; padded with random rows to a
    multiple of PAD_ROWS."""
    key = _key()
    texts: dict[str, bool] = {}
    sounds: set[str] = set()
    for part in fold(" ".join(names)).split():
        part = part[:MAX_PART]
        texts[part] = True
        # The whole part's row answers for its full length as a prefix too.
        for length in range(MIN_PREFIX, len(part)):
            texts.setdefault(part[:length], False)
        if sound := _sound(part):
            sounds.add(sound)
    for sound in sorted(sounds):
        texts.setdefault(sound, False)
    rows = [(token(text), check(key, client_id, text), whole) for text, whole in texts.items()]
    while len(rows) % PAD_ROWS or not rows:
        noise = int.from_bytes(secrets.token_bytes(8), "big", signed=True)
        rows.append((secrets.randbelow(2**TOKEN_BITS), noise, False))
    return sorted(rows)


def query_tokens(words: Iterable[str], *, sounds: bool = False) -> set[int]:
    """The token values a search for these (folded) words looks up: one a word, and with
    `sounds` one more for each word long enough to be compared by sound."""
    words = list(words)
    tokens = {token(word) for word in words}
    if sounds:
        tokens |= {token(text) for word in words if (text := sound_text(word))}
    return tokens


# How well a person's names answer the typed words: every word a whole name part, or every
# word at least the start of one, or (with sounds) some word only by its sound (the full name
# as typed is found by its blind index).
ALL_PARTS, PREFIXES, SOUNDS = 1, 2, 3


def matches(
    words: list[str], rows: Iterable[tuple[int, int, bool]], *, sounds: bool = False
) -> dict[int, int]:
    """client id -> ALL_PARTS, PREFIXES or SOUNDS, for the candidates' (client_id, check,
    whole) rows that really carry every typed word: a word of MIN_PREFIX letters or more as a
    prefix of a part, a shorter one ("Li", "Ng") only as a whole part; with `sounds`, a word
    that is neither may still sound like a whole part (sound_text). One keyed hash per
    candidate and word (two for a word found only by its sound); no name is decrypted."""
    key = _key()
    words = [w[:MAX_PART] for w in dict.fromkeys(words)]
    by_sound = {w: sound_text(w) if sounds else "" for w in words}
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
                if not by_sound[word] or check(key, client_id, by_sound[word]) not in values:
                    break
                how = SOUNDS
            elif not is_whole:
                how = max(how, PREFIXES)
        else:
            result[client_id] = how
    return result
