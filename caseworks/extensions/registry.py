"""Providers that apps contribute (in AppConfig.ready) to pages of another app, so that
dependencies keep pointing one way: referrals → visits → cases → caseworks."""

from collections.abc import Callable, Iterator


class Registry:
    def __init__(self) -> None:
        self._providers: list[Callable] = []

    def register(self, provider: Callable) -> Callable:
        """Use as a decorator; registering the same provider twice has no effect."""
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def __iter__(self) -> Iterator[Callable]:
        return iter(self._providers)
