"""What other apps contribute to the case plan (cases.plan): the records a new need is linked
to ("Bedarf erfassen" on a visit) and the records that served a need. The visits app
registers both (visits.plan_links); cases.plan.services asks, importing no visits."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from caseworks.extensions.registry import Registry


@dataclass
class NeedSource:
    """A record a new need is linked to: what it is, the page to return to, and how to link
    it (written by the app that owns the record)."""

    label: str
    back: str
    link: Callable[..., None]  # (*, actor, need) -> None


@dataclass
class ServedBy:
    label: str
    url: str


class NeedSourceProvider(Protocol):
    def __call__(self, *, case: Any, kind: str, code: str) -> NeedSource | None: ...


# `case` and `need` are cases.models.Case and cases.plan.models.Need (Any: caseworks imports
# no app).
# provider(*, case, kind, code) -> NeedSource or None
need_sources: Registry[NeedSourceProvider] = Registry("plan.need_sources")
# provider(need) -> [ServedBy]: the records that served the need
need_servers: Registry[Callable[[Any], Iterable[ServedBy]]] = Registry("plan.need_servers")
register_need_source = need_sources.register
register_need_served_by = need_servers.register
