"""The one kind of extension point: a typed registry that apps fill in AppConfig.ready(), so
that dependencies keep pointing one way (referrals → visits → cases → caseworks) while a page
of one app shows what others contribute. Every instance is listed in caseworks.extensions."""

from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """What apps contributed to one extension point, in the order they registered.

    Entries are told apart by `key(entry)` (the entry itself by default): registering the same
    provider twice has no effect, and an entry with the key of an earlier one replaces it, in
    its place. `registry[key]` finds an entry by its key.
    """

    def __init__(self, name: str, *, key: Callable[[T], Hashable] | None = None) -> None:
        self.name = name
        self._key = key
        self._entries: dict[Hashable, T] = {}

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {len(self)} entries>"

    def key_of(self, entry: T) -> Hashable:
        return entry if self._key is None else self._key(entry)

    def register(self, entry: T) -> T:
        """Add `entry`; returns it, so that it can be used as a decorator."""
        self._entries[self.key_of(entry)] = entry
        return entry

    def unregister(self, entry: T) -> None:
        """Take `entry` out again (tests that add a provider for one test)."""
        del self._entries[self.key_of(entry)]

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __getitem__(self, key: Hashable) -> T:
        return self._entries[key]
