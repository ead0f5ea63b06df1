"""What each app stores about a person: the disclosure (Art. 15 DSGVO) and retention
(caseworks.audit.dataprotection) walk exactly the sources registered here, as pretix's apps
register their data shredders. Each app declares, in its AppConfig.ready() (its
personal_data.py), every model that holds data about a person and how to find its rows, and
the models that hold none: a test checks that every model is one or the other (or, rarely,
holds client data in bulk for a while: register_held_in_bulk)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.functional import Promise

from caseworks.extensions.registry import Registry


@dataclass(frozen=True)
class Source:
    """One model holding data about a person, and how to find its rows."""

    label: str  # app_label.Model
    key: str  # JSON key in the disclosure
    title: str | Promise  # its heading in the disclosure PDF
    # Lookup from the model to the Client ("pk" for the Client itself); several lookups (a
    # tuple) when a row can concern several persons (an accompaniment's companions).
    by_person: str | tuple[str, ...]
    by_case: str  # lookup from the model to the Case
    # Deletion order: rows that PROTECT others come first (lower numbers first).
    order: int
    # Rows without a person (client IS NULL) concern the whole household: every member's
    # disclosure includes them (household deadlines).
    household_rows: bool = False

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


def _label(source: Source) -> str:
    return source.label


# The models holding data about a person; registering a label again replaces its source.
person_data: Registry[Source] = Registry("personal_data.person_data", key=_label)
# "app_label.Model" of the models an app declares free of client data (bookkeeping, or staff
# data), so that the test that every model is classified knows the choice was made on purpose.
free_of_person_data: Registry[str] = Registry("personal_data.free_of_person_data")
# "app_label.Model" of the models that hold client data for a task, for a while: a file being
# imported (client data in bulk, no lookup finds it by person), a disclosure PDF waiting for
# its download (a copy of what the disclosure finds). Neither disclosed nor deleted per case
# like a Source; the registering app empties them itself when their task ends, and says when.
held_in_bulk: Registry[str] = Registry("personal_data.held_in_bulk")
# provider(reference: str) -> codes (UUIDs) of the objects that reference names, for the
# access log filter (a case reference finds the entries about the case and its persons).
reference_lookups: Registry[Callable[[str], Iterable[Any]]] = Registry(
    "personal_data.reference_lookups"
)
# provider(user) -> {section: data}: what an app above volunteers (community: event
# registrations, the newsletter) holds about a volunteer's account, for their disclosure.
volunteer_disclosure_sections: Registry[Callable[[Any], dict[str, Any]]] = Registry(
    "personal_data.volunteer_disclosure_sections"
)

register_reference_lookup = reference_lookups.register
register_disclosure_section = volunteer_disclosure_sections.register


def register_person_data(*sources: Source) -> None:
    for source in sources:
        person_data.register(source)


def register_not_person_data(*labels: str) -> None:
    for label in labels:
        free_of_person_data.register(label)


def register_held_in_bulk(*labels: str) -> None:
    for label in labels:
        held_in_bulk.register(label)


def person_data_sources() -> list[Source]:
    return sorted(person_data, key=lambda s: (s.order, s.label))


def not_person_data() -> frozenset[str]:
    return frozenset(free_of_person_data)


def person_data_held_in_bulk() -> frozenset[str]:
    return frozenset(held_in_bulk)


def codes_for_reference(reference: str) -> list[Any]:
    return [code for lookup in reference_lookups for code in lookup(reference)]


def volunteer_disclosure_sections_for(user: Any) -> dict[str, Any]:
    return {
        key: value
        for provider in volunteer_disclosure_sections
        for key, value in provider(user).items()
    }
