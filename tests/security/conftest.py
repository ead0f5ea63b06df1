"""The security tests share one world (see shared_world), built once for every run of
consecutive modules that use it: tests/conftest.py puts those modules next to each other in
the collection and on one xdist worker."""

import contextlib
import copy
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import CAST, cast_member, make_mbe, make_team, module_transaction
from tests.security.world import build_world

# The world of this process while it is open: its transaction (to close) and the world.
_open: dict[str, Any] = {}
# The test that runs after the one being torn down (pytest_runtest_teardown), or None.
_next: dict[str, pytest.Item | None] = {"item": None}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    _next["item"] = nextitem
    try:
        return (yield)
    finally:
        _next["item"] = None


def uses_shared_world(item: pytest.Item | None) -> bool:
    return item is not None and "shared_world" in getattr(item, "fixturenames", ())


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker) -> Iterator[Any]:
    """The world of tests/security/world.py (it issues letters through WeasyPrint: seconds,
    not milliseconds), built inside a transaction that is rolled back after the last of the
    consecutive modules that use it, so that the next module that does not starts from the
    empty database. Each test runs in a savepoint within it (the `db` fixture)."""
    if not _open:
        transaction = contextlib.ExitStack()
        transaction.enter_context(module_transaction(django_db_blocker))
        try:
            with django_db_blocker.unblock():
                teams = {"a": make_team("a"), "b": make_team("b")}
                people = {name: cast_member(name, teams) for name in CAST}
                built = build_world(
                    **people, team_a=teams["a"], team_b=teams["b"], service=make_mbe()
                )
        except BaseException:
            transaction.close()
            raise
        _open.update(transaction=transaction, world=built)
    yield _open["world"]
    if not uses_shared_world(_next["item"]):
        _open.pop("world")
        _open.pop("transaction").close()


@pytest.fixture
def world(shared_world, db):
    """The world of the root conftest, but shared: a copy for each test, so that no test
    sees another's changes to the Python objects (its rows are rolled back anyway).
    A module using it must not build the cast again (usernames are unique): such tests
    live in modules of their own (test_extra_fields.py)."""
    return copy.deepcopy(shared_world)
