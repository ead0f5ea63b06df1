"""Shared setup: two teams in two carriers; alice and bob work in team A, charlie in team B;
sam supervises A, sue supervises B; olga is office, vera a volunteer, adam the admin."""

import functools
import re
from pathlib import Path

import pytest
from django.utils import translation
from xdist.scheduler import LoadFileScheduling  # type: ignore[import-untyped]

from referrals import services as referral_services
from tests import testdb

# The helpers live in tests/helpers.py; imported here for the fixtures below, and so that an
# old `from tests.conftest import open_case` still works (new code imports tests.helpers).
from tests.helpers import (  # noqa: F401
    CAST,
    ORGANISATIONS,
    TODAY,
    cast_member,
    consent,
    make_mbe,
    make_team,
    make_user,
    module_transaction,
    open_case,
    refer,
    sign_in,
)
from tests.security.world import build_world

# --- the order of the run ---------------------------------------------------------------------

# A test module of tests/security/ whose tests take the shared `world` (tests/security/
# conftest.py): built once for consecutive such modules, so they run next to each other and,
# under xdist, on one worker. Read from the source, so that a new module joins by itself;
# one this misses still passes, it builds its own world.
SHARED_WORLD = re.compile(r"^def test_\w+\([^)]*\bworld\b", re.MULTILINE)
WORLD_SCOPE = "tests/security: the shared world"


@functools.cache
def uses_shared_world(path: Path) -> bool:
    return path.parent.name == "security" and bool(SHARED_WORLD.search(path.read_text()))


# What gives a test a database (pytest-django blocks every other way to one).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-only",
        action="store_true",
        help="only the tests that use a database (the others are the same on every database: "
        ".ci/run's PostgreSQL pass leaves them to the SQLite pass)",
    )


def uses_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(fixtures & DATABASE_FIXTURES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """--database-only: deselect what cannot touch a database. Then the modules with the
    shared world next to each other, where the first of them was."""
    if config.getoption("database_only"):
        agnostic = [item for item in items if not uses_database(item)]
        if agnostic:
            config.hook.pytest_deselected(items=agnostic)
            items[:] = [item for item in items if uses_database(item)]
    world = [item for item in items if uses_shared_world(item.path)]
    if world:
        first = items.index(world[0])
        rest = [item for item in items if not uses_shared_world(item.path)]
        items[:] = rest[:first] + world + rest[first:]


class WorldTogether(LoadFileScheduling):
    """--dist loadfile (a module's tests on one worker), the shared world's modules as one."""

    def _split_scope(self, nodeid: str) -> str:
        path = super()._split_scope(nodeid)
        return WORLD_SCOPE if uses_shared_world(self.config.rootpath / path) else path


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getvalue("dist") == "loadfile":
        return WorldTogether(config, log)
    return None


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_modify_db_settings
):
    """pytest-django's, with the migrated database built once and copied (tests/testdb.py)."""
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        state = testdb.setup(verbosity)
    yield
    with django_db_blocker.unblock():
        testdb.teardown(state, verbosity)


@pytest.fixture
def migrated_sqlite_file(tmp_path, django_db_setup) -> Path:
    """A file-based SQLite database as the migrations leave it, for a test's subprocesses."""
    return testdb.migrated_file(tmp_path / "caseworks.sqlite3")


@pytest.fixture
def team_a(db):
    return make_team("a")


@pytest.fixture
def team_b(db):
    return make_team("b")


@pytest.fixture
def org_a(team_a):
    return team_a.organisation


@pytest.fixture
def org_b(team_b):
    return team_b.organisation


@pytest.fixture
def alice(team_a):
    return cast_member("alice", {"a": team_a})


@pytest.fixture
def bob(team_a):
    return cast_member("bob", {"a": team_a})


@pytest.fixture
def charlie(team_b):
    return cast_member("charlie", {"b": team_b})


@pytest.fixture
def sam(team_a):
    return cast_member("sam", {"a": team_a})


@pytest.fixture
def sue(team_b):
    return cast_member("sue", {"b": team_b})


@pytest.fixture
def olga(db):
    return cast_member("olga")


@pytest.fixture
def vera(db):
    return cast_member("vera")


@pytest.fixture
def adam(db):
    return cast_member("adam")


@pytest.fixture
def cody(db):
    return cast_member("cody")


@pytest.fixture
def root(db):
    """A superuser without a role: the Django admin (technical upkeep) is theirs alone. The
    administrator role (adam) works through /manage/."""
    user = make_user("root")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def dora(team_a):
    """The data protection officer of team A's carrier (organisation A), no case role."""
    user = make_user("dora")
    team_a.organisation.data_protection_officers.add(user)
    return user


@pytest.fixture
def alice_case(alice, team_a):
    return open_case(alice, team_a, accommodation_address="Am Bahnhof 3\n12345 Musterstadt")


@pytest.fixture
def charlie_case(charlie, team_b):
    return open_case(charlie, team_b, first_name="Yonas", last_name="Haile")


@pytest.fixture(autouse=True)
def fast_password_hashing(request, settings):
    """Argon2 is slow on purpose (~0.1–0.3 s a password, sign-in failures included): tests
    that sign in many times would spend most of their time hashing. They hash with MD5
    (Django's advice for test suites); tests marked `real_hashers` keep the production list."""
    if request.node.get_closest_marker("real_hashers") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english():
    """Tests read English messages; the German UI is checked in test_language.py."""
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


# --- referrals (here, not in tests/referrals: the security tests use them too) ---


@pytest.fixture
def mbe(db):
    return make_mbe()


@pytest.fixture
def office_user(olga, team_a):
    team_a.members.add(olga)  # the office prints for team A
    return olga


@pytest.fixture
def ready_referral(alice, alice_case, mbe):
    consent(alice, alice_case, mbe)
    referral = refer(alice, alice_case, mbe)
    return referral_services.referral_transition(actor=alice, referral=referral, to="ready")


@pytest.fixture
def world(alice, bob, charlie, sam, sue, olga, vera, adam, cody, team_a, team_b, mbe):
    """Two teams' worth of every kind of object, for the tests that walk all URLs:
    (users by name, team A's objects, team B's objects), built on the cast's fixtures.
    tests/security/ builds it once per module instead (tests/security/conftest.py)."""
    return build_world(
        alice=alice,
        bob=bob,
        charlie=charlie,
        sam=sam,
        sue=sue,
        olga=olga,
        vera=vera,
        adam=adam,
        cody=cody,
        team_a=team_a,
        team_b=team_b,
        service=mbe,
    )
