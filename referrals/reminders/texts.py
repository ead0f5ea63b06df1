"""The reminder texts: the printout "reminders" of referrals.printtexts, edited on
/manage/texts/ like every printout text.

Which language is sent: the client's text alone once a qualified translator reviewed it;
until then the client's text and the German one below it, in one message (the German text
prevails, as on every printout). The opt-in page says which languages are not reviewed.
"""

import hashlib
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format

from referrals import printtexts
from referrals.models import PrintText
from referrals.placeholders import fill


@dataclass(frozen=True)
class ReminderText:
    text: str
    reviewed: bool


Rows = dict[tuple[str, str], PrintText]


def load(languages: set[str] | None = None) -> Rows:
    """The reminder texts as stored ((language, key) -> row): read once for a scheduler run."""
    rows = PrintText.objects.filter(printout=printtexts.REMINDER)
    if languages is not None:
        rows = rows.filter(language__in=languages | {"de"})
    return {(row.language, row.key): row for row in rows}


def _texts(
    keys: tuple[str, ...], language: str, values: dict[str, str], rows: Rows | None = None
) -> ReminderText:
    rows = load({language}) if rows is None else rows

    def text(lang: str, key: str) -> str | None:
        row = rows.get((lang, key))
        if row is not None:
            return row.text
        return printtexts.DEFAULTS["de"][printtexts.REMINDER][key] if lang == "de" else None

    german = "\n".join(fill(text("de", key) or "", values) for key in keys)
    if language == "de":
        return ReminderText(german, True)
    own = [text(language, key) for key in keys]
    if any(t is None for t in own):  # a language without its texts: German only
        return ReminderText(german, False)
    client = "\n".join(fill(t or "", values) for t in own)
    reviewed = all(rows[(language, key)].is_reviewed for key in keys)
    return ReminderText(client if reviewed else f"{client}\n\n{german}", reviewed)


def message_text(
    *, about: str, language: str, sms: bool, values: dict[str, str], rows: Rows | None = None
) -> str:
    keys = (about, "stop") if sms else (about, "stop_mail")
    return _texts(keys, language, values, rows).text


def opt_in_text(*, language: str, organisation: str) -> tuple[str, str, bool]:
    """What the person agrees to, in their language and German; its version (a digest of
    the texts as edited, so an edit makes a new version); whether it is reviewed."""
    shown = _texts(("consent",), language, {"organisation": organisation})
    version = hashlib.sha256(shown.text.encode()).hexdigest()[:16]
    return shown.text, version, shown.reviewed


def unreviewed_languages() -> list[str]:
    """The client languages whose reminder texts are not all reviewed (the opt-in page)."""
    keys = printtexts.DEFAULTS["de"][printtexts.REMINDER]
    reviewed = PrintText.objects.filter(
        printout=printtexts.REMINDER, review=PrintText.Review.REVIEWED
    ).values_list("language", "key")
    done: dict[str, int] = {}
    for language, _key in reviewed:
        done[language] = done.get(language, 0) + 1
    return [code for code in printtexts.CLIENT_LANGUAGES if done.get(code, 0) < len(keys)]


def when(at) -> tuple[str, str]:
    local = timezone.localtime(at)
    return date_format(local, "d.m.Y"), date_format(local, "H:i")


def day(value) -> str:
    return date_format(value, "d.m.Y")
