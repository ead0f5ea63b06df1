"""A frozen copy of caseworks.languages as it was when the language fields became codes
(issue 32): the data migrations that map the typed texts call it, so that they give the same
answer when caseworks.languages changes later. Never edit this module; a later mapping is a
new module next to it.

split(text) cuts a field's text into the language texts it names ("Arabisch, Kurdisch
(Kurmanji)" -> two); parse(text) is caseworks.languages.parse of that day.
"""

import re
import unicodedata

from anyascii import anyascii


def _fold(text: str) -> str:
    # caseworks.crypto.search.fold of that day.
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    latin = anyascii(text.casefold()).lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in latin).split())


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


# The catalogue's codes of that day.
CODES: frozenset[str] = frozenset(
    [
        "acm",
        "amh",
        "apc",
        "ara",
        "arb",
        "ary",
        "arz",
        "aze",
        "bel",
        "ben",
        "ber",
        "bos",
        "bul",
        "ces",
        "che",
        "ckb",
        "deu",
        "ell",
        "eng",
        "fas",
        "fra",
        "ful",
        "gsg",
        "hau",
        "hbs",
        "heb",
        "hin",
        "hrv",
        "hun",
        "hye",
        "ibo",
        "ind",
        "ita",
        "jpn",
        "kab",
        "kat",
        "kaz",
        "kir",
        "kmr",
        "kor",
        "kur",
        "lin",
        "mkd",
        "mya",
        "nep",
        "nld",
        "orm",
        "pan",
        "pbt",
        "pbu",
        "pes",
        "pol",
        "por",
        "prs",
        "pus",
        "rom",
        "ron",
        "rus",
        "sdh",
        "sin",
        "slk",
        "som",
        "spa",
        "sqi",
        "srp",
        "swa",
        "tam",
        "tgk",
        "tgl",
        "tha",
        "tig",
        "tir",
        "tuk",
        "tur",
        "ukr",
        "urd",
        "uzb",
        "vie",
        "wol",
        "yor",
        "zho",
        "zza",
    ]
)

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


# The catalogue's German and English names of that day.
_NAMES: dict[str, str] = {
    _fold(n): code
    for n, code in {
        "Arabisch (irakisch)": "acm",
        "Arabic (Iraqi)": "acm",
        "Amharisch": "amh",
        "Amharic": "amh",
        "Arabisch (levantinisch)": "apc",
        "Arabic (Levantine)": "apc",
        "Arabisch": "ara",
        "Arabic": "ara",
        "Hocharabisch": "arb",
        "Arabic (Standard)": "arb",
        "Arabisch (marokkanisch)": "ary",
        "Arabic (Moroccan)": "ary",
        "Arabisch (ägyptisch)": "arz",
        "Arabic (Egyptian)": "arz",
        "Aserbaidschanisch": "aze",
        "Azerbaijani": "aze",
        "Belarussisch": "bel",
        "Belarusian": "bel",
        "Bengalisch": "ben",
        "Bengali": "ben",
        "Berberisch (Tamazight)": "ber",
        "Berber (Tamazight)": "ber",
        "Bosnisch": "bos",
        "Bosnian": "bos",
        "Bulgarisch": "bul",
        "Bulgarian": "bul",
        "Tschechisch": "ces",
        "Czech": "ces",
        "Tschetschenisch": "che",
        "Chechen": "che",
        "Kurdisch (Sorani)": "ckb",
        "Kurdish (Sorani)": "ckb",
        "Deutsch": "deu",
        "German": "deu",
        "Griechisch": "ell",
        "Greek": "ell",
        "Englisch": "eng",
        "English": "eng",
        "Persisch": "fas",
        "Persian": "fas",
        "Französisch": "fra",
        "French": "fra",
        "Fulfulde": "ful",
        "Fula": "ful",
        "Deutsche Gebärdensprache": "gsg",
        "German Sign Language": "gsg",
        "Hausa": "hau",
        "Serbokroatisch": "hbs",
        "Serbo-Croatian": "hbs",
        "Hebräisch": "heb",
        "Hebrew": "heb",
        "Hindi": "hin",
        "Kroatisch": "hrv",
        "Croatian": "hrv",
        "Ungarisch": "hun",
        "Hungarian": "hun",
        "Armenisch": "hye",
        "Armenian": "hye",
        "Igbo": "ibo",
        "Indonesisch": "ind",
        "Indonesian": "ind",
        "Italienisch": "ita",
        "Italian": "ita",
        "Japanisch": "jpn",
        "Japanese": "jpn",
        "Kabylisch": "kab",
        "Kabyle": "kab",
        "Georgisch": "kat",
        "Georgian": "kat",
        "Kasachisch": "kaz",
        "Kazakh": "kaz",
        "Kirgisisch": "kir",
        "Kyrgyz": "kir",
        "Kurdisch (Kurmandschi)": "kmr",
        "Kurdish (Kurmanji)": "kmr",
        "Koreanisch": "kor",
        "Korean": "kor",
        "Kurdisch": "kur",
        "Kurdish": "kur",
        "Lingala": "lin",
        "Mazedonisch": "mkd",
        "Macedonian": "mkd",
        "Birmanisch": "mya",
        "Burmese": "mya",
        "Nepali": "nep",
        "Niederländisch": "nld",
        "Dutch": "nld",
        "Oromo": "orm",
        "Panjabi": "pan",
        "Punjabi": "pan",
        "Paschtu (südlich)": "pbt",
        "Pashto (Southern)": "pbt",
        "Paschtu (nördlich)": "pbu",
        "Pashto (Northern)": "pbu",
        "Persisch (Iran, Farsi)": "pes",
        "Persian (Iranian, Farsi)": "pes",
        "Polnisch": "pol",
        "Polish": "pol",
        "Portugiesisch": "por",
        "Portuguese": "por",
        "Dari": "prs",
        "Paschtu": "pus",
        "Pashto": "pus",
        "Romanes": "rom",
        "Romani": "rom",
        "Rumänisch": "ron",
        "Romanian": "ron",
        "Russisch": "rus",
        "Russian": "rus",
        "Kurdisch (Südkurdisch)": "sdh",
        "Kurdish (Southern)": "sdh",
        "Singhalesisch": "sin",
        "Sinhala": "sin",
        "Slowakisch": "slk",
        "Slovak": "slk",
        "Somali": "som",
        "Spanisch": "spa",
        "Spanish": "spa",
        "Albanisch": "sqi",
        "Albanian": "sqi",
        "Serbisch": "srp",
        "Serbian": "srp",
        "Swahili": "swa",
        "Tamil": "tam",
        "Tadschikisch": "tgk",
        "Tajik": "tgk",
        "Tagalog": "tgl",
        "Thailändisch": "tha",
        "Thai": "tha",
        "Tigre": "tig",
        "Tigrinya": "tir",
        "Turkmenisch": "tuk",
        "Turkmen": "tuk",
        "Türkisch": "tur",
        "Turkish": "tur",
        "Ukrainisch": "ukr",
        "Ukrainian": "ukr",
        "Urdu": "urd",
        "Usbekisch": "uzb",
        "Uzbek": "uzb",
        "Vietnamesisch": "vie",
        "Vietnamese": "vie",
        "Wolof": "wol",
        "Yoruba": "yor",
        "Chinesisch": "zho",
        "Chinese": "zho",
        "Zazaki": "zza",
    }.items()
}


def parse(text: str) -> str | None:
    """The code of a typed language name or code ("Arabisch", "ar", "ara", "Kurdisch
    (Kurmanji)", "Dari"), or None if it names no language of the catalogue (the caller lists
    it to be resolved; it is never dropped)."""
    folded = _fold(text)
    if not folded:
        return None
    if folded in CODES:
        return folded
    if folded in _NAMES:
        return _NAMES[folded]
    if folded in _INDIVIDUAL:
        return _INDIVIDUAL[folded]
    inner = " ".join(_fold(m) for m in re.findall(r"[(\[]([^)\]]*)[)\]]", text))
    for word in inner.split():  # "Kurdisch (Kurmanji)": the bracket names the variety
        if word in _INDIVIDUAL:
            return _INDIVIDUAL[word]
    key = language_key(text)
    if key in CODES:
        return key
    return OLD_KEYS.get(key)


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
    """(codes, texts not understood): every part of split(text) in exactly one of them."""
    codes: list[str] = []
    unknown: list[str] = []
    for part in split(text):
        code = parse(part)
        if code is None:
            unknown.append(part)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


# --- the data migrations' one mapping (cases, caseworks, visits, volunteers, community) -----------


def fill_codes(model, *, text: str, codes: str, other: str, batch: int = 500) -> tuple[int, int]:
    """Each row's typed `text` (a field with several languages) as a list of codes in `codes`;
    the parts naming no language of the catalogue, as typed, in `other` (", "-separated):
    nothing typed is dropped. History rows are mapped alike (model: a historical model).
    Returns (language texts mapped, texts kept for the administrator)."""
    mapped = kept = 0
    changed = []
    for row in model.objects.exclude(**{text: ""}).only("pk", text).iterator(chunk_size=batch):
        found, unknown = parse_all(getattr(row, text) or "")
        mapped += len(split(getattr(row, text) or "")) - len(unknown)
        kept += len(unknown)
        setattr(row, codes, found)
        setattr(row, other, ", ".join(unknown))
        changed.append(row)
        if len(changed) >= batch:
            model.objects.bulk_update(changed, [codes, other])
            changed = []
    model.objects.bulk_update(changed, [codes, other])
    return mapped, kept


def fill_code(model, *, text: str, code: str, other: str, batch: int = 500) -> tuple[int, int]:
    """Each row's typed `text` (one language) as a code in `code`, or — naming no language
    of the catalogue ("Dari/Farsi", "Kikongo") — kept, as typed, in `other`."""
    mapped = kept = 0
    changed = []
    for row in model.objects.exclude(**{text: ""}).only("pk", text).iterator(chunk_size=batch):
        typed = " ".join((getattr(row, text) or "").split())
        found = parse(typed) if typed else None
        if found:
            mapped += 1
            setattr(row, code, found)
        elif typed:
            kept += 1
            setattr(row, other, typed)
        else:
            continue
        changed.append(row)
        if len(changed) >= batch:
            model.objects.bulk_update(changed, [code, other])
            changed = []
    model.objects.bulk_update(changed, [code, other])
    return mapped, kept


# --- back (a migration unapplied): the codes as their German names, then the kept texts ----------

GERMAN: dict[str, str] = {
    "acm": "Arabisch (irakisch)",
    "amh": "Amharisch",
    "apc": "Arabisch (levantinisch)",
    "ara": "Arabisch",
    "arb": "Hocharabisch",
    "ary": "Arabisch (marokkanisch)",
    "arz": "Arabisch (ägyptisch)",
    "aze": "Aserbaidschanisch",
    "bel": "Belarussisch",
    "ben": "Bengalisch",
    "ber": "Berberisch (Tamazight)",
    "bos": "Bosnisch",
    "bul": "Bulgarisch",
    "ces": "Tschechisch",
    "che": "Tschetschenisch",
    "ckb": "Kurdisch (Sorani)",
    "deu": "Deutsch",
    "ell": "Griechisch",
    "eng": "Englisch",
    "fas": "Persisch",
    "fra": "Französisch",
    "ful": "Fulfulde",
    "gsg": "Deutsche Gebärdensprache",
    "hau": "Hausa",
    "hbs": "Serbokroatisch",
    "heb": "Hebräisch",
    "hin": "Hindi",
    "hrv": "Kroatisch",
    "hun": "Ungarisch",
    "hye": "Armenisch",
    "ibo": "Igbo",
    "ind": "Indonesisch",
    "ita": "Italienisch",
    "jpn": "Japanisch",
    "kab": "Kabylisch",
    "kat": "Georgisch",
    "kaz": "Kasachisch",
    "kir": "Kirgisisch",
    "kmr": "Kurdisch (Kurmandschi)",
    "kor": "Koreanisch",
    "kur": "Kurdisch",
    "lin": "Lingala",
    "mkd": "Mazedonisch",
    "mya": "Birmanisch",
    "nep": "Nepali",
    "nld": "Niederländisch",
    "orm": "Oromo",
    "pan": "Panjabi",
    "pbt": "Paschtu (südlich)",
    "pbu": "Paschtu (nördlich)",
    "pes": "Persisch (Iran, Farsi)",
    "pol": "Polnisch",
    "por": "Portugiesisch",
    "prs": "Dari",
    "pus": "Paschtu",
    "rom": "Romanes",
    "ron": "Rumänisch",
    "rus": "Russisch",
    "sdh": "Kurdisch (Südkurdisch)",
    "sin": "Singhalesisch",
    "slk": "Slowakisch",
    "som": "Somali",
    "spa": "Spanisch",
    "sqi": "Albanisch",
    "srp": "Serbisch",
    "swa": "Swahili",
    "tam": "Tamil",
    "tgk": "Tadschikisch",
    "tgl": "Tagalog",
    "tha": "Thailändisch",
    "tig": "Tigre",
    "tir": "Tigrinya",
    "tuk": "Turkmenisch",
    "tur": "Türkisch",
    "ukr": "Ukrainisch",
    "urd": "Urdu",
    "uzb": "Usbekisch",
    "vie": "Vietnamesisch",
    "wol": "Wolof",
    "yor": "Yoruba",
    "zho": "Chinesisch",
    "zza": "Zazaki",
}


def unfill_codes(model, *, text: str, codes: str, other: str, batch: int = 500) -> None:
    changed = []
    for row in model.objects.only("pk", codes, other).iterator(chunk_size=batch):
        names = [GERMAN.get(code, code) for code in getattr(row, codes) or ()]
        if getattr(row, other):
            names.append(getattr(row, other))
        setattr(row, text, ", ".join(names))
        changed.append(row)
        if len(changed) >= batch:
            model.objects.bulk_update(changed, [text])
            changed = []
    model.objects.bulk_update(changed, [text])


def unfill_code(model, *, text: str, code: str, other: str, batch: int = 500) -> None:
    changed = []
    for row in model.objects.only("pk", code, other).iterator(chunk_size=batch):
        value = getattr(row, code)
        setattr(row, text, GERMAN.get(value, value) if value else getattr(row, other))
        changed.append(row)
        if len(changed) >= batch:
            model.objects.bulk_update(changed, [text])
            changed = []
    model.objects.bulk_update(changed, [text])
