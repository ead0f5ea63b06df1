"""The language texts not yet assigned to a code (issue 32): what the migration to codes (or an
import) could not map, listed from every field the apps register (caseworks.extensions.
languages), and the administrator's decision for each — a code, assigned in every record at
once, or kept as a note. Nothing typed is dropped: a text leaves a record only for its code.

Every record changed keeps its history under the administrator's name; the decision itself is
a versioned, audited row (LanguageDecision), so that two administrators deciding the same text
at once do not both apply."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caseworks import languages
from caseworks.audit.log import save_audited
from caseworks.extensions.languages import LanguageField, language_fields, register_language_field
from caseworks.languages import fold
from caseworks.models import LanguageDecision, Service
from caseworks.web.concurrency import lock_versioned, versioned_update

register_language_field(
    LanguageField(
        "caseworks.Service.languages",
        gettext_lazy("Service directory: languages"),
        Service,
        codes="languages",
        other="languages_other",
    )
)


@dataclass
class LanguageText:
    """One text as typed, where it is held (label -> records) and the decision, if any."""

    key: str
    text: str
    places: dict[str, int] = field(default_factory=dict)
    decision: LanguageDecision | None = None

    @property
    def records(self) -> int:
        return sum(self.places.values())

    @property
    def version(self) -> int:
        return self.decision.version if self.decision else 0


def _texts_of(source: LanguageField, value: str) -> list[str]:
    return languages.split(value) if source.many else [" ".join(value.split())]


def language_texts() -> list[LanguageText]:
    """Every text not yet assigned, from every registered field, by folded text: open ones
    first, then the ones kept as notes; by text."""
    found: dict[str, LanguageText] = {}
    for source in language_fields:
        values = source.model._default_manager.exclude(**{source.other: ""}).values_list(
            source.other, flat=True
        )
        for value in values.iterator():
            for text in _texts_of(source, value):
                entry = found.setdefault(fold(text), LanguageText(fold(text), text))
                label = str(source.label)
                entry.places[label] = entry.places.get(label, 0) + 1
    for decision in LanguageDecision.objects.filter(key__in=list(found)):
        found[decision.key].decision = decision
    return sorted(found.values(), key=lambda t: (t.decision is not None, t.key))


def language_text_get(*, key: str) -> LanguageText | None:
    return next((t for t in language_texts() if t.key == key), None)


def _assign_generic(source: LanguageField, record: Any, key: str, code: str, actor: User) -> bool:
    texts = _texts_of(source, getattr(record, source.other))
    keep = [text for text in texts if fold(text) != key]
    if len(keep) == len(texts):
        return False
    if source.assign is not None:
        source.assign(record, code, actor)
        return True
    if source.many:
        codes = list(getattr(record, source.codes) or ())
        if code not in codes:
            codes.append(code)
        setattr(record, source.codes, codes)
        setattr(record, source.other, ", ".join(keep))
    else:
        if not getattr(record, source.codes):
            setattr(record, source.codes, code)
        setattr(record, source.other, "")
    changed = [source.codes, source.other]
    if hasattr(record, "version"):
        record.version += 1  # a form loaded before sees the change (versioned_update)
        changed.append("version")
    # Not full_clean/save_audited: an old record may break a rule made after it was saved;
    # the change is only the language, and its history names the administrator.
    record._history_user = actor
    record.save(update_fields=changed)
    return True


@transaction.atomic
def language_text_resolve(
    *, actor: User, text: str, code: str, expected_version: int
) -> LanguageDecision:
    """Decide a text: `code` assigns it in every record holding it; "" keeps it as a note.
    `expected_version`: the decision's version the page showed (0: none yet)."""
    key = fold(text)
    if not key:
        raise ValidationError(_("No text to decide."))
    if code and code not in languages.BY_CODE:
        raise ValidationError({"code": [_("Choose a language from the list.")]})
    # The decision's row first (two administrators deciding one text: the second waits here,
    # then sees the first one's version and is refused before changing any record).
    decision = LanguageDecision.objects.select_for_update().filter(key=key).first()
    if (decision.version if decision else 0) != expected_version:
        if decision is None:
            raise ValidationError(_("This text was decided meanwhile: see the list."))
        lock_versioned(decision, expected_version)  # raises ConcurrentEdit, naming the change
    changed = 0
    if code:
        for source in language_fields:
            manager = source.model._default_manager
            holding = manager.select_for_update().exclude(**{source.other: ""})
            for record in holding.order_by("pk"):
                changed += _assign_generic(source, record, key, code, actor)
    data = {"text": text[:255], "code": code, "records": changed, "decided_by": actor}
    if decision is None:
        decision = LanguageDecision(key=key, **data)
        save_audited(decision, actor)
    else:
        decision = versioned_update(
            decision, actor=actor, expected_version=expected_version, data=data, fields=data
        )
    return decision
