"""What other apps contribute to the case file, without the cases app importing them.

Dependencies point referrals → visits → cases → caseworks, yet the case file shows visits and
referrals. Each app registers providers here in its AppConfig.ready(); the case file asks.
A provider must run a fixed number of queries, whatever the number of entries.
"""

import datetime
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import models
from django.utils import timezone

from caseworks.extensions.registry import Registry


@dataclass
class TimelineEntry:
    at: datetime.datetime | datetime.date
    kind: str  # a CSS/template key, e.g. "visit", "accompaniment", "status"
    template: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def sort_key(self) -> datetime.datetime:
        """Local wall-clock time, so that dates (end of that local day) and times compare."""
        if isinstance(self.at, datetime.datetime):
            return timezone.localtime(self.at).replace(tzinfo=None)
        return datetime.datetime.combine(self.at, datetime.time.max)


URGENT_BELOW = 10


@dataclass
class Panel:
    """A box on the case file (open checklist points, upcoming appointments). Panels ordered
    below URGENT_BELOW (open deadlines) stand at the top of the file, the others after the
    household."""

    order: int
    template: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def is_urgent(self) -> bool:
        return self.order < URGENT_BELOW


# A history source: (model, its historical rows, subject(row) -> the line's text).
HistorySource = tuple[type[models.Model], list[Any], Callable[[Any], str]]


class TimelineProvider(Protocol):
    def __call__(self, case: Any, /, *, limit: int) -> Iterable[TimelineEntry]: ...


class PanelProvider(Protocol):
    def __call__(self, case: Any, /, *, user: Any) -> Panel | None: ...


# `case` is a cases.models.Case (caseworks imports no app, so Any here).
timeline: Registry[TimelineProvider] = Registry("casefile.timeline")
panels: Registry[PanelProvider] = Registry("casefile.panels")
history: Registry[Callable[[Any], Iterable[HistorySource]]] = Registry("casefile.history")

# provider(case, *, limit) -> the newest `limit` TimelineEntry of its kind
register_timeline = timeline.register
# provider(case, *, user) -> Panel or None
register_panel = panels.register
# provider(case) -> [(model, historical rows, subject(row) -> str)] for the history tab
register_history = history.register


def history_sources_for(case: Any) -> list[HistorySource]:
    return [source for provider in history for source in provider(case)]


def timeline_for(case: Any, *, limit: int) -> tuple[list[TimelineEntry], bool]:
    """The newest `limit` entries across all apps, newest first, and whether there are more.

    Each provider returns at most limit + 1 entries, so merging them finds the true newest.
    """
    entries = [e for provider in timeline for e in provider(case, limit=limit + 1)]
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    return entries[:limit], len(entries) > limit


def panels_for(case: Any, *, user: Any) -> list[Panel]:
    found = [p for provider in panels if (p := provider(case, user=user)) is not None]
    return sorted(found, key=lambda p: p.order)


# --- what is still open on a case (listed before it is closed) ---------------------------------


@dataclass
class OpenItem:
    """Something still open on a case: a running deadline, a task, a planned accompaniment,
    an open referral or checklist point. `text` may hold decrypted values: for display only.
    `key` tells the items apart in the closing form (by default derived from the others)."""

    kind_label: str
    text: str
    url: str
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            digest = hashlib.sha256(
                f"{self.kind_label}\x1f{self.text}\x1f{self.url}".encode()
            ).hexdigest()
            self.key = digest[:24]


# provider(case) -> [OpenItem] still open on the case (a fixed number of queries)
open_items: Registry[Callable[[Any], Iterable[OpenItem]]] = Registry("casefile.open_items")
register_open_items = open_items.register


def open_items_for(case: Any) -> list[OpenItem]:
    return [item for provider in open_items for item in provider(case)]


# --- what other apps offer on a record's page ----------------------------------------------------


@dataclass(frozen=True)
class RecordLink:
    """A line on a record's page (a visit, an accompaniment, a contact, an appointment) that
    another app adds: what it holds about the record, or what can be done with it
    ("Sprachmittlung anfragen"). `url` empty: text only."""

    text: str
    url: str = ""


class RecordLinkProvider(Protocol):
    def __call__(self, record: Any, /, *, user: Any) -> Iterable[RecordLink]: ...


# provider(record, *, user) -> [RecordLink]; the record pages ({% record_links record %})
record_links: Registry[RecordLinkProvider] = Registry("casefile.record_links")
register_record_links = record_links.register


def record_links_for(record: Any, *, user: Any) -> list[RecordLink]:
    return [link for provider in record_links for link in provider(record, user=user)]
