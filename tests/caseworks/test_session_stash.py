"""A form sent after the session ended comes back after signing in again (caseworks.web.stash):
encrypted meanwhile, only for the same user, once."""

import base64
import datetime
import time

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone

from cases.models import Case
from caseworks.access.roles import Role
from caseworks.middleware import LAST_SEEN, SIGNED_IN_AT
from caseworks.models import AuthenticatorDevice
from caseworks.web.stash import COOKIE, SESSION_KEY
from tests.helpers import TODAY, cast_member, make_team, open_case, sign_in
from tests.security.test_sign_in import totp_now
from visits import services as visit_services
from visits.models import Visit

PASSWORD = "a long and boring passphrase 2026"
NOTE = "Frau Karimi braucht Hilfe beim Weiterbewilligungsantrag"


@pytest.fixture
def world(db):
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    team = make_team("a")
    users = {name: cast_member(name, {"a": team}) for name in ("alice", "bob")}
    for user in users.values():
        user.set_password(PASSWORD)
        user.save()
    case = open_case(users["alice"], team, assigned_to=users["alice"])
    return users, f"/cases/{case.code}/visits/new/"


def _end_session(client, how):
    """The idle time passed (the row expired) or the absolute lifetime (the row lives on)."""
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    if how == "idle":
        Session.objects.filter(session_key=key).update(
            expire_date=timezone.now() - datetime.timedelta(seconds=1)
        )
    else:
        session = client.session
        session[SIGNED_IN_AT] = int(time.time()) - 11 * 3600
        session[LAST_SEEN] = int(time.time()) - 60
        session.save()


def _post_note(client, url):
    return client.post(
        url,
        {
            "date": "2026-03-02",
            "duration_minutes": "95",
            "notes": NOTE,
            "csrfmiddlewaretoken": "token",
            "submission": "abc",
        },
        HTTP_ACCEPT_LANGUAGE="de",
    )


@pytest.mark.parametrize("how", ["idle", "lifetime"])
def test_it_keeps_a_form_sent_after_the_end_and_restores_it_once(client, world, how):
    users, url = world
    assert sign_in(client, "alice", PASSWORD)
    assert client.get(url).status_code == 200
    _end_session(client, how)

    response = _post_note(client, url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"
    assert not Visit.objects.exists()  # nothing processed
    cookie = response.cookies[COOKIE]
    assert cookie["path"] == url and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert 0 < int(cookie["max-age"]) <= 15 * 60
    login_page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Ihre Sitzung ist abgelaufen. Nach der Anmeldung ist Ihre Eingabe wieder da." in (
        login_page
    )

    assert sign_in(client, "alice", PASSWORD)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert NOTE in page
    assert 'value="95"' in page
    assert "Bitte prüfen Sie sie und speichern Sie." in page
    assert not Visit.objects.exists()  # shown again, not saved

    again = client.get(url).content.decode()
    assert NOTE not in again


def test_the_server_side_half_holds_no_plaintext(client, world):
    users, url = world
    assert sign_in(client, "alice", PASSWORD)
    _end_session(client, "idle")
    response = _post_note(client, url)
    row = Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)
    stash = row.get_decoded()[SESSION_KEY]
    assert stash["user"] == str(users["alice"].pk) and stash["path"] == url
    encoded = base64.b64encode(NOTE.encode()).decode()
    for text in (row.session_data, str(row.get_decoded())):
        assert "Weiterbewilligungsantrag" not in text and encoded[:20] not in text
    # The key is only in the browser's cookie, never on the server.
    assert response.cookies[COOKIE].value not in str(row.get_decoded())


def test_another_user_signing_in_finds_nothing(client, world):
    users, url = world
    assert sign_in(client, "alice", PASSWORD)
    _end_session(client, "idle")
    _post_note(client, url)
    assert SESSION_KEY in client.session

    assert sign_in(client, "bob", PASSWORD)
    assert SESSION_KEY not in client.session  # discarded at bob's sign-in
    client.logout()
    assert sign_in(client, "alice", PASSWORD)
    assert NOTE not in client.get(url).content.decode()


def test_without_the_key_cookie_nothing_comes_back(client, world):
    users, url = world
    assert sign_in(client, "alice", PASSWORD)
    _end_session(client, "idle")
    _post_note(client, url)
    del client.cookies[COOKIE]
    assert sign_in(client, "alice", PASSWORD)
    assert NOTE not in client.get(url).content.decode()
    assert SESSION_KEY not in client.session  # looked at once, then gone


def test_a_stale_session_leads_to_the_sign_in_page_with_a_message(client, world):
    users, url = world
    assert sign_in(client, "alice", PASSWORD)
    _end_session(client, "idle")
    response = client.get(url, follow=True, HTTP_ACCEPT_LANGUAGE="de")
    assert response.redirect_chain[-1][0] == f"/accounts/login/?next={url}"
    assert "Ihre Sitzung ist beendet." in response.content.decode()


@override_settings(CASEWORKS_REQUIRE_2FA=True)
def test_it_comes_back_after_the_second_factor_too(client, world):
    users, url = world
    device = AuthenticatorDevice.objects.create(
        user=users["alice"], name="authenticator", confirmed=True
    )
    assert sign_in(client, "alice", PASSWORD)
    client.post("/accounts/code/", {"otp_token": totp_now(device)})
    assert client.get(url).status_code == 200
    _end_session(client, "idle")
    _post_note(client, url)

    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": url}
    )
    assert response.url == url
    response = client.get(url)
    assert response.url.startswith("/accounts/code/")
    response = client.post(response.url, {"otp_token": totp_now(device, offset=1)})
    assert response.url == url
    assert NOTE in client.get(url).content.decode()


def test_an_edit_comes_back_with_the_version_it_was_loaded_with(client, world):
    """Someone else's change made meanwhile is then detected on saving, not overwritten."""
    users, url = world
    case = Case.objects.get()
    visit = visit_services.visit_record(
        actor=users["alice"],
        case=case,
        kind=Visit.Kind.FIRST,
        date=TODAY,
        duration_minutes=30,
        place="office",
    )
    edit = f"/cases/{case.code}/visits/{visit.code}/edit/"
    assert sign_in(client, "alice", PASSWORD)
    _end_session(client, "idle")
    loaded = visit.version
    client.post(edit, {"notes": NOTE, "version": str(loaded), "duration_minutes": "45"})
    Visit.objects.filter(pk=visit.pk).update(version=loaded + 1)  # a colleague saved meanwhile

    assert sign_in(client, "alice", PASSWORD)
    form = client.get(edit).context["form"]
    assert form["notes"].value() == NOTE and form["duration_minutes"].value() == "45"
    assert form["version"].value() == str(loaded)
