"""Sign-in hardening: lock-out, second factor, session lifetime, headers, deploy checks."""

import importlib.util
import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher, make_password
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import TOTP

from caseworks.middleware import LAST_SEEN, SIGNED_IN_AT
from caseworks.models import (
    RECOVERY_CODE_PURPOSE,
    AuthenticatorDevice,
    RecoveryCode,
    RecoveryCodeDevice,
    code_digest,
)
from caseworks.signin.services import issue_enrolment_code
from tests.helpers import sign_in

PASSWORD = "a long and boring passphrase 2026"
BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def carla(db):
    user = get_user_model().objects.create_user("carla", password=PASSWORD)
    return user


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def totp_now(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():06d}"


# --- lock-out ---------------------------------------------------------------------------------


def test_repeated_failures_lock_out_known_and_unknown_names_alike(client, carla, settings):
    wrong = {"password": "not the password"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": "carla", **wrong})
        assert response.status_code == 200  # the form again, with the usual message
    known = client.post("/accounts/login/", {"username": "carla", **wrong})
    for _ in range(settings.AXES_FAILURE_LIMIT):
        unknown = client.post("/accounts/login/", {"username": "nobody", **wrong})
    assert known.status_code == unknown.status_code == 429
    assert without_csrf(known) == without_csrf(unknown)
    assert b"Too many attempts" in known.content
    # Locked: even the right password no longer signs in, and nothing says it was right.
    right = client.post("/accounts/login/", {"username": "carla", "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


# Behind the documented proxy (nginx, `X-Forwarded-For $proxy_add_x_forwarded_for`), every
# request comes from the proxy's address; the client's is the last entry the proxy added.
PROXY = "127.0.0.1"
ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.23"


def _axes_settings_behind_proxy(monkeypatch) -> dict:
    """The AXES_* settings that caseworks/settings.py produces with BEHIND_TLS_PROXY=True
    (the module is read afresh; the running settings stay as they are)."""
    monkeypatch.setenv("BEHIND_TLS_PROXY", "True")
    spec = importlib.util.spec_from_file_location(
        "settings_behind_proxy", BASE_DIR / "caseworks" / "settings.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: getattr(module, name) for name in dir(module) if name.startswith("AXES_")}


@pytest.fixture
def behind_proxy(monkeypatch, settings):
    from axes.handlers.proxy import AxesProxyHandler

    for name, value in _axes_settings_behind_proxy(monkeypatch).items():
        setattr(settings, name, value)
    AxesProxyHandler.get_implementation(force=True)
    yield
    AxesProxyHandler.get_implementation(force=True)


WRONG = "not the password"


def attempt(client, address, username="carla", password=WRONG, forwarded=None):
    """A sign-in through the proxy from `address` (what the proxy appends to the header)."""
    chain = f"{forwarded}, {address}" if forwarded else address
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=chain,
    )


def test_behind_the_proxy_a_lock_out_is_per_client_address(client, carla, settings, behind_proxy):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(client, ATTACKER)
    assert response.status_code == 429
    # Carla, from her office, is not locked out by a stranger's guesses.
    response = attempt(client, OFFICE, password=PASSWORD)
    assert response.status_code == 302
    client.post("/accounts/logout/")
    # The stranger cannot pose as the office: a forwarded chain they send themselves is
    # ignored up to the entry our proxy added.
    assert attempt(client, ATTACKER, password=PASSWORD, forwarded=OFFICE).status_code == 429


def test_without_a_proxy_the_forwarded_header_is_ignored(client, carla, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(client, f"192.0.2.{number}")
    assert response.status_code == 429


@pytest.fixture
def clock(monkeypatch):
    """The sign-in throttle's clock, moved by hand (nobody sleeps)."""

    class Clock:
        at = timezone.now()

        def __call__(self):
            return self.at

        def advance(self, seconds):
            self.at += timedelta(seconds=seconds)

    clock = Clock()
    monkeypatch.setattr("caseworks.signin.services.now", clock, raising=False)
    return clock


def test_many_addresses_guessing_one_account_are_slowed_down(
    client, carla, settings, behind_proxy, clock
):
    # Carla signed in from her office before.
    assert attempt(client, OFFICE, password=PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    # 40 addresses, each staying below its own lock-out: the passwords checked are few.
    checked = refused = 0
    for number in range(40):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            response = attempt(client, f"192.0.2.{number}")
            if response.status_code == 200:
                checked += 1
            else:
                assert response.status_code == 429
                refused += 1
    assert checked <= 10 and refused == 40 * (settings.AXES_FAILURE_LIMIT - 1) - checked
    throttled = attempt(client, "192.0.2.200")
    assert throttled.status_code == 429 and throttled["Retry-After"] == "1"
    assert b"try again in" in throttled.content
    # The right password from a new address is refused too, and nothing says it was right.
    right = attempt(client, "192.0.2.201", password=PASSWORD)
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    assert without_csrf(right) == without_csrf(throttled)

    # The wait grows with every further failure: 1 s, 2 s, 4 s ...
    clock.advance(1)
    assert attempt(client, "192.0.2.202").status_code == 200
    assert attempt(client, "192.0.2.203")["Retry-After"] == "2"
    clock.advance(1)
    assert attempt(client, "192.0.2.204").status_code == 429
    clock.advance(1)
    assert attempt(client, "192.0.2.205").status_code == 200
    assert attempt(client, "192.0.2.206")["Retry-After"] == "4"
    # ... up to a cap, never a hard lock.
    for number in range(30):
        clock.advance(int(attempt(client, "192.0.2.207")["Retry-After"]))
        assert attempt(client, f"10.0.{number}.1").status_code == 200
    assert int(attempt(client, "192.0.2.208")["Retry-After"]) <= 15 * 60

    # Colleagues are not locked out by strangers: from an address Carla signed in from
    # before, the password is checked as usual.
    assert attempt(client, OFFICE, password=PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    # An administrator can lift it early, as the lock-out.
    call_command("axes_reset_username", "carla")
    assert attempt(client, "192.0.2.209", password=PASSWORD).status_code == 302


def test_the_account_throttle_says_the_same_for_known_and_unknown_names(
    client, carla, settings, behind_proxy, clock
):
    answers = {}
    for username in ("carla", "nobody"):
        for number in range(40):
            response = attempt(client, f"192.0.2.{number}", username=username)
        answers[username] = response
    assert answers["carla"].status_code == answers["nobody"].status_code == 429
    assert answers["carla"]["Retry-After"] == answers["nobody"]["Retry-After"]
    assert without_csrf(answers["carla"]) == without_csrf(answers["nobody"])


def test_the_account_throttle_forgets_after_a_quiet_day(
    client, carla, settings, behind_proxy, clock
):
    for number in range(40):
        attempt(client, f"192.0.2.{number}")
    assert attempt(client, "192.0.2.100").status_code == 429
    clock.advance(24 * 3600 + 1)
    assert attempt(client, "192.0.2.101", password=PASSWORD).status_code == 302


def test_a_failed_login_says_the_same_for_known_and_unknown_names(client, carla):
    known = client.post("/accounts/login/", {"username": "carla", "password": "x"})
    unknown = client.post("/accounts/login/", {"username": "nobody", "password": "x"})
    assert known.status_code == unknown.status_code == 200
    text = "The user name or the password was wrong."
    assert text in known.content.decode() and text in unknown.content.decode()


def test_a_successful_login_rotates_the_session_key(client, carla):
    client.get("/accounts/login/")
    client.session["probe"] = 1
    before = client.session.session_key
    assert sign_in(client, "carla", PASSWORD)
    assert client.session.session_key != before


# --- second factor ----------------------------------------------------------------------------


@pytest.fixture
def require_2fa(settings):
    settings.CASEWORKS_REQUIRE_2FA = True


def test_the_second_factor_is_set_up_then_required(client, carla, require_2fa):
    assert sign_in(client, "carla", PASSWORD)
    # A password alone opens nothing.
    response = client.get("/cases/")
    assert response.status_code == 302 and response.url.startswith("/accounts/code/?next=")
    assert client.get("/admin/").status_code == 302
    # No authenticator yet: set one up, with the enrolment code an administrator issued.
    response = client.get("/accounts/code/")
    assert response.status_code == 302 and response.url.startswith("/accounts/code/setup/")
    page = client.get("/accounts/code/setup/")
    assert page.status_code == 200 and b"<svg" not in page.content
    page = client.post("/accounts/code/setup/", {"enrolment_code": issue_enrolment_code(carla)})
    assert page.status_code == 200 and b"<svg" in page.content
    device = AuthenticatorDevice.objects.get(user=carla, confirmed=False)
    wrong = client.post(
        "/accounts/code/setup/",
        {"otp_token": "000000" if totp_now(device) != "000000" else "111111"},
    )
    assert wrong.status_code == 200 and b"does not match" in wrong.content
    # django-otp throttles after a failure (1 s, doubling); the test does not wait.
    AuthenticatorDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    done = client.post("/accounts/code/setup/", {"otp_token": totp_now(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10 == RecoveryCode.objects.filter(device__user=carla).count()
    assert client.get("/accounts/security/").status_code == 200


def test_a_code_is_accepted_once_and_recovery_codes_once(client, carla, require_2fa):
    device = AuthenticatorDevice.objects.create(user=carla, name="authenticator", confirmed=True)
    static = RecoveryCodeDevice.objects.create(user=carla, name="recovery", confirmed=True)
    RecoveryCode.objects.create(
        device=static, digest=code_digest("recover1", purpose=RECOVERY_CODE_PURPOSE)
    )
    code = totp_now(device)

    assert sign_in(client, "carla", PASSWORD)
    response = client.post("/accounts/code/", {"otp_token": code, "next": "/accounts/security/"})
    assert response.status_code == 302 and response.url == "/accounts/security/"
    assert client.get("/accounts/security/").status_code == 200

    # The same code in a second session (a replayed code) is refused.
    client.post("/accounts/logout/")
    assert sign_in(client, "carla", PASSWORD)
    again = client.post("/accounts/code/", {"otp_token": code})
    assert again.status_code == 200 and b"not valid" in again.content
    assert client.get("/accounts/security/").status_code == 302

    # A recovery code works (after the throttle delay the failure imposed) and only once.
    for model in (AuthenticatorDevice, RecoveryCodeDevice):
        model.objects.filter(user=carla).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )
    response = client.post("/accounts/code/", {"otp_token": "recover1"})
    assert response.status_code == 302
    client.post("/accounts/logout/")
    assert sign_in(client, "carla", PASSWORD)
    reused = client.post("/accounts/code/", {"otp_token": "recover1"})
    assert reused.status_code == 200 and b"not valid" in reused.content


def test_a_verified_user_cannot_swap_in_a_new_device_without_the_old(client, carla, require_2fa):
    AuthenticatorDevice.objects.create(user=carla, name="authenticator", confirmed=True)
    assert sign_in(client, "carla", PASSWORD)
    response = client.get("/accounts/code/setup/")
    assert response.status_code == 302 and response.url == "/accounts/code/"


def printed_settings(names: str, env: dict[str, str]) -> list[str]:
    """The settings a fresh interpreter prints (`names`: comma-separated expressions on `s`),
    in an instance folder of its own: no two processes of a run share var/."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from django.conf import settings as s; import django; django.setup(); print({names})",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.split()


@pytest.mark.slow  # a subprocess: a fresh interpreter with other settings
@pytest.mark.no_database
def test_demo_mode_and_production_defaults(tmp_path):
    env = {**os.environ, "DEBUG": "False", "CASEWORKS_VAR_DIR": str(tmp_path)}
    env.pop("CASEWORKS_REQUIRE_2FA", None)
    out = printed_settings("s.CASEWORKS_REQUIRE_2FA, s.PASSWORD_HASHERS[0]", env)
    assert out == ["True", "django.contrib.auth.hashers.Argon2PasswordHasher"]
    env["DEBUG"] = "True"
    assert printed_settings("s.CASEWORKS_REQUIRE_2FA", env) == ["False"]


@pytest.mark.real_hashers
def test_passwords_are_hashed_with_argon2(db):
    assert identify_hasher(make_password("x" * 20)).algorithm == "argon2"


def test_weak_passwords_are_refused(client, carla):
    carla_client = client
    carla_client.force_login(carla)
    response = carla_client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "passwort", "new_password2": "passwort"},
    )
    assert response.status_code == 200
    assert b"too short" in response.content and b"too common" in response.content


# --- sessions ---------------------------------------------------------------------------------


def _age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"signed_in": SIGNED_IN_AT, "last_seen": LAST_SEEN}[key]] = now - ago
    session.save()


def test_a_session_ends_after_thirty_idle_minutes(client, carla):
    client.force_login(carla)
    _age_session(client, last_seen=29 * 60)
    assert client.get("/accounts/security/").status_code == 200
    key = client.session.session_key
    _age_session(client, last_seen=31 * 60)
    response = client.get("/accounts/security/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_ends_after_its_absolute_lifetime_however_busy(client, carla):
    client.force_login(carla)
    _age_session(client, signed_in=10 * 3600 - 60, last_seen=1)
    assert client.get("/accounts/security/").status_code == 200
    _age_session(client, signed_in=10 * 3600 + 60, last_seen=1)
    assert client.get("/accounts/security/").status_code == 302


def test_logout_ends_the_session_on_the_server(client, carla, settings):
    client.force_login(carla)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=cookie).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie  # a copied cookie is worthless now
    assert client.get("/accounts/security/").status_code == 302


def test_a_password_change_ends_the_other_sessions(client, carla):
    from django.test import Client

    laptop = Client()
    laptop.force_login(carla)
    client.force_login(carla)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another boring passphrase 77",
            "new_password2": "another boring passphrase 77",
        },
    )
    assert response.status_code == 302
    assert client.get("/accounts/security/").status_code == 200  # this one stays
    assert laptop.get("/accounts/security/").status_code == 302


def test_deactivating_a_user_ends_their_sessions(client, carla):
    client.force_login(carla)
    assert client.get("/accounts/security/").status_code == 200
    carla.is_active = False
    carla.save()
    assert client.get("/accounts/security/").status_code == 302


# --- headers and deploy checks ----------------------------------------------------------------


def test_pages_carry_csp_and_no_store(client, carla):
    for signed_in in (False, True):
        if signed_in:
            client.force_login(carla)
        response = client.get("/accounts/login/" if not signed_in else "/accounts/security/")
        csp = response["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "same-origin"


@override_settings(SESSION_COOKIE_SECURE=True)
@pytest.mark.slow  # a subprocess: a fresh interpreter with other settings
@pytest.mark.no_database
def test_production_cookies_are_host_only(tmp_path):
    env = {**os.environ, "DEBUG": "False", "CASEWORKS_VAR_DIR": str(tmp_path)}
    out = printed_settings(
        "s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE", env
    )
    assert out == ["__Host-session", "__Host-csrftoken", "True"]


@pytest.mark.slow  # a subprocess: a fresh interpreter with other settings
@pytest.mark.no_database
def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "False",
        "SECURE_SSL_REDIRECT": "True",
        "ALLOWED_HOSTS": "caseworks.example.org",
        "CASEWORKS_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "k" + "Zq8#Lw2!pR5vN0@xT7&mB4^cY1*fH6(dJ3)sG9-aE" * 2,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
    )
    assert result.returncode == 0, result.stdout + result.stderr
