"""The Art. 15 disclosure as a PDF: everything stored about one person, laid out so that the
person it is about can read it — in the language chosen for it, a heading per subject, every
field named in words, dates as 16.05.1966, lists of codes (topics, what a consent covers) by
their labels, who opened the records by name and role, and no internal codes (database
numbers, check sums, action codes). The JSON holds every value as stored.

The PDF must stay quick for a person with thousands of visits (WeasyPrint spends ~1-2 ms on
every line it lays out and draws, and several times that on a table cell): the few fields of
the person and the case are tables; every list (visits, statuses, the access log ...) is one
short paragraph a row, "label: value" for each value the row has, with the values all rows
share said once above it, and each row's change history on the same line (what a change
replaced, not every value again). Even so it takes seconds, so it is built in the background
(cases.privacy.exports).
"""

import datetime
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Model
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from cases.models import Case, Client, TransferScope
from caseworks.access.roles import Role
from caseworks.audit.dataprotection import HISTORY_BOOKKEEPING, person_data_sources
from caseworks.audit.labels import action_label, local_time, object_type_label, role_label
from caseworks.fields import ChoiceListField, EncryptedBinaryField
from caseworks.web.pdf import render_pdf
from caseworks.web.users import display_name

# Internal numbers and check sums: in the JSON only, so the lists stay one line a row.
TECHNICAL = {"id", "code", "version", "sha256"}
NOTHING = "–"
ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
ISO_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")
# Written by every save: a change's own time, not a value it replaced.
SAVE_TIMES = {"updated_at"}
# A country field's empty choice is drawn as a rule ("──────────"): nothing chosen.
RULE = re.compile(r"^[─\s]+$")

# The words for fields whose model gives them no name of their own (Django would print the
# field's name: "created at", "recorded by"). tests/cases/test_disclosure_pdf_readable.py
# checks that every field of every registered source has words, here or on its model.
FIELD_LABELS: dict[str, str | Promise] = {
    "case": gettext_lazy("case file"),
    "client": gettext_lazy("person"),
    "created_at": gettext_lazy("entered on"),
    "updated_at": gettext_lazy("last changed on"),
    "recorded_at": gettext_lazy("entered on"),
    "recorded_by": gettext_lazy("recorded by"),
    "referral": gettext_lazy("referral"),
    "document": gettext_lazy("document"),
    "accompaniment": gettext_lazy("accompaniment"),
    "volunteer": gettext_lazy("volunteer"),
    "user": gettext_lazy("staff member"),
    "status": gettext_lazy("status"),
    "decision": gettext_lazy("decision"),
    "requested_by": gettext_lazy("requested by"),
    "requested_at": gettext_lazy("requested on"),
    "decided_by": gettext_lazy("decided by"),
    "decided_at": gettext_lazy("decided on"),
    "granted_at": gettext_lazy("granted on"),
    "expires_at": gettext_lazy("valid until"),
    "asked_by_receiving": gettext_lazy("asked for by the receiving team"),
    # Kept beside the birth date for the statistics' age groups (docs/statistics.md).
    "birth_year": gettext_lazy("year of birth"),
    # A language mediation's record (volunteers.mediators): one of these.
    "visit": gettext_lazy("visit"),
    "contact": gettext_lazy("contact"),
    "appointment": gettext_lazy("appointment"),
    # A reminder sent to the person (referrals.reminders) and its way through the send queue.
    "opt_in": gettext_lazy("agreement to reminders"),
    "item": gettext_lazy("reminder of"),
    "send_until": gettext_lazy("to be sent until"),
    "state": gettext_lazy("state"),
    "attempts": gettext_lazy("attempts"),
    "claimed_at": gettext_lazy("taken for sending on"),
    "handed_at": gettext_lazy("handed to the gateway on"),
    "sent_at": gettext_lazy("sent on"),
    "error": gettext_lazy("error"),
    "provider_id": gettext_lazy("the SMS provider's message number"),
    "delivery": gettext_lazy("delivery report"),
    "delivery_at": gettext_lazy("delivery report on"),
}
# Lists of codes kept in a plain JSON field, by the field's name: the choices they come from.
CODE_LISTS: dict[str, type[models.TextChoices]] = {
    "scope": TransferScope,
    "transfer_scope": TransferScope,
}


@dataclass
class Section:
    title: str | Promise
    # A table of label/value pairs (the person, the case) ...
    fields: list[tuple[str, str]] = field(default_factory=list)
    # ... and/or one line a row: what all rows share, said once, then the rows.
    shared: str = ""
    lines: list[str] = field(default_factory=list)
    changes_title: str = ""
    changes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Fields:
    """What a model's fields are called and how their values read."""

    labels: dict[str, str]
    kinds: dict[str, models.Field]

    def label(self, key: str) -> str:
        return self.labels.get(key) or str(FIELD_LABELS.get(key, key.replace("_", " ")))

    def text(self, key: str, value, *, one_line: bool = True) -> str:
        return _text(value, self.kinds.get(key), one_line=one_line)


def field_label(model_field: models.Field) -> str:
    """A field's name in words: its verbose name, or ours when the model gives none."""
    name = str(model_field.verbose_name)
    if name == model_field.name.replace("_", " ") and model_field.name in FIELD_LABELS:
        return str(FIELD_LABELS[model_field.name])
    return name


def _fields(model: type[Model]) -> Fields:
    concrete = model._meta.concrete_fields
    return Fields({f.name: field_label(f) for f in concrete}, {f.name: f for f in concrete})


def _codes(codes: list, model_field: models.Field | None) -> list[str]:
    """A list of codes by their labels: the field's own choices, those named for it, or the
    model's own choices that hold every code (Consent.SharedData)."""
    if isinstance(model_field, ChoiceListField):
        return model_field.labels(codes)
    if model_field is not None and all(isinstance(code, str) for code in codes):
        choices = CODE_LISTS.get(model_field.name)
        if choices is None:
            model = model_field.model
            choices = next(
                (
                    attr
                    for attr in vars(model).values()
                    if isinstance(attr, type)
                    and issubclass(attr, models.TextChoices)
                    and set(codes) <= set(attr.values)
                ),
                None,
            )
        if choices is not None:
            labels = dict(choices.choices)
            return [str(labels.get(code, code)) for code in codes]
    return [_text(code, None) for code in codes]


def _text(value, model_field: models.Field | None = None, *, one_line: bool = True) -> str:
    if value is None or value == "" or value == []:
        return NOTHING
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_codes(value, model_field))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(model_field, EncryptedBinaryField | models.BinaryField):
        # A stored file (a letter's PDF): its size, not its bytes.
        size = re.search(r"\d+", str(value))
        return _("stored (%(size)s)") % {"size": filesizeformat(int(size[0]) if size else 0)}
    text = str(value)
    if ISO_DATE.match(text):
        return date_format(datetime.date.fromisoformat(text), "SHORT_DATE_FORMAT")
    if ISO_DATETIME.match(text):
        return local_time(text)
    if RULE.match(text):
        return NOTHING
    return " / ".join(text.splitlines()) if one_line else text


def _pairs(values: dict, fields: Fields, keys) -> str:
    return " · ".join(f"{fields.label(k)}: {values[k]}" for k in keys)


def _history_by_record(data: dict) -> dict[tuple[str, object], list[dict]]:
    grouped: dict[tuple[str, object], list[dict]] = defaultdict(list)
    for entry in data["history"]:  # sorted by time
        grouped[(entry["record"], entry["values"].get("id"))].append(entry)
    return grouped


def _changes(entries: list[dict], current: dict | None, fields: Fields) -> list[str]:
    """Each version as "Changed on 01.03.2026, 10:15 by Alice Arendt", with the values it
    wrote that a later version (or the record as it is now) replaced: with the current
    values, every value of every version can be read off."""
    texts = []
    for i, entry in enumerate(entries):
        later = entries[i + 1]["values"] if i + 1 < len(entries) else current
        text = _("%(change)s on %(at)s") % {
            "change": entry["change"],
            "at": local_time(entry["at"]),
        }
        if entry["by"]:
            text += " " + _("by %(name)s") % {"name": entry["by"]}
        if later is not None:
            replaced = [
                f"{fields.label(key)}: {fields.text(key, value)}"
                for key, value in entry["values"].items()
                if key not in TECHNICAL
                and key not in HISTORY_BOOKKEEPING
                and key not in SAVE_TIMES
                and later.get(key) != value
            ]
            if replaced:
                text += " (" + _("then: %(values)s") % {"values": "; ".join(replaced)} + ")"
        texts.append(text)
    return texts


def _list_section(
    title, rows: list[dict], fields: Fields, history=None, record: str = ""
) -> Section:
    """One line a row, "label: value" for each value it has; the values all rows share said
    once. `history`: each row's versions, appended to its line."""
    section = Section(title)
    keys = [k for k in rows[0] if k not in TECHNICAL]
    texts = [{k: fields.text(k, row.get(k)) for k in keys} for row in rows]
    shared = [
        k
        for k in keys
        if len(rows) > 1 and texts[0][k] != NOTHING and len({t[k] for t in texts}) == 1
    ]
    varying = [k for k in keys if k not in shared]
    section.shared = _pairs(texts[0], fields, shared)
    for row, text in zip(rows, texts, strict=True):
        parts = [_pairs(text, fields, [k for k in varying if text[k] != NOTHING])]
        if history is not None:
            entries = history.pop((record, row.get("id")), [])
            parts.append("; ".join(_changes(entries, row, fields)))
        section.lines.append(" — ".join(part for part in parts if part) or NOTHING)
    return section


def _field_section(title, values: dict, fields: Fields, entries: list[dict]) -> Section:
    section = Section(title)
    section.fields = [
        (fields.label(k), fields.text(k, v, one_line=False))
        for k, v in values.items()
        if k not in TECHNICAL
    ]
    section.changes_title = _("Changes") if entries else ""
    section.changes = _changes(entries, values, fields)
    return section


def _staff(usernames: set[str]) -> dict[str, str]:
    """Who opened the records: name and role in words ("Sam Sommer (Supervisor)"); an account
    deleted since by its user name."""
    named = {}
    users = get_user_model().objects.filter(username__in=usernames).prefetch_related("groups")
    for user in users:
        roles = [role_label(g.name) for g in user.groups.all() if g.name in Role.values]
        name = display_name(user)
        named[user.get_username()] = f"{name} ({', '.join(sorted(roles))})" if roles else name
    return named


def _access_log(rows: list[dict]) -> Section:
    staff = _staff({row["by"] for row in rows if row["by"]})
    readable = [
        {
            "at": local_time(row["at"]),
            "by": staff.get(row["by"], row["by"]) or NOTHING,
            "action": action_label(row["action"]),
            "record": object_type_label(row["record"]) or NOTHING,
            "reference": row["reference"] or NOTHING,
        }
        for row in rows
    ]
    labels = {
        "at": _("when"),
        "by": _("who"),
        "action": _("what"),
        "record": _("record"),
        "reference": _("case file"),
    }
    return _list_section(_("Who opened your records"), readable, Fields(labels, {}))


def _sections(data: dict) -> tuple[list[Section], list[str]]:
    """The disclosure, headed: the person, the household, then every registered source (the
    rows that depend on others last), then the access log. Second: the subjects with
    nothing stored, named once at the end."""
    history = _history_by_record(data)
    person_record = str(Client._meta.verbose_name)
    case_record = str(Case._meta.verbose_name)
    client_fields, case_fields = _fields(Client), _fields(Case)
    sections = [
        _field_section(
            _("The person"),
            data["person"],
            client_fields,
            history.pop((person_record, data["person"].get("id")), []),
        ),
        _field_section(
            _("The case (household)"),
            data["case"],
            case_fields,
            history.pop((case_record, data["case"].get("id")), []),
        ),
    ]
    empty = []
    for source in reversed(person_data_sources()):
        if source.key not in data:
            continue
        if not data[source.key]:
            empty.append(str(source.title))
            continue
        model = source.model
        sections.append(
            _list_section(
                f"{source.title} ({len(data[source.key])})",
                data[source.key],
                _fields(model),
                history,
                str(model._meta.verbose_name),
            )
        )
    if data["access_log"]:
        sections.append(_access_log(data["access_log"]))
    else:
        empty.append(_("Who opened your records"))
    # Versions of rows no longer listed above (none today): shown, never dropped.
    left = [entry for entries in history.values() for entry in entries]
    if left:
        section = Section(_("Other changes"))
        models_by_name = {str(m._meta.verbose_name): m for m in apps.get_models()}
        for entry in left:
            found = models_by_name.get(entry["record"])
            fields = _fields(found) if found is not None else Fields({}, {})
            section.lines += [
                f"{entry['record']}: {text}" for text in _changes([entry], None, fields)
            ]
        sections.append(section)
    return sections, empty


def disclosure_pdf(data: dict) -> bytes:
    """Rendered outside a request (the worker): the caller sets the language."""
    sections, empty = _sections(data)
    person = data["person"]
    html = render_to_string(
        "cases/disclosure.html",
        {
            "data": data,
            "person_name": f"{person.get('first_name', '')} {person.get('last_name', '')}".strip(),
            "birth_date": _text(person.get("birth_date")),
            "generated_at": local_time(data["generated_at"]),
            "sections": sections,
            "empty": empty,
            "LANGUAGE_CODE": get_language(),
        },
    )
    return render_pdf(html)
