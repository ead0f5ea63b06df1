"""A request that changes nothing writes nothing (issue 37: on PostgreSQL every request saved
the session and committed, which tripled the cost of a page). The time of the last request is
written once a minute (caseworks.middleware.LAST_SEEN_RESOLUTION), and the idle end stays
never early and at most a minute late."""

import datetime
import time

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caseworks.middleware import LAST_SEEN, LAST_SEEN_RESOLUTION

WRITES = ("INSERT", "UPDATE", "DELETE")
# Pages that show no case: the floor page of the benchmark, the caseload, the week.
PAGES = ["/accounts/password/done/", "/cases/", "/visits/week/"]


def writes(captured) -> list[str]:
    return [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(WRITES)]


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def last_seen_ago(client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


@pytest.fixture
def frozen():
    """The clock stands still: a second passing would move the boundaries tested."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize("url", PAGES)
def test_a_plain_get_writes_nothing(client, alice, alice_case, url, frozen):
    client.force_login(alice)
    assert client.get(url).status_code == 200
    expires = session_row(client).expire_date
    frozen.shift(LAST_SEEN_RESOLUTION - 1)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert writes(captured) == []
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # no session saved
    assert session_row(client).expire_date == expires


def test_the_time_of_the_last_request_is_written_once_a_minute(client, alice, frozen):
    client.force_login(alice)
    last_seen_ago(client, LAST_SEEN_RESOLUTION)
    with CaptureQueriesContext(connection) as captured:
        client.get("/cases/")
    assert [sql for sql in writes(captured) if "django_session" in sql]
    assert client.session[LAST_SEEN] == int(time.time())
    row = session_row(client)
    assert row.expire_date == timezone.now() + datetime.timedelta(
        seconds=settings.SESSION_COOKIE_AGE
    )


def test_the_idle_end_is_never_early(client, alice, settings, frozen):
    settings.CASEWORKS_SESSION_IDLE_MINUTES = 30
    client.force_login(alice)
    # Written 30 minutes and 59 seconds ago: the last request may have come 59 s after it.
    last_seen_ago(client, 30 * 60 + LAST_SEEN_RESOLUTION - 1)
    assert client.get("/cases/").status_code == 200
    assert client.session[LAST_SEEN] == int(time.time())


def test_the_idle_end_is_at_most_a_minute_late(client, alice, settings, frozen):
    settings.CASEWORKS_SESSION_IDLE_MINUTES = 30
    client.force_login(alice)
    key = session_row(client).session_key
    last_seen_ago(client, 30 * 60 + LAST_SEEN_RESOLUTION)
    response = client.get("/cases/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not Session.objects.filter(session_key=key).exists()


def test_the_session_row_outlives_the_idle_end():
    """The row expires no earlier than the middleware ends the session (else the end would be
    early, through the row, for a session whose last minute was not written)."""
    idle = settings.CASEWORKS_SESSION_IDLE_MINUTES * 60
    assert idle + LAST_SEEN_RESOLUTION <= settings.SESSION_COOKIE_AGE
    assert not settings.SESSION_SAVE_EVERY_REQUEST
