"""The house setup's tests: ada holds the administrator role and nothing else (no superuser,
no staff flag), as a house's administrator should."""

import pytest

from caseworks.models import AccessLog
from tests.helpers import make_user


@pytest.fixture
def ada(db):
    return make_user("ada", "admin", first_name="Ada", last_name="Admin")


@pytest.fixture
def admin_client(client, ada):
    client.force_login(ada)
    return client


def actions(**filters) -> list[str]:
    """The access log's action codes, oldest first."""
    return list(
        AccessLog.objects.filter(**filters).order_by("at", "pk").values_list("action", flat=True)
    )
