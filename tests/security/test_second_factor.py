"""The second factor at rest and in the admin, and its first enrolment.

- TOTP seeds are stored encrypted with the field keys, recovery codes and enrolment codes as
  keyed hashes: none of them is in any table, nor on any admin page.
- A password alone does not enrol a second factor: the first enrolment needs a one-time
  enrolment code issued by an administrator (valid 72 hours).
"""

import contextlib
import importlib
import pkgutil
import re
import time
from base64 import b32decode
from datetime import timedelta
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_otp import devices_for_user, user_has_device
from django_otp.oath import TOTP

import caseworks.migrations
from caseworks.crypto import keys
from caseworks.models import EnrolmentCode
from tests.helpers import sign_in

PASSWORD = "a long and boring passphrase 2026"
ENROLMENT_CODE = re.compile(r"\b[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}\b")


@pytest.fixture
def carla(db):
    return get_user_model().objects.create_user("carla", password=PASSWORD)


@pytest.fixture
def require_2fa(settings):
    settings.CASEWORKS_REQUIRE_2FA = True


def all_rows_as_text() -> str:
    text = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            text.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(text)


def secret_from(page) -> str:
    match = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page.content.decode())
    assert match, "no key on the page"
    return match.group(1).replace(" ", "")


def code_for(secret: str, offset: int = 0) -> str:
    totp = TOTP(b32decode(secret), 30, 0, 6, 0)
    totp.time = time.time() + offset * 30
    return f"{totp.token():06d}"


def recovery_codes_from(page) -> list[str]:
    codes = re.findall(r"<li><code>([^<]+)</code></li>", page.content.decode())
    assert len(codes) == 10
    return codes


def set_up_authenticator(client) -> tuple[str, list[str]]:
    """Through the set-up page (the user is signed in and may enrol): key and recovery codes."""
    page = client.get("/accounts/code/setup/")
    assert b"<svg" in page.content
    secret = secret_from(page)
    done = client.post("/accounts/code/setup/", {"otp_token": code_for(secret)})
    return secret, recovery_codes_from(done)


def secrets_of(secret: str, codes: list[str]) -> list[str]:
    hex_key = b32decode(secret).hex()
    return [secret, hex_key, hex_key.upper(), *codes, *(c.upper() for c in codes)]


def issue(username: str) -> str:
    out = StringIO()
    # Each of these accounts has a password: the command wants --reset (a lost phone).
    call_command("issue_enrolment_code", username, "--reset", stdout=out)
    match = ENROLMENT_CODE.search(out.getvalue())
    assert match, "the command does not show the code"
    return match.group(0)


# --- at rest and in the admin -----------------------------------------------------------------


def test_seeds_and_recovery_codes_are_not_stored_in_plaintext(client, carla):
    client.force_login(carla)
    secret, codes = set_up_authenticator(client)
    renewed = recovery_codes_from(client.post("/accounts/security/"))
    dump = all_rows_as_text()
    for value in secrets_of(secret, codes + renewed):
        assert value not in dump
    # They work all the same: a fresh session verifies with the app's code ...
    laptop = Client()
    laptop.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert sign_in(laptop, "carla", PASSWORD)
    response = laptop.post("/accounts/code/", {"otp_token": code_for(secret, offset=1)})
    assert response.status_code == 302
    # ... and with a renewed recovery code, while the replaced ones no longer work.
    for model in {type(d) for d in devices_for_user(carla)}:
        model.objects.filter(user=carla).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )
    phone_lost = Client()
    assert sign_in(phone_lost, "carla", PASSWORD)
    assert phone_lost.post("/accounts/code/", {"otp_token": codes[0]}).status_code == 200
    for model in {type(d) for d in devices_for_user(carla)}:
        model.objects.filter(user=carla).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )
    assert phone_lost.post("/accounts/code/", {"otp_token": renewed[0]}).status_code == 302


def admin_pages():
    """The admin's index, every changelist, and the add and change pages of its objects."""
    yield reverse("admin:index")
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        yield reverse("admin:{}_{}_changelist".format(*info))
        for pk in model_admin.get_queryset(None).values_list("pk", flat=True)[:20]:
            yield reverse("admin:{}_{}_change".format(*info), args=[pk])
            with contextlib.suppress(NoReverseMatch):
                yield reverse("admin:{}_{}_history".format(*info), args=[pk])


def test_no_admin_page_shows_a_seed_or_recovery_code(client, carla, root):
    client.force_login(carla)
    secret, codes = set_up_authenticator(client)
    client.force_login(root)
    seen = 0
    for url in admin_pages():
        response = client.get(url)
        assert response.status_code in (200, 403), url
        page = response.content.decode()
        for value in secrets_of(secret, codes):
            assert value not in page, url
        seen += 1
    assert seen > 10


def test_the_admin_lists_devices_and_deletes_them_for_a_lost_phone(client, carla, root):
    client.force_login(carla)
    set_up_authenticator(client)
    devices = list(devices_for_user(carla, confirmed=None))
    assert len(devices) == 2  # the app and the recovery codes
    client.force_login(root)
    for device in devices:
        info = device._meta.app_label, device._meta.model_name
        listing = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert listing.status_code == 200 and "carla" in listing.content.decode()
        # Nothing to add or edit by hand: a device is set up by its user.
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 403
        change = reverse("admin:{}_{}_change".format(*info), args=[device.pk])
        assert client.post(change, {"name": "mine", "confirmed": "on"}).status_code == 403
        delete = reverse("admin:{}_{}_delete".format(*info), args=[device.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not user_has_device(carla)


# --- existing devices (before the encryption) -------------------------------------------------

LEGACY_TABLES = {
    "otp_totp_totpdevice": (
        "id integer PRIMARY KEY, user_id integer NOT NULL, name varchar(64) NOT NULL, "
        "confirmed boolean NOT NULL, {key} varchar(80) NOT NULL, step integer NOT NULL, "
        "t0 bigint NOT NULL, digits integer NOT NULL, tolerance integer NOT NULL, "
        "drift integer NOT NULL, last_t bigint NOT NULL"
    ),
    "otp_static_staticdevice": (
        "id integer PRIMARY KEY, user_id integer NOT NULL, name varchar(64) NOT NULL, "
        "confirmed boolean NOT NULL"
    ),
    "otp_static_statictoken": (
        "id integer PRIMARY KEY, device_id integer NOT NULL, token varchar(16) NOT NULL"
    ),
}


def legacy_migration():
    """The caseworks migration that moves django-otp's plaintext devices (found by its
    function, so that renumbering the migration does not break this test)."""
    for info in pkgutil.iter_modules(caseworks.migrations.__path__):
        module = importlib.import_module(f"caseworks.migrations.{info.name}")
        if hasattr(module, "move_legacy_devices"):
            return module
    raise AssertionError("no migration moves the legacy devices")


def test_existing_devices_keep_working_after_the_migration(client, carla, require_2fa):
    migration = legacy_migration()
    q = connection.ops.quote_name
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    hex_key = b32decode(secret).hex()
    existing = connection.introspection.table_names()
    with connection.cursor() as cursor:
        for table, columns in LEGACY_TABLES.items():
            if table not in existing:  # django-otp's apps are no longer installed
                cursor.execute(f"CREATE TABLE {q(table)} ({columns.format(key=q('key'))})")
        insert = (
            "INSERT INTO otp_totp_totpdevice (id, user_id, name, confirmed, {key}, step, t0, "
            "digits, tolerance, drift, last_t) VALUES (%s, %s, %s, %s, %s, 30, 0, 6, 1, 0, -1)"
        )
        cursor.execute(
            insert.format(key=q("key")),
            [901, carla.pk, "authenticator", True, hex_key],
        )
        cursor.execute(
            "INSERT INTO otp_static_staticdevice (id, user_id, name, confirmed) "
            "VALUES (%s, %s, %s, %s)",
            [902, carla.pk, "recovery", True],
        )
        cursor.execute(
            "INSERT INTO otp_static_statictoken (id, device_id, token) VALUES (%s, %s, %s)",
            [903, 902, "legacy12"],
        )

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.move_legacy_devices(apps, editor)

    dump = all_rows_as_text()
    for value in (hex_key, hex_key.upper(), secret, "legacy12"):
        assert value not in dump
    # The app's codes and the recovery code still work (the code once).
    assert sign_in(client, "carla", PASSWORD)
    assert client.post("/accounts/code/", {"otp_token": code_for(secret)}).status_code == 302
    client.post("/accounts/logout/")
    assert sign_in(client, "carla", PASSWORD)
    assert client.post("/accounts/code/", {"otp_token": "legacy12"}).status_code == 302
    client.post("/accounts/logout/")
    assert sign_in(client, "carla", PASSWORD)
    for model in {type(d) for d in devices_for_user(carla)}:
        model.objects.filter(user=carla).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )
    assert client.post("/accounts/code/", {"otp_token": "legacy12"}).status_code == 200


# --- the first enrolment needs an enrolment code ----------------------------------------------


def test_a_password_alone_does_not_enrol_a_second_factor(client, carla, require_2fa):
    assert sign_in(client, "carla", PASSWORD)
    page = client.get("/accounts/code/setup/")
    assert page.status_code == 200
    assert b"<svg" not in page.content and b'class="secret"' not in page.content
    assert b"enrolment code" in page.content
    # Nothing to confirm, whatever is sent.
    client.post("/accounts/code/setup/", {"otp_token": "123456"})
    client.post("/accounts/code/setup/", {"enrolment_code": "AAAA-BBBB-CCCC-DDDD"})
    assert not list(devices_for_user(carla, confirmed=None))
    assert client.get("/accounts/security/").status_code == 302


def reset_enrolment_throttle():
    EnrolmentCode.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)


def test_an_enrolment_code_opens_the_set_up_once(client, carla, require_2fa):
    code = issue("carla")
    dump = all_rows_as_text()
    assert code not in dump and code.replace("-", "") not in dump
    assert sign_in(client, "carla", PASSWORD)
    wrong = client.post("/accounts/code/setup/", {"enrolment_code": "AAAA-BBBB-CCCC-DDDD"})
    assert wrong.status_code == 200 and b"<svg" not in wrong.content
    assert b"not valid" in wrong.content
    reset_enrolment_throttle()
    # Typed as people type it: lower case, spaces instead of dashes.
    page = client.post("/accounts/code/setup/", {"enrolment_code": code.lower().replace("-", " ")})
    assert page.status_code == 200 and b"<svg" in page.content
    # A reload keeps the step (the code was accepted in this session).
    page = client.get("/accounts/code/setup/")
    secret = secret_from(page)
    done = client.post("/accounts/code/setup/", {"otp_token": code_for(secret)})
    recovery_codes_from(done)
    assert client.get("/accounts/security/").status_code == 200

    # The administrator resets the second factor (lost phone): the old code is spent.
    for device in devices_for_user(carla, confirmed=None):
        device.delete()
    client.post("/accounts/logout/")
    assert sign_in(client, "carla", PASSWORD)
    again = client.post("/accounts/code/setup/", {"enrolment_code": code})
    assert b"<svg" not in again.content and b"not valid" in again.content
    reset_enrolment_throttle()
    page = client.post("/accounts/code/setup/", {"enrolment_code": issue("carla")})
    assert b"<svg" in page.content


def test_an_enrolment_code_is_for_its_user_only(client, carla, require_2fa):
    get_user_model().objects.create_user("mallory", password=PASSWORD)
    code = issue("carla")
    assert sign_in(client, "mallory", PASSWORD)
    page = client.post("/accounts/code/setup/", {"enrolment_code": code})
    assert b"<svg" not in page.content and b"not valid" in page.content


def test_an_enrolment_code_expires_after_72_hours(client, carla, require_2fa, monkeypatch):
    code = issue("carla")
    later = timezone.now() + timedelta(hours=72, minutes=1)
    monkeypatch.setattr("caseworks.signin.services.now", lambda: later, raising=False)
    assert sign_in(client, "carla", PASSWORD)
    page = client.post("/accounts/code/setup/", {"enrolment_code": code})
    assert b"<svg" not in page.content and b"not valid" in page.content


def test_a_new_enrolment_code_replaces_the_previous_one(client, carla, require_2fa):
    first = issue("carla")
    second = issue("carla")
    assert sign_in(client, "carla", PASSWORD)
    assert b"<svg" not in client.post("/accounts/code/setup/", {"enrolment_code": first}).content
    reset_enrolment_throttle()
    assert b"<svg" in client.post("/accounts/code/setup/", {"enrolment_code": second}).content


def test_the_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user"):
        call_command("issue_enrolment_code", "nobody", stdout=StringIO())


def test_the_admin_shows_no_enrolment_codes(client, carla, root):
    """Issue 31: a code on a superuser's screen would let them enrol a second factor for
    someone else. /manage/ mails codes to the person; the Django admin has no such action."""
    client.force_login(root)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "issue_enrolment_code", "_selected_action": [carla.pk]},
    )
    assert not ENROLMENT_CODE.search(response.content.decode())
    assert not EnrolmentCode.objects.filter(user=carla).exists()


def test_demo_mode_enrols_without_an_enrolment_code(client, carla):
    client.force_login(carla)
    page = client.get("/accounts/code/setup/")
    assert page.status_code == 200 and b"<svg" in page.content


def test_the_seed_is_rotated_with_the_field_keys(client, carla, settings):
    client.force_login(carla)
    secret, _codes = set_up_authenticator(client)
    old_key = settings.CASEWORKS_FIELD_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.CASEWORKS_FIELD_KEYS = [new_key, old_key]
    assert keys.pending() > 0
    keys.rotate()
    assert keys.pending() == 0
    settings.CASEWORKS_FIELD_KEYS = [new_key]  # the old key gone: the app still works
    laptop = Client()
    assert sign_in(laptop, "carla", PASSWORD)
    assert laptop.post("/accounts/code/", {"otp_token": code_for(secret, 1)}).status_code == 302
