"""Mail goes through the house's own server, configured from the environment alone: host,
port, login (the password also as a file), TLS and a timeout. Before, only EMAIL_BACKEND and
DEFAULT_FROM_EMAIL were read, so production mail could only reach localhost:25."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.community.smtp_sink import Sink, free_port

BASE_DIR = Path(__file__).resolve().parents[2]
SEND = (
    "import django; django.setup(); from django.conf import settings as s; "
    "from django.core.mail import send_mail; "
    "print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS, s.EMAIL_TIMEOUT); "
    "send_mail('Erinnerung 2026-0001', 'Termin morgen', None, ['team@example.org'])"
)


def run(env_extra, code=SEND):
    env = {**os.environ, **env_extra}
    env.pop("EMAIL_BACKEND", None)  # the SMTP backend, as in production
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
        timeout=60,
    )


@pytest.mark.slow  # a subprocess: settings are read once, at start-up
@pytest.mark.no_database
def test_mail_goes_through_the_configured_server_with_its_login(tmp_path):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login,
            auth_data.password,
        ) == (b"caseworks", b"s3cret from a file")
        logins.append(ok)
        return AuthResult(success=ok)

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = Sink()
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,  # a local test server without a certificate
    )
    controller.start()
    try:
        secret = tmp_path / "mail_password"
        secret.write_text("s3cret from a file\n")
        result = run(
            {
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(controller.port),
                "EMAIL_HOST_USER": "caseworks",
                "EMAIL_HOST_PASSWORD_FILE": str(secret),
                "EMAIL_TIMEOUT": "7",
                "DEFAULT_FROM_EMAIL": "haus@example.org",
            }
        )
    finally:
        controller.stop()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["127.0.0.1", str(controller.port), "caseworks", "False", "7"]
    assert logins == [True]
    assert [m["Subject"] for m in sink.messages] == ["Erinnerung 2026-0001"]
    assert sink.messages[0]["From"] == "haus@example.org"


@pytest.mark.slow
@pytest.mark.no_database
def test_starttls_and_implicit_tls_together_are_refused():
    result = run(
        {"EMAIL_USE_TLS": "True", "EMAIL_USE_SSL": "True"},
        code="import django; django.setup()",
    )
    assert result.returncode != 0
    assert "Set EMAIL_USE_TLS (STARTTLS) or EMAIL_USE_SSL, not both" in result.stderr
