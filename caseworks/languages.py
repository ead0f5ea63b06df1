"""Languages as codes (issue 32): the catalogue of ISO 639-3 codes with German and English
names and the macrolanguages (Kurdish ⊃ Kurmanji, Sorani), and the reading of typed names
("Arabisch", "arabic", "ar", "ara", "Arabisch (syrisch)", "العربية") as codes: parse().

Every language field holds codes (a client's, a volunteer's, a request's, the service
directory's, the interpreting language, the newsletter's segments); forms offer choices().
Matching, statistics and the printouts compare codes with covers(). What parse() cannot read
(an import, a text from before the codes) is kept as typed for the administrator
(/manage/languages/), never dropped. The data migrations use a frozen copy of this module of
that day (caseworks.frozen_languages).

The names table below (LANGUAGES, _old_key) is how parse() reads a typed name: the ISO 639-1
code where there is one, else the ISO 639-3 code, which OLD_KEYS turns into a code of the
catalogue. A dialect or variety in brackets counts as the language ("Kurdisch (Kurmanji)" is
Kurdish) unless it names an individual language (then that one: kmr). Dari keeps its own
code (prs), as ISO 639-3 has it.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii


def fold(text: str) -> str:
    """The names' folding: case, accents, format characters and script do not matter. The
    same as the name search's (caseworks.crypto.search.fold), here so that the model fields
    (caseworks.fields) can read languages without the crypto package."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    latin = anyascii(text.casefold()).lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in latin).split())


_fold = fold

# code: the names people type for it (German, English, its own name, other spellings) and
# its ISO 639-2/639-3 codes. Compared folded (_fold).
LANGUAGES: dict[str, tuple[str, ...]] = {
    "ar": ("Arabisch", "Arabic", "Hocharabisch", "العربية", "عربي", "ara"),
    "fa": ("Persisch", "Persian", "Farsi", "فارسی", "fas", "per", "pes"),
    "prs": ("Dari", "دری"),
    "ps": ("Paschtu", "Paschto", "Pashto", "Pashtu", "Pushtu", "Pakhto", "پښتو", "pus", "pbt"),
    "ku": (
        "Kurdisch",
        "Kurdish",
        "Kurdî",
        "کوردی",
        "Kurmanji",
        "Kurmandschi",
        "Kurmancî",
        "Sorani",
        "Soranî",
        "kur",
        "kmr",
        "ckb",
    ),
    "zza": ("Zazaki", "Zaza"),
    "tr": ("Türkisch", "Turkish", "Türkçe", "tur"),
    "ti": ("Tigrinya", "Tigrinisch", "Tigrigna", "ትግርኛ", "tir"),
    "tig": ("Tigre",),
    "am": ("Amharisch", "Amharic", "አማርኛ", "amh"),
    "om": ("Oromo", "Oromiffa", "Afaan Oromoo", "orm", "gaz"),
    "so": ("Somali", "Somalisch", "Soomaali", "som"),
    "sw": ("Swahili", "Suaheli", "Kiswahili", "swa"),
    "ha": ("Hausa", "hau"),
    "yo": ("Yoruba", "yor"),
    "ig": ("Igbo", "ibo"),
    "ff": ("Fulfulde", "Fula", "Fulani", "Pulaar", "Peul", "ful"),
    "wo": ("Wolof", "wol"),
    "ln": ("Lingala", "lin"),
    "uk": ("Ukrainisch", "Ukrainian", "Українська", "ukr"),
    "ru": ("Russisch", "Russian", "Русский", "rus"),
    "be": ("Belarussisch", "Weißrussisch", "Belarusian", "Беларуская", "bel"),
    "pl": ("Polnisch", "Polish", "Polski", "pol"),
    "cs": ("Tschechisch", "Czech", "Čeština", "ces", "cze"),
    "sk": ("Slowakisch", "Slovak", "slk", "slo"),
    "hu": ("Ungarisch", "Hungarian", "Magyar", "hun"),
    "ro": ("Rumänisch", "Romanian", "Română", "ron", "rum"),
    "bg": ("Bulgarisch", "Bulgarian", "Български", "bul"),
    "sq": ("Albanisch", "Albanian", "Shqip", "sqi", "alb"),
    "sr": ("Serbisch", "Serbian", "Српски", "Srpski", "srp"),
    "hr": ("Kroatisch", "Croatian", "Hrvatski", "hrv"),
    "bs": ("Bosnisch", "Bosnian", "Bosanski", "bos"),
    "mk": ("Mazedonisch", "Makedonisch", "Macedonian", "Македонски", "mkd", "mac"),
    "el": ("Griechisch", "Greek", "Ελληνικά", "ell", "gre"),
    "hy": ("Armenisch", "Armenian", "Հայերեն", "hye", "arm"),
    "ka": ("Georgisch", "Georgian", "ქართული", "kat", "geo"),
    "az": ("Aserbaidschanisch", "Azerbaijani", "Azərbaycanca", "aze"),
    "ce": ("Tschetschenisch", "Chechen", "che"),
    "uz": ("Usbekisch", "Uzbek", "uzb"),
    "tg": ("Tadschikisch", "Tajik", "tgk"),
    "tk": ("Turkmenisch", "Turkmen", "tuk"),
    "ky": ("Kirgisisch", "Kyrgyz", "kir"),
    "kk": ("Kasachisch", "Kazakh", "kaz"),
    "ur": ("Urdu", "اردو", "urd"),
    "hi": ("Hindi", "हिन्दी", "hin"),
    "bn": ("Bengalisch", "Bengali", "Bangla", "বাংলা", "ben"),
    "pa": ("Panjabi", "Punjabi", "pan"),
    "ta": ("Tamil", "Tamilisch", "tam"),
    "ne": ("Nepali", "Nepalesisch", "nep"),
    "si": ("Singhalesisch", "Sinhala", "sin"),
    "my": ("Birmanisch", "Burmese", "mya", "bur"),
    "zh": ("Chinesisch", "Chinese", "Mandarin", "中文", "zho", "chi"),
    "vi": ("Vietnamesisch", "Vietnamese", "Tiếng Việt", "vie"),
    "th": ("Thailändisch", "Thai", "tha"),
    "tl": ("Tagalog", "Filipino", "tgl", "fil"),
    "id": ("Indonesisch", "Indonesian", "ind"),
    "ja": ("Japanisch", "Japanese", "jpn"),
    "ko": ("Koreanisch", "Korean", "kor"),
    "he": ("Hebräisch", "Hebrew", "עברית", "heb"),
    "rom": ("Romanes", "Romani", "Romani chib"),
    "kab": ("Kabylisch", "Kabyle"),
    "ber": ("Berberisch", "Berber", "Tamazight", "Amazigh"),
    "de": ("Deutsch", "German", "deu", "ger"),
    "en": ("Englisch", "English", "eng"),
    "fr": ("Französisch", "French", "Français", "fra", "fre"),
    "es": ("Spanisch", "Spanish", "Español", "spa"),
    "it": ("Italienisch", "Italian", "Italiano", "ita"),
    "pt": ("Portugiesisch", "Portuguese", "Português", "por"),
    "nl": ("Niederländisch", "Holländisch", "Dutch", "nld", "dut"),
    "gsg": ("Deutsche Gebärdensprache", "Gebärdensprache", "DGS"),
}

# A dialect or variety in brackets: "Kurdisch (Kurmanji)", "Arabisch [Levante]".
_BRACKETS = re.compile(r"\([^)]*\)?|\[[^\]]*\]?")


_CODES: dict[str, str] = {
    _fold(name): code for code, names in LANGUAGES.items() for name in (code, *names)
}


@lru_cache(maxsize=1024)
def _old_key(name: str) -> str:
    """The one key of a language name or code (see the module's text): the code, or for a
    language the table does not know its folded name without the bracketed part."""
    outside = _fold(_BRACKETS.sub(" ", name))
    text = outside or _fold(name)  # only brackets: "(Arabisch)"
    if text in _CODES:
        return _CODES[text]
    # "syrisches Arabisch", "ar-SY", "Kurdisch Sorani": one known word decides; two different
    # languages ("Dari Paschtu") are no one language.
    found = {_CODES[word] for word in text.split() if word in _CODES}
    if len(found) == 1:
        return found.pop()
    return text


# --- languages as codes (issue 32) ---------------------------------------------------------------
# A language is an ISO 639-3 code. Macrolanguages (ISO 639-3 scope "M": Arabic, Persian, Kurdish,
# Pashto, …) group individual languages: a request for Kurdish (kur) is met by a speaker of
# Kurmanji (kmr) or Sorani (ckb); a request for Sorani only by a Sorani (or plain "Kurdish")
# speaker, who is shown as a possible match (covers(..., exact=False)). What the code does not
# say (a script, a dialect: "Dari", "syrisches Arabisch") is a code of its own where ISO 639-3
# has one (prs, apc), else a note beside the code.


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-3
    de: str  # German name (the UI's first language)
    en: str  # English name
    own: str = ""  # the language's own name, in its script
    macro: str = ""  # the ISO 639-3 macrolanguage it belongs to, if any


def _l(code: str, de: str, en: str, own: str = "", macro: str = "") -> Language:
    return Language(code, de, en, own, macro)


# The languages a German accompaniment service meets (and every old key of LANGUAGES above:
# OLD_KEYS maps them). Sorted by code; names checked against ISO 639-3 (SIL) and the
# Duden/Wikipedia German names.
CATALOGUE: tuple[Language, ...] = (
    _l("acm", "Arabisch (irakisch)", "Arabic (Iraqi)", "عراقي", "ara"),
    _l("amh", "Amharisch", "Amharic", "አማርኛ"),
    _l("apc", "Arabisch (levantinisch)", "Arabic (Levantine)", "شامي", "ara"),
    _l("ara", "Arabisch", "Arabic", "العربية"),
    _l("arb", "Hocharabisch", "Arabic (Standard)", "الفصحى", "ara"),
    _l("ary", "Arabisch (marokkanisch)", "Arabic (Moroccan)", "الدارجة", "ara"),
    _l("arz", "Arabisch (ägyptisch)", "Arabic (Egyptian)", "مصري", "ara"),
    _l("aze", "Aserbaidschanisch", "Azerbaijani", "Azərbaycanca"),
    _l("bel", "Belarussisch", "Belarusian", "Беларуская"),
    _l("ben", "Bengalisch", "Bengali", "বাংলা"),
    _l("ber", "Berberisch (Tamazight)", "Berber (Tamazight)", "Tamaziɣt"),
    _l("bos", "Bosnisch", "Bosnian", "Bosanski", "hbs"),
    _l("bul", "Bulgarisch", "Bulgarian", "Български"),
    _l("ces", "Tschechisch", "Czech", "Čeština"),
    _l("che", "Tschetschenisch", "Chechen", "Нохчийн"),
    _l("ckb", "Kurdisch (Sorani)", "Kurdish (Sorani)", "سۆرانی", "kur"),
    _l("deu", "Deutsch", "German", "Deutsch"),
    _l("ell", "Griechisch", "Greek", "Ελληνικά"),
    _l("eng", "Englisch", "English", "English"),
    _l("fas", "Persisch", "Persian", "فارسی"),
    _l("fra", "Französisch", "French", "Français"),
    _l("ful", "Fulfulde", "Fula", "Fulfulde"),
    _l("gsg", "Deutsche Gebärdensprache", "German Sign Language", "DGS"),
    _l("hau", "Hausa", "Hausa", "Hausa"),
    _l("hbs", "Serbokroatisch", "Serbo-Croatian", "Srpskohrvatski"),
    _l("heb", "Hebräisch", "Hebrew", "עברית"),
    _l("hin", "Hindi", "Hindi", "हिन्दी"),
    _l("hrv", "Kroatisch", "Croatian", "Hrvatski", "hbs"),
    _l("hun", "Ungarisch", "Hungarian", "Magyar"),
    _l("hye", "Armenisch", "Armenian", "Հայերեն"),
    _l("ibo", "Igbo", "Igbo", "Igbo"),
    _l("ind", "Indonesisch", "Indonesian", "Bahasa Indonesia"),
    _l("ita", "Italienisch", "Italian", "Italiano"),
    _l("jpn", "Japanisch", "Japanese", "日本語"),
    _l("kab", "Kabylisch", "Kabyle", "Taqbaylit"),
    _l("kat", "Georgisch", "Georgian", "ქართული"),
    _l("kaz", "Kasachisch", "Kazakh", "Қазақша"),
    _l("kir", "Kirgisisch", "Kyrgyz", "Кыргызча"),
    _l("kmr", "Kurdisch (Kurmandschi)", "Kurdish (Kurmanji)", "Kurmancî", "kur"),
    _l("kor", "Koreanisch", "Korean", "한국어"),
    _l("kur", "Kurdisch", "Kurdish", "Kurdî"),
    _l("lin", "Lingala", "Lingala", "Lingála"),
    _l("mkd", "Mazedonisch", "Macedonian", "Македонски"),
    _l("mya", "Birmanisch", "Burmese", "မြန်မာ"),
    _l("nep", "Nepali", "Nepali", "नेपाली"),
    _l("nld", "Niederländisch", "Dutch", "Nederlands"),
    _l("orm", "Oromo", "Oromo", "Afaan Oromoo"),
    _l("pan", "Panjabi", "Punjabi", "ਪੰਜਾਬੀ"),
    _l("pbt", "Paschtu (südlich)", "Pashto (Southern)", "پښتو", "pus"),
    _l("pbu", "Paschtu (nördlich)", "Pashto (Northern)", "پښتو", "pus"),
    _l("pes", "Persisch (Iran, Farsi)", "Persian (Iranian, Farsi)", "فارسی", "fas"),
    _l("pol", "Polnisch", "Polish", "Polski"),
    _l("por", "Portugiesisch", "Portuguese", "Português"),
    _l("prs", "Dari", "Dari", "دری", "fas"),
    _l("pus", "Paschtu", "Pashto", "پښتو"),
    _l("rom", "Romanes", "Romani", "Romani čhib"),
    _l("ron", "Rumänisch", "Romanian", "Română"),
    _l("rus", "Russisch", "Russian", "Русский"),
    _l("sdh", "Kurdisch (Südkurdisch)", "Kurdish (Southern)", "کوردی خوارین", "kur"),
    _l("sin", "Singhalesisch", "Sinhala", "සිංහල"),
    _l("slk", "Slowakisch", "Slovak", "Slovenčina"),
    _l("som", "Somali", "Somali", "Soomaali"),
    _l("spa", "Spanisch", "Spanish", "Español"),
    _l("sqi", "Albanisch", "Albanian", "Shqip"),
    _l("srp", "Serbisch", "Serbian", "Српски", "hbs"),
    _l("swa", "Swahili", "Swahili", "Kiswahili"),
    _l("tam", "Tamil", "Tamil", "தமிழ்"),
    _l("tgk", "Tadschikisch", "Tajik", "Тоҷикӣ"),
    _l("tgl", "Tagalog", "Tagalog", "Tagalog"),
    _l("tha", "Thailändisch", "Thai", "ไทย"),
    _l("tig", "Tigre", "Tigre", "ትግረ"),
    _l("tir", "Tigrinya", "Tigrinya", "ትግርኛ"),
    _l("tuk", "Turkmenisch", "Turkmen", "Türkmençe"),
    _l("tur", "Türkisch", "Turkish", "Türkçe"),
    _l("ukr", "Ukrainisch", "Ukrainian", "Українська"),
    _l("urd", "Urdu", "Urdu", "اردو"),
    _l("uzb", "Usbekisch", "Uzbek", "Oʻzbekcha"),
    _l("vie", "Vietnamesisch", "Vietnamese", "Tiếng Việt"),
    _l("wol", "Wolof", "Wolof", "Wolof"),
    _l("yor", "Yoruba", "Yoruba", "Yorùbá"),
    _l("zho", "Chinesisch", "Chinese", "中文"),
    _l("zza", "Zazaki", "Zazaki", "Zazakî"),
)
BY_CODE: dict[str, Language] = {lang.code: lang for lang in CATALOGUE}

# The keys of _old_key (above) as codes: ISO 639-1 → ISO 639-3 (the macrolanguage where
# ISO 639-1 names one: ar → ara, fa → fas, ku → kur, ps → pus).
OLD_KEYS: dict[str, str] = {
    "ar": "ara", "fa": "fas", "ps": "pus", "ku": "kur", "tr": "tur", "ti": "tir", "am": "amh",
    "om": "orm", "so": "som", "sw": "swa", "ha": "hau", "yo": "yor", "ig": "ibo", "ff": "ful",
    "wo": "wol", "ln": "lin", "uk": "ukr", "ru": "rus", "be": "bel", "pl": "pol", "cs": "ces",
    "sk": "slk", "hu": "hun", "ro": "ron", "bg": "bul", "sq": "sqi", "sr": "srp", "hr": "hrv",
    "bs": "bos", "mk": "mkd", "el": "ell", "hy": "hye", "ka": "kat", "az": "aze", "ce": "che",
    "uz": "uzb", "tg": "tgk", "tk": "tuk", "ky": "kir", "kk": "kaz", "ur": "urd", "hi": "hin",
    "bn": "ben", "pa": "pan", "ta": "tam", "ne": "nep", "si": "sin", "my": "mya", "zh": "zho",
    "vi": "vie", "th": "tha", "tl": "tgl", "id": "ind", "ja": "jpn", "ko": "kor", "he": "heb",
    "de": "deu", "en": "eng", "fr": "fra", "es": "spa", "it": "ita", "pt": "por", "nl": "nld",
}  # fmt: skip
# Names that say more than the old key did: the individual language.
_INDIVIDUAL: dict[str, str] = {
    _fold(name): code
    for code, names in {
        "kmr": ("Kurmanji", "Kurmandschi", "Kurmancî", "kmr", "Kurdisch (Kurmanji)"),
        "ckb": ("Sorani", "Soranî", "ckb", "Kurdisch (Sorani)"),
        "sdh": ("sdh", "Südkurdisch"),
        "pes": ("Farsi", "pes", "Persisch (Farsi)"),
        "prs": ("Dari", "دری", "prs", "Persisch (Dari)"),
        "pbt": ("pbt",),
        "pbu": ("pbu",),
        "arb": ("Hocharabisch", "arb"),
        "apc": ("apc", "syrisch", "levantinisch", "Arabisch (syrisch)", "Arabisch (Levante)"),
        "acm": ("acm", "irakisch", "Arabisch (irakisch)"),
        "arz": ("arz", "ägyptisch", "Arabisch (ägyptisch)"),
        "ary": ("ary", "marokkanisch", "Arabisch (marokkanisch)"),
    }.items()
    for name in names
}


# The catalogue's own German and English names ("Paschtu (südlich)", "Arabic (Levantine)"):
# what name() shows parses back to its code.
_NAMES: dict[str, str] = {_fold(n): lang.code for lang in CATALOGUE for n in (lang.de, lang.en)}


def parse(text: str) -> str | None:
    """The code of a typed language name or code ("Arabisch", "ar", "ara", "Kurdisch
    (Kurmanji)", "Dari"), or None if it names no language of the catalogue (the caller lists
    it to be resolved; it is never dropped)."""
    folded = _fold(text)
    if not folded:
        return None
    if folded in BY_CODE:
        return folded
    if folded in _NAMES:
        return _NAMES[folded]
    if folded in _INDIVIDUAL:
        return _INDIVIDUAL[folded]
    inner = " ".join(_fold(m) for m in re.findall(r"[(\[]([^)\]]*)[)\]]", text))
    for word in inner.split():  # "Kurdisch (Kurmanji)": the bracket names the variety
        if word in _INDIVIDUAL:
            return _INDIVIDUAL[word]
    key = _old_key(text)
    if key in BY_CODE:
        return key
    return OLD_KEYS.get(key)


def members(code: str) -> frozenset[str]:
    """The code and, for a macrolanguage, its individual languages (kur → kur, kmr, ckb, sdh)."""
    return frozenset({code, *(lang.code for lang in CATALOGUE if lang.macro == code)})


def covers(requested: str, spoken: str, *, exact: bool = True) -> bool:
    """Whether a speaker of `spoken` meets a request for `requested`: the same language, or an
    individual language of the requested macrolanguage. With exact=False also a speaker who
    gave only the macrolanguage for a request of one of its languages (plain "Kurdisch" for
    Sorani): a possible match, to be asked."""
    if spoken in members(requested):
        return True
    lang = BY_CODE.get(requested)
    return not exact and lang is not None and lang.macro == spoken


def name(code: str, language: str | None = None) -> str:
    """The language's name in the UI's language (German unless English is active); an
    unknown code as it is."""
    from django.utils.translation import get_language

    lang = BY_CODE.get(code)
    if lang is None:
        return code
    return lang.en if (language or get_language() or "de").startswith("en") else lang.de


def choices() -> list[tuple[str, str]]:
    """(code, name) of the catalogue, sorted by the name in the UI's language: a form field's
    choices (a callable, so that the names follow the language of each request)."""
    return sorted(((lang.code, name(lang.code)) for lang in CATALOGUE), key=lambda c: _fold(c[1]))


# Between two languages in one typed field: a comma, a semicolon, a slash, "und"/"and", a
# plus (not inside brackets: "Arabisch (syrisch, irakisch)" is one language).
_SEPARATORS = re.compile(r"\s*(?:[,;/+&]|\bund\b|\band\b|\bsowie\b)\s*", re.IGNORECASE)


def split(text: str) -> list[str]:
    """The language texts of one typed field, stripped, in order: "Dari/Farsi, Deutsch" ->
    ["Dari", "Farsi", "Deutsch"]; "" -> []."""
    parts: list[str] = []
    depth, current, i = 0, "", 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        if depth == 0:
            found = _SEPARATORS.match(text, i)
            if found and found.group().strip():
                parts.append(current)
                current, i = "", found.end()
                continue
        current += ch
        i += 1
    parts.append(current)
    return [" ".join(p.split()) for p in parts if p.strip()]


def parse_all(text: str) -> tuple[list[str], list[str]]:
    """(codes, texts not understood) of a typed field: every part is in exactly one of them
    (a code named twice once). What parse() does not know is kept, as typed, for the admin."""
    codes: list[str] = []
    unknown: list[str] = []
    for part in split(text):
        code = parse(part)
        if code is None:
            unknown.append(part)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def names(codes: "list[str] | tuple[str, ...]", language: str | None = None) -> list[str]:
    """The names of codes in the UI's language, in the given order."""
    return [name(code, language) for code in codes or ()]


def covers_any(requested: str, spoken: "set[str] | frozenset[str] | list[str]") -> bool:
    """Whether one of the `spoken` codes meets a request for `requested` (covers, exact)."""
    return any(covers(requested, code) for code in spoken)
