"""Only the HTTP methods a view uses: every routed URL answers PUT, DELETE, PATCH and TRACE
with 405 — for a signed-in user who may open it, so that the answer is the method's, not the
gate's (no 302 to the login, no 404 for a missing role)."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from caseworks.access.permissions import page_required, public, role_required, signed_in
from caseworks.access.roles import Role
from tests.helpers import make_user
from tests.security.test_authorization import EXPECTED, USERS
from tests.security.world import fill, walk_urls

UNUSED = ["PUT", "DELETE", "PATCH", "TRACE"]
# Pages no user may open on the world's objects (the case is open, sam's PDF not built yet):
# who could.
# Pages no one in the shared world opens (404 for all: a closed case's reopening, a ready
# disclosure, a carrier's directory sign-in that is not set up): methods are refused first.
WHO_COULD = {
    "cases:reopen": "sam",
    "disclosure_download": "sam",
    "directory_start": "alice",
    "directory_callback": "alice",
    "sms_webhook": "alice",  # public; the world does not know the secret
    "manage:language_resolve": "adam",  # 404 without ?text=, the administrator's page
}


def who_may_open(name: str) -> str:
    """The first signed-in user the page answers 200 (or, for a page that only redirects or
    only takes POST, anything but 404) on team A's objects."""
    if name in WHO_COULD:
        return WHO_COULD[name]
    statuses = EXPECTED[name]
    statuses = statuses[0] if isinstance(statuses, tuple) else statuses
    signed_in_users = list(zip(USERS, statuses, strict=True))[1:]
    for wanted in (lambda s: s == 200, lambda s: s != 404):
        for username, status in signed_in_users:
            if wanted(status):
                return username
    raise AssertionError(f"nobody may open {name}: add it to WHO_COULD")


def test_every_url_refuses_the_methods_it_does_not_use(client, world):
    users, a, _b = world
    wrong = []
    for pattern, name in walk_urls():
        url = fill(name, pattern, a.params)
        client.force_login(users[who_may_open(name)])
        for method in UNUSED:
            response = client.generic(method, url)
            if response.status_code != 405:
                wrong.append(f"{method} {name}: {response.status_code}")
            elif method in response.get("Allow", ""):
                wrong.append(f"{method} {name}: allowed in {response['Allow']}")
    assert not wrong, "\n".join(wrong)


def test_the_pages_still_answer_get_head_and_post(client, world):
    users, a, _b = world
    client.force_login(users["alice"])
    url = f"/cases/{a.params['code']}/edit/"
    assert client.get(url).status_code == 200
    assert client.head(url).status_code == 200
    assert client.post(url, {}).status_code == 200  # the form again, with its errors


@pytest.fixture
def rf():
    return RequestFactory()


def ok(request):
    return HttpResponse("ok")


@pytest.mark.parametrize(
    "gate",
    [
        role_required(Role.CASEWORKER),
        page_required("cases:list"),
        signed_in,
        signed_in(),
        public,
        public(),
    ],
    ids=["role_required", "page_required", "signed_in", "signed_in()", "public", "public()"],
)
def test_each_gate_allows_get_head_and_post_by_default(rf, db, gate):
    view = gate(ok)
    user = make_user("carla", Role.CASEWORKER)
    for method in ("GET", "HEAD", "POST", *UNUSED, "OPTIONS"):
        request = rf.generic(method, "/")
        request.user = user
        expected = 200 if method in ("GET", "HEAD", "POST") else 405
        assert view(request).status_code == expected, (method, gate)


def test_a_gate_keeps_the_methods_it_is_given(rf, db):
    user = make_user("carla", Role.CASEWORKER)
    for gate in (
        role_required(Role.CASEWORKER, methods=["POST"]),
        signed_in(methods=["POST"]),
        public(methods=["POST"]),
    ):
        view = gate(ok)
        for method, expected in (("GET", 405), ("POST", 200), ("PUT", 405)):
            request = rf.generic(method, "/")
            request.user = user
            assert view(request).status_code == expected, (method, gate)
