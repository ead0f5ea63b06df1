"""The Art. 15 disclosure as a PDF: everything stored about one person, laid out for reading.

The PDF must stay quick for a person with thousands of visits (WeasyPrint spends ~1-2 ms on
every line it lays out and draws, and several times that on a table cell): the few fields of
the person and the case are tables; every list (visits, statuses, the access log ...) is one
short paragraph of values a row under a legend naming the columns once, with the values all
rows share said once above it, and each row's change history on the same line (what a
change replaced, not every value again). The JSON holds every value of every version.
Even so it takes seconds, so it is built in the background (cases.privacy.exports).
"""

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Model
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cases.models import Case, Client
from caseworks.audit.dataprotection import HISTORY_BOOKKEEPING, person_data_sources
from caseworks.web.pdf import render_pdf

# Internal numbers: in the JSON only (the PDF says so), so the lists stay one line a row.
TECHNICAL = {"id", "code", "version"}
NOTHING = "–"
ISO_DATETIME = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?$")


@dataclass
class Section:
    title: str | Promise
    # A table of label/value pairs (the person, the case) ...
    fields: list[tuple[str, str]] = field(default_factory=list)
    # ... and/or lines under a legend: what all rows share, then one line a row.
    shared: str = ""
    columns: str = ""
    lines: list[str] = field(default_factory=list)


def _text(value, *, one_line: bool = True) -> str:
    if value is None or value == "" or value == []:
        return NOTHING
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    if match := ISO_DATETIME.match(text):
        return f"{match[1]} {match[2]}"
    return " / ".join(text.splitlines()) if one_line else text


def _labels(model: type[Model]) -> dict[str, str]:
    return {f.name: str(f.verbose_name) for f in model._meta.concrete_fields}


def _label(labels: dict[str, str], key: str) -> str:
    return labels.get(key, key.replace("_", " "))


def _history_by_record(data: dict) -> dict[tuple[str, object], list[dict]]:
    grouped: dict[tuple[str, object], list[dict]] = defaultdict(list)
    for entry in data["history"]:  # sorted by time
        grouped[(entry["record"], entry["values"].get("id"))].append(entry)
    return grouped


def _changes(entries: list[dict], current: dict | None, labels: dict[str, str]) -> list[str]:
    """Each version as "Changed 2026-03-01 10:15 Alice Arendt", with in brackets the values
    it wrote that a later version (or the record as it is now) replaced: with the current
    values, every value of every version can be read off."""
    texts = []
    for i, entry in enumerate(entries):
        later = entries[i + 1]["values"] if i + 1 < len(entries) else current
        text = " ".join(
            part for part in (entry["change"], _text(entry["at"]), entry["by"] or "") if part
        )
        if later is not None:
            replaced = [
                f"{_label(labels, key)}: {_text(value)}"
                for key, value in entry["values"].items()
                if key not in TECHNICAL
                and key not in HISTORY_BOOKKEEPING
                and later.get(key) != value
            ]
            if replaced:
                text += f" ({'; '.join(replaced)})"
        texts.append(text)
    return texts


def _list_section(
    title, rows: list[dict], labels: dict[str, str], history=None, record: str = ""
) -> Section:
    """One line a row: the values that differ between rows, under a legend; the values all
    rows share said once. `history`: each row's versions, appended to its line."""
    section = Section(f"{title} ({len(rows)})")
    if not rows:
        return section
    keys = [k for k in rows[0] if k not in TECHNICAL]
    texts = [{k: _text(row.get(k)) for k in keys} for row in rows]
    shared = [k for k in keys if len(rows) > 1 and len({t[k] for t in texts}) == 1]
    varying = [k for k in keys if k not in shared]
    section.shared = " · ".join(f"{_label(labels, k)}: {texts[0][k]}" for k in shared)
    section.columns = " · ".join(_label(labels, k) for k in varying)
    if history is not None:
        section.columns += " — " + _(
            "changes: what, when, by whom (in brackets the values a later change replaced)"
        )
    for row, text in zip(rows, texts, strict=True):
        parts = [" · ".join(text[k] for k in varying)]
        if history is not None:
            entries = history.pop((record, row.get("id")), [])
            parts.append("; ".join(_changes(entries, row, labels)))
        section.lines.append(" — ".join(part for part in parts if part) or NOTHING)
    return section


def _field_section(title, values: dict, labels: dict[str, str], entries: list[dict]) -> Section:
    section = Section(title)
    section.fields = [
        (_label(labels, k), _text(v, one_line=False))
        for k, v in values.items()
        if k not in TECHNICAL
    ]
    section.columns = _("Changes") if entries else ""
    section.lines = _changes(entries, values, labels)
    return section


def _sections(data: dict) -> list[Section]:
    """The disclosure, headed: the person, the household, then every registered source (the
    rows that depend on others last), then the access log."""
    history = _history_by_record(data)
    person_record = str(Client._meta.verbose_name)
    case_record = str(Case._meta.verbose_name)
    sections = [
        _field_section(
            _("The person"),
            data["person"],
            _labels(Client),
            history.pop((person_record, data["person"].get("id")), []),
        ),
        _field_section(
            _("The case (household)"),
            data["case"],
            _labels(Case),
            history.pop((case_record, data["case"].get("id")), []),
        ),
    ]
    for source in reversed(person_data_sources()):
        if source.key in data:
            model = source.model
            sections.append(
                _list_section(
                    source.title,
                    data[source.key],
                    _labels(model),
                    history,
                    str(model._meta.verbose_name),
                )
            )
    log_labels = {
        "at": _("at"),
        "by": _("by"),
        "action": _("action"),
        "record": _("record"),
        "reference": _("reference"),
    }
    sections.append(_list_section(_("Access log"), data["access_log"], log_labels))
    # Versions of rows no longer listed above (none today): shown, never dropped.
    left = [entry for entries in history.values() for entry in entries]
    if left:
        section = Section(_("Other changes"))
        section.lines = [
            f"{entry['record']}: {text}" for entry in left for text in _changes([entry], None, {})
        ]
        sections.append(section)
    return sections


def disclosure_pdf(data: dict) -> bytes:
    """Rendered outside a request (the worker): the caller sets the language."""
    html = render_to_string(
        "cases/disclosure.html",
        {"data": data, "sections": _sections(data), "LANGUAGE_CODE": get_language()},
    )
    return render_pdf(html)
