"""Sign-in with a carrier's directory, against a real OpenID provider (tests/oidc: panva's
oidc-provider, started by the tests): the account from the mapped group, refusals of bad
tokens, leavers, back-channel logout, and the local sign-in beside it."""

import base64
import json
import time
import uuid
from datetime import timedelta

import pytest
import requests
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from caseworks.directory.models import DirectoryDevice, DirectoryIdentity, DirectorySession
from caseworks.house import directory
from caseworks.models import AccessLog, Team
from tests.helpers import make_team, make_user, sign_in
from tests.oidc.harness import callback_path, start_provider, token_response

PASSWORD = "directory password"


@pytest.fixture(scope="module")
def oidc():
    yield from start_provider()


@pytest.fixture
def admins(db):
    return make_user("adam", "admin"), make_user("ada", "admin")


def set_up_directory(oidc, admins, base="http://testserver"):
    """Caritas' directory as two administrators set it up: group "beratung" gives the
    caseworker role in Team B, "leitung" the supervisor role (both approved)."""
    adam, ada = admins
    team = make_team("b")
    organisation = team.organisation
    client_id, secret = oidc.register(
        redirect_uri=f"{base}/accounts/directory/{organisation.code}/callback/",
        backchannel_logout_uri=f"{base}/accounts/directory/{organisation.code}/backchannel-logout/",
    )
    provider = directory.provider_save(
        actor=adam,
        organisation=organisation,
        data={
            "label": "Mit dem Caritas-Konto anmelden",
            "issuer": oidc.issuer,
            "client_id": client_id,
            "client_secret": secret,
            "scopes": "openid email profile groups",
            "check_minutes": 15,
        },
    )
    for group, role in (("beratung", "caseworker"), ("leitung", "supervisor")):
        mapping = directory.mapping_add(
            actor=adam, provider=provider, group=group, roles=[role], team=team
        )
        directory.mapping_approve(actor=ada, mapping=mapping)
    return provider


@pytest.fixture
def caritas(oidc, admins):
    return set_up_directory(oidc, admins)


def person(oidc, groups, *, amr=("pwd", "mfa")):
    """A new person in the directory (ids are unique: the provider lives for the module)."""
    user_id = f"p{uuid.uuid4().hex[:8]}"
    oidc.add_user(user_id, groups=list(groups), password=PASSWORD, amr=list(amr) if amr else None)
    return user_id


def through_directory(client, oidc, provider, user_id, browser=None):
    """The sign-in as a browser walks it: the button, the provider's login page, back."""
    start = client.get(f"/accounts/directory/{provider.organisation.code}/")
    assert start.status_code == 302
    assert start["Location"].startswith(f"{oidc.issuer}/auth?")
    assert "code_challenge_method=S256" in start["Location"]
    back = oidc.log_in(browser or requests.Session(), start["Location"], user_id, PASSWORD)
    return client.get(callback_path(back))


class PlainHttpBrowser(requests.Session):
    """A browser for the live server on plain http, which the production settings' Secure
    cookies (__Host-session) would otherwise never go back to."""

    def send(self, request, **kwargs):
        response = super().send(request, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def actions():
    return list(AccessLog.objects.order_by("pk").values_list("action", flat=True))


def payload(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_the_first_sign_in_creates_the_account_with_the_mapped_role_and_team(client, oidc, caritas):
    user_id = person(oidc, ["beratung", "kantine"])
    response = through_directory(client, oidc, caritas, user_id)
    assert response.status_code == 302
    user = get_user_model().objects.get(username=user_id)
    assert set(user.groups.values_list("name", flat=True)) == {"caseworker"}
    assert list(Team.objects.filter(members=user)) == [Team.objects.get(name="Team B")]
    assert not user.has_usable_password()
    assert DirectoryIdentity.objects.get(user=user).refresh_token  # for the leavers' check
    # The provider's token said "mfa": the session counts as verified by a second factor.
    assert client.session["otp_device_id"] == DirectoryDevice.objects.get(user=user).persistent_id
    assert client.get("/cases/").status_code == 200
    log = actions()
    assert {"manage.user.created", "manage.user.roles_changed", "directory.signed_in"} <= set(log)
    entry = AccessLog.objects.get(action="manage.user.roles_changed")
    assert entry.username == caritas.actor.username  # the directory did it, not an admin


def test_a_role_change_in_the_directory_applies_at_the_next_sign_in(client, oidc, caritas):
    user_id = person(oidc, ["beratung"])
    through_directory(client, oidc, caritas, user_id)
    oidc.add_user(user_id, groups=["leitung"], password=PASSWORD, amr=["mfa"])
    client.logout()
    assert through_directory(client, oidc, caritas, user_id).status_code == 302
    user = get_user_model().objects.get(username=user_id)
    assert set(user.groups.values_list("name", flat=True)) == {"supervisor"}


def test_an_unmapped_group_is_refused_with_a_clear_message(client, oidc, caritas):
    user_id = person(oidc, ["kantine"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    response = through_directory(client, oidc, caritas, user_id)
    assert response.status_code == 403
    text = response.content.decode()
    assert (
        "Ihr Konto im Verzeichnis von Caritas Test gehört zu keiner Gruppe, der in Caseworks "
        "eine Rolle zugeordnet ist. Deshalb können Sie sich nicht anmelden." in text
    )
    assert not get_user_model().objects.filter(username=user_id).exists()
    assert "_auth_user_id" not in client.session
    entry = AccessLog.objects.get(action="directory.sign_in_refused")
    assert entry.detail["reason"] == "no_mapped_group"


def test_an_unapproved_mapping_gives_nothing(client, oidc, caritas, admins):
    directory.mapping_add(
        actor=admins[0], provider=caritas, group="verwaltung", roles=["office"], team=None
    )
    response = through_directory(client, oidc, caritas, person(oidc, ["verwaltung"]))
    assert response.status_code == 403


def test_admin_and_a_file_role_from_two_groups_are_refused(client, oidc, caritas, admins):
    adam, ada = admins
    mapping = directory.mapping_add(
        actor=adam, provider=caritas, group="it", roles=["admin"], team=None
    )
    directory.mapping_approve(actor=ada, mapping=mapping)
    user_id = person(oidc, ["it", "beratung"])
    response = through_directory(client, oidc, caritas, user_id)
    assert response.status_code == 403
    assert "administrator role together with a role that reads client" in response.content.decode()
    assert not get_user_model().objects.filter(username=user_id).exists()


def _refused(client, oidc, caritas, monkeypatch, tamper):
    user_id = person(oidc, ["beratung"])
    monkeypatch.setattr(requests.Session, "send", token_response(tamper))
    response = through_directory(client, oidc, caritas, user_id)
    assert response.status_code == 403
    assert "answer could not be verified" in response.content.decode()
    assert not get_user_model().objects.filter(username=user_id).exists()
    assert "_auth_user_id" not in client.session
    return AccessLog.objects.get(action="directory.sign_in_refused").detail["check"]


def test_a_tampered_token_is_refused(client, oidc, caritas, monkeypatch):
    def tamper(body):
        header, claims, signature = body["id_token"].split(".")
        changed = {**payload(body["id_token"]), "groups": ["leitung", "beratung"]}
        claims = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=").decode()
        return {**body, "id_token": f"{header}.{claims}.{signature}"}

    assert "BadSignature" in _refused(client, oidc, caritas, monkeypatch, tamper)


def test_a_token_for_another_audience_is_refused(client, oidc, caritas, monkeypatch):
    def tamper(body):
        claims = {**payload(body["id_token"]), "aud": "another-application"}
        return {**body, "id_token": oidc.sign(claims)}

    assert "aud" in _refused(client, oidc, caritas, monkeypatch, tamper)


def test_an_expired_token_is_refused(client, oidc, caritas, monkeypatch):
    def tamper(body):
        now = int(time.time())
        claims = {**payload(body["id_token"]), "iat": now - 7200, "exp": now - 3600}
        return {**body, "id_token": oidc.sign(claims)}

    assert "exp" in _refused(client, oidc, caritas, monkeypatch, tamper)


def test_a_replayed_token_is_refused_by_its_nonce(client, oidc, caritas, monkeypatch):
    """A genuine ID token of an earlier sign-in (the provider's signature, right audience)
    slipped into a new sign-in: its nonce is the earlier one's."""
    seen = []

    def remember(body):
        seen.append(body["id_token"])
        return body

    monkeypatch.setattr(requests.Session, "send", token_response(remember))
    first = person(oidc, ["beratung"])
    assert through_directory(client, oidc, caritas, first).status_code == 302
    client.logout()

    def replay(body):
        return {**body, "id_token": seen[0]}

    check = _refused(client, oidc, caritas, monkeypatch, replay)
    assert "nonce" in check


def test_a_replayed_callback_is_refused(client, oidc, caritas):
    user_id = person(oidc, ["beratung"])
    start = client.get(f"/accounts/directory/{caritas.organisation.code}/")
    back = callback_path(oidc.log_in(requests.Session(), start["Location"], user_id, PASSWORD))
    assert client.get(back).status_code == 302
    client.logout()
    again = client.get(back)
    assert again.status_code == 400
    assert "_auth_user_id" not in client.session


def test_without_a_second_factor_from_the_provider_caseworks_asks_its_own(client, oidc, caritas):
    user_id = person(oidc, ["beratung"], amr=None)
    with override_settings(CASEWORKS_REQUIRE_2FA=True):
        assert through_directory(client, oidc, caritas, user_id).status_code == 302
        assert "otp_device_id" not in client.session
        response = client.get("/cases/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/code/")


def test_a_user_disabled_in_the_directory_loses_access_within_the_interval(client, oidc, caritas):
    user_id = person(oidc, ["beratung"])
    stays = person(oidc, ["beratung"])
    other = client.__class__()
    through_directory(other, oidc, caritas, stays)
    through_directory(client, oidc, caritas, user_id)
    assert client.get("/cases/").status_code == 200
    oidc.disable(user_id)
    call_command("check_directory", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # Checked at the sign-in a moment ago: not due before the interval (15 minutes).
    assert get_user_model().objects.get(username=user_id).is_active
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=True):
        call_command("check_directory", stdout=open("/dev/null", "w"))  # noqa: SIM115
        user = get_user_model().objects.get(username=user_id)
        assert not user.is_active
        assert not DirectorySession.objects.filter(identity__user=user).exists()
        # The open session ends: its row is gone, the next request goes to the sign-in.
        assert not Session.objects.filter(session_key=client.session.session_key).exists()
        response = client.get("/cases/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        # Whoever is still enabled keeps working.
        assert get_user_model().objects.get(username=stays).is_active
        assert other.get("/cases/").status_code == 200
    log = actions()
    assert "manage.user.deactivated" in log and "directory.account_ended" in log
    ended = AccessLog.objects.get(action="directory.account_ended")
    assert ended.detail["account"] == user_id
    assert ended.detail["reason"] == "refused_by_directory"
    # Disabled in the directory: no way back in through it either.
    client.logout()
    start = client.get(f"/accounts/directory/{caritas.organisation.code}/")
    browser = requests.Session()
    page = browser.get(start["Location"])
    form = page.text.split('action="', 1)[1].split('"', 1)[0]
    refused = browser.post(
        oidc.issuer + form, data={"login": user_id, "password": PASSWORD}, allow_redirects=False
    )
    assert "Wrong user or password" in refused.text


def test_the_local_sign_in_still_works(client, caritas):
    page = client.get("/accounts/login/")
    assert "Mit dem Caritas-Konto anmelden" in page.content.decode()
    user = make_user("lokal", "caseworker")
    user.set_password("ein langes Passwort 2026")
    user.save()
    assert sign_in(client, "lokal", "ein langes Passwort 2026")
    assert client.get("/cases/").status_code == 200


def test_the_sign_in_pages_of_a_carrier_without_directory_are_404(client, db):
    organisation = make_team("a").organisation
    for path in ("", "callback/"):
        url = f"/accounts/directory/{organisation.code}/{path}"
        assert client.get(url).status_code == 404


def test_a_forged_logout_token_is_refused(client, oidc, caritas):
    url = f"/accounts/directory/{caritas.organisation.code}/backchannel-logout/"
    forged = oidc.sign({"iss": oidc.issuer, "aud": "someone-else", "iat": int(time.time())})
    assert client.post(url, {"logout_token": forged}).status_code == 400
    assert client.post(url, {"logout_token": "not-a-token"}).status_code == 400


def test_the_session_ends_with_the_directorys_session(client, oidc, caritas, admins):
    """Bound to the directory's session lifetime: an hour here. A person who keeps working
    (no idle end) is still signed out when the hour is up, and the access log says why."""
    caritas = directory.provider_save(
        actor=admins[0],
        organisation=caritas.organisation,
        expected_version=caritas.version,
        data={"session_hours": 1},
    )
    user_id = person(oidc, ["beratung"])
    through_directory(client, oidc, caritas, user_id)
    row = DirectorySession.objects.get(identity__user__username=user_id)
    assert row.ends_at is not None
    assert timedelta(minutes=59) < row.ends_at - timezone.now() <= timedelta(hours=1)
    start = timezone.now()
    for minutes in (20, 40, 55):  # working: each request within the idle time
        with time_machine.travel(start + timedelta(minutes=minutes), tick=True):
            assert client.get("/cases/").status_code == 200, minutes
    with time_machine.travel(start + timedelta(minutes=61), tick=True):
        response = client.get("/cases/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert not DirectorySession.objects.filter(pk=row.pk).exists()
        assert client.get("/cases/")["Location"].startswith("/accounts/login/")
    expired = AccessLog.objects.get(action="directory.session_expired")
    assert expired.username == user_id and expired.detail["hours"] == 1


def test_a_shorter_session_the_provider_announces_counts(caritas):
    """Keycloak says how long its session has left (refresh_expires_in): that end comes
    first; a longer one, or none, leaves the provider's hours (10 by default)."""
    now = timezone.now()
    assert directory.session_end(caritas, session_seconds=1800, now=now) == now + timedelta(
        minutes=30
    )
    assert directory.session_end(caritas, session_seconds=None, now=now) == now + timedelta(
        hours=10
    )
    assert directory.session_end(caritas, session_seconds=86400, now=now) == now + timedelta(
        hours=10
    )
