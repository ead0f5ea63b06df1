"""The real OpenID provider for the tests (tests/oidc/provider.mjs: panva's oidc-provider, OpenID
Certified, pinned in package-lock.json), started once a test session on a free port.

`npm ci` installs it into var/oidc-provider/<hash of the lock file>/ the first time (the npm
registry must be reachable then); later runs start it from there. Without Node.js 20.19+ and
npm the tests fail with what to install: they never fall back to a mock.
"""

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
import time_machine

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NEEDS_NODE = (
    "The directory sign-in tests start a real OpenID provider (npm: oidc-provider) and need "
    "Node.js 20.19 or newer with npm. On Debian/Ubuntu: apt-get install nodejs npm "
    "(or from https://nodejs.org/)."
)
PACKAGE = ("package.json", "package-lock.json")


def _installed() -> Path:
    """The provider's directory with node_modules, installed once (a lock for xdist workers)."""
    digest = hashlib.sha256(b"".join((HERE / f).read_bytes() for f in PACKAGE)).hexdigest()[:16]
    cache = Path(os.environ.get("CASEWORKS_OIDC_CACHE", ROOT / "var" / "oidc-provider"))
    target = cache / digest
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "node_modules" / "oidc-provider").is_dir():
            target.mkdir(exist_ok=True)
            for name in PACKAGE:
                shutil.copy(HERE / name, target / name)
            done = subprocess.run(
                [str(shutil.which("npm")), "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=target,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if done.returncode != 0:
                pytest.fail(f"npm ci for the test OpenID provider failed:\n{done.stderr[-2000:]}")
        # The script itself is read from here each time: editing it needs no new install.
        shutil.copy(HERE / "provider.mjs", target / "provider.mjs")
    return target


@dataclass
class Provider:
    """The running provider: its issuer and the test endpoints of provider.mjs."""

    issuer: str

    def add_user(
        self,
        user_id: str,
        *,
        groups: list[str],
        password: str = "directory password",  # noqa: S107  # the test directory's
        name: str = "Greta Test",
        email: str | None = None,
        amr: list[str] | None = None,
    ) -> None:
        body = {
            "id": user_id,
            "password": password,
            "name": name,
            "email": email or f"{user_id}@caritas.example",
            "groups": groups,
        }
        if amr is not None:
            body["amr"] = amr
        requests.post(f"{self.issuer}/_test/users", json=body, timeout=10).raise_for_status()

    def disable(self, user_id: str) -> None:
        requests.post(f"{self.issuer}/_test/users/{user_id}/disable", timeout=10).raise_for_status()

    def sign(self, claims: dict) -> str:
        """A JWT signed with the provider's own key (claims the provider would never issue)."""
        answer = requests.post(f"{self.issuer}/_test/sign", json=claims, timeout=10)
        answer.raise_for_status()
        return str(answer.json()["token"])

    def register(self, *, redirect_uri: str, backchannel_logout_uri: str) -> tuple[str, str]:
        """A new client (OpenID Connect Dynamic Client Registration): its id and secret."""
        answer = requests.post(
            f"{self.issuer}/reg",
            json={
                "redirect_uris": [redirect_uri],
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "backchannel_logout_uri": backchannel_logout_uri,
                "backchannel_logout_session_required": True,
            },
            timeout=10,
        )
        answer.raise_for_status()
        client = answer.json()
        return client["client_id"], client["client_secret"]

    def log_in(self, session: requests.Session, url: str, user_id: str, password: str) -> str:
        """Walk the provider's pages from the authorization URL with `session` (its cookies:
        the provider's session), signing in as `user_id`; the address it sends the browser
        back to (Caseworks' callback), not followed."""
        for _step in range(12):
            if not url.startswith(self.issuer):
                return url
            answer = session.get(url, allow_redirects=False, timeout=10)
            if answer.status_code == 200 and 'name="login"' in answer.text:
                action = answer.text.split('action="', 1)[1].split('"', 1)[0]
                answer = session.post(
                    urljoin(self.issuer, action),
                    data={"login": user_id, "password": password},
                    allow_redirects=False,
                    timeout=10,
                )
            if answer.status_code not in (302, 303):
                raise AssertionError(f"provider answered {answer.status_code}: {answer.text[:300]}")
            url = urljoin(url, answer.headers["location"])
        raise AssertionError("too many redirects at the provider")

    def end_session(self, session: requests.Session) -> None:
        """RP-independent logout at the provider (its own page and confirmation): the provider
        then sends each client a back-channel logout token."""
        page = session.get(f"{self.issuer}/session/end", timeout=10)
        page.raise_for_status()
        xsrf = page.text.split('name="xsrf" value="', 1)[1].split('"', 1)[0]
        done = session.post(
            f"{self.issuer}/session/end/confirm",
            data={"xsrf": xsrf, "logout": "yes"},
            allow_redirects=False,
            timeout=30,
        )
        assert done.status_code in (200, 302, 303), done.text[:300]


def _copy(stream, path: Path) -> None:
    with open(path, "a") as log:
        for line in stream:
            log.write(line)
            log.flush()


def start_provider() -> Iterator[Provider]:
    """Start the provider (the body of the session fixtures)."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.fail(NEEDS_NODE)
    target = _installed()
    # The tests may run on a moved clock (tests/clock.py): the provider's moves with them.
    hatch = time_machine.escape_hatch
    offset_ms = int((time.time() - hatch.time.time()) * 1000) if hatch.is_travelling() else 0
    process = subprocess.Popen(
        [str(shutil.which("node")), str(target / "provider.mjs")],
        cwd=target,
        env={**os.environ, "PORT": "0", "CLOCK_OFFSET_MS": str(offset_ms)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        port = None
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("listening "):
                port = int(line.split()[1])
                break
        if port is None:
            pytest.fail(f"The test OpenID provider did not start (exit {process.wait()})")
        # Its output (warnings, back-channel errors) to a log, never blocking on a full pipe.
        log = target / "provider.log"
        threading.Thread(target=_copy, args=(process.stdout, log), daemon=True).start()
        yield Provider(issuer=f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)


def callback_path(url: str) -> str:
    """The callback address without scheme and host, for Django's test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def token_response(tamper) -> "object":
    """A wrapper for requests.Session.send that hands the token endpoint's JSON answer to
    `tamper(dict) -> dict` before Caseworks reads it: what the real provider sent, altered on
    the way (a man in the middle), never Caseworks' own code replaced."""
    original = requests.Session.send

    def send(self, request, **kwargs):
        response = original(self, request, **kwargs)
        if request.url.endswith("/token") and response.status_code == 200:
            body = tamper(json.loads(response.content))
            response._content = json.dumps(body).encode()
        return response

    return send
