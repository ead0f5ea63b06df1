"""The idle-end warning: its script on signed-in pages only, its times from the settings, no
inline script; "Stay signed in" extends the session and nothing else."""

import re
import time

import pytest
from django.contrib.auth import get_user_model

from caseworks.middleware import LAST_SEEN


@pytest.fixture
def carla(db):
    return get_user_model().objects.create_user("carla", password=None)


def test_it_puts_the_warning_on_signed_in_pages_only(client, carla, settings):
    settings.CASEWORKS_SESSION_IDLE_MINUTES = 30
    settings.CASEWORKS_SESSION_WARNING_MINUTES = 2
    assert "js/session.js" not in client.get("/accounts/login/").content.decode()
    client.force_login(carla)
    page = client.get("/accounts/security/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    tag = re.search(r'<script src="[^"]*js/session\.js"[^>]*></script>', page)
    assert tag is not None
    assert 'data-idle="1800"' in tag.group() and 'data-lead="120"' in tag.group()
    assert 'data-button="Weiter angemeldet bleiben"' in tag.group()
    assert 'data-alive="/accounts/session/"' in tag.group()
    # Every script is a file: the CSP allows nothing inline.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)


def test_staying_signed_in_extends_the_session(client, carla):
    client.force_login(carla)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 28 * 60
    session.save()
    response = client.get("/accounts/session/")
    assert response.status_code == 204 and response.content == b""
    assert int(time.time()) - client.session[LAST_SEEN] < 5
    assert client.post("/accounts/session/").status_code == 405


def test_after_the_end_staying_signed_in_is_refused(client, carla):
    client.force_login(carla)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/accounts/session/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert client.get("/accounts/session/").status_code == 302
