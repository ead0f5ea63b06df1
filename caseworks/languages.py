"""One key per language, however it was typed: "Arabisch", "arabic", "ar", "ara",
"Arabisch (syrisch)" and "العربية" are all "ar".

Languages are still typed by hand (a volunteer's languages, a request's language needed,
a client's languages); until they are chosen from a list of codes, whatever compares them
compares language_key(name). The key is the ISO 639-1 code where there is one, else the ISO
639-3 code; a name this table does not know keeps its folded text, so that it still matches
itself. A dialect or variety in brackets counts as the language ("Kurdisch (Kurmanji)" is
Kurdish). Dari keeps its own code (prs), as ISO 639-3 has it: a request for "Dari" finds
Dari speakers, "Persisch (Dari)" finds Persian ones.
"""

import re
from functools import lru_cache

# The names' folding: case, accents, format characters and script do not matter.
from caseworks.crypto.search import fold as _fold

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
def language_key(name: str) -> str:
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
