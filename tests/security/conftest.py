"""The security tests share one world a module (see shared_world)."""

import copy

import pytest

from tests.conftest import CAST, cast_member, make_mbe, make_team, module_transaction


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """The world of tests/security/world.py, built once a test module (it issues letters
    through WeasyPrint: seconds, not milliseconds) and rolled back at the module's end."""
    from tests.security.world import build_world

    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            teams = {"a": make_team("a"), "b": make_team("b")}
            people = {name: cast_member(name, teams) for name in CAST}
            built = build_world(**people, team_a=teams["a"], team_b=teams["b"], service=make_mbe())
        yield built


@pytest.fixture
def world(shared_world, db):
    """The world of the root conftest, but shared: a copy for each test, so that no test
    sees another's changes to the Python objects (its rows are rolled back anyway).
    A module using it must not build the cast again (usernames are unique): such tests
    live in modules of their own (test_extra_fields.py)."""
    return copy.deepcopy(shared_world)
