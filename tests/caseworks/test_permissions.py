"""caseworks.access.permissions: every routed view declares one gate, the navigation and the start
page read the same table, and a gate answers 404 to a user without the role."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from caseworks.access.permissions import (
    DATA_PROTECTION,
    PAGES,
    PUBLIC,
    SIGNED_IN,
    gate_of,
    navigation_for,
    page_required,
    role_required,
    start_page_for,
)
from caseworks.access.roles import Role
from tests.helpers import make_user


def routed_views(resolver=None, prefix=""):
    """(route, view) for every URL the project routes, the Django admin aside (it has its
    own gate: is_staff, then the admin's model permissions)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            yield from routed_views(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.callback


def test_it_walks_a_real_url_list():
    routes = dict(routed_views())
    assert len(routes) > 50
    assert "cases/" in routes


def test_every_view_declares_its_gate():
    ungated = [route for route, view in routed_views() if gate_of(view) is None]
    assert ungated == []


def test_an_ungated_view_is_reported():
    def bare(request):
        return HttpResponse("")

    assert gate_of(bare) is None
    assert gate_of(role_required(Role.OFFICE)(bare)).startswith("role: ")


def test_public_views_are_the_ones_meant_to_be():
    public = sorted(route for route, view in routed_views() if gate_of(view) == PUBLIC)
    assert public == [
        # Sign-in through a carrier's directory (issue 33): the start, the provider's answer
        # (checked: state, PKCE, the signed token) and its back-channel logout (a signed token).
        "accounts/directory/<uuid:organisation_code>/",
        "accounts/directory/<uuid:organisation_code>/backchannel-logout/",
        "accounts/directory/<uuid:organisation_code>/callback/",
        "accounts/login/",
        "accounts/logout/",
        # Setting one's own password with the one-time code an administrator had mailed.
        "accounts/reset/",
        "i18n/setlang/",
        # The newsletter's double opt-in (issue 21): subscribing, and the links in its mails,
        # whose signed token is the credential.
        "newsletter/confirm/<str:confirm_token>/",
        "newsletter/subscribe/",
        "newsletter/subscribe/sent/",
        "newsletter/unsubscribe/<str:unsubscribe_token>/",
        # The SMS gateway's delivery reports and replies: the shared secret is the credential.
        "sms/hook/<str:secret>/",
        "visits/calendar/<str:token>.ics",  # the secret in the URL is the credential
        # The offline app's manifest and service worker: the same for everybody, no data.
        "visits/offline/manifest.webmanifest",
        "visits/offline/sw.js",
    ]


def test_signed_in_views_are_about_ones_own_account():
    signed_in = sorted(route for route, view in routed_views() if gate_of(view) == SIGNED_IN)
    assert signed_in == [
        "",
        "accounts/code/",
        "accounts/code/setup/",
        "accounts/password/",
        "accounts/password/done/",
        "accounts/security/",
        "accounts/session/",  # "stay signed in": one's own session, nothing else
        # A request waiting for a second person: the view decides who may (else 404).
        "manage/requests/<uuid:request_code>/",
        "visits/calendar/",
    ]


def test_every_navigation_page_is_gated_by_its_own_entry():
    """The page behind each menu entry carries exactly the entry's roles."""
    views = {}
    for route, view in routed_views():
        views[route] = view
    for page in PAGES:
        if page.staff_only:
            continue
        path = reverse(page.url_name).lstrip("/")
        # The page's own entry, or a role gate naming exactly the entry's roles (the DPO's
        # retention reports and the joint arrangement, gated in caseworks.audit.views).
        assert gate_of(views[path]) in (
            f"page: {page.url_name}",
            "role: " + ", ".join(sorted(map(str, page.roles))),
        ), page.url_name


@pytest.fixture
def rf():
    return RequestFactory()


def test_it_answers_404_without_the_role(rf, db):
    @role_required(Role.SUPERVISOR)
    def view(request):
        return HttpResponse("ok")

    request = rf.get("/")
    request.user = make_user("olga2", Role.OFFICE)
    with pytest.raises(Http404):
        view(request)
    request.user = make_user("sam2", Role.SUPERVISOR)
    assert view(request).status_code == 200


def test_it_sends_anonymous_users_to_sign_in(rf):
    @page_required("cases:list")
    def view(request):
        return HttpResponse("ok")

    request = rf.get("/cases/")
    request.user = AnonymousUser()
    response = view(request)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "roles, start, menu",
    [
        ((Role.CASEWORKER,), "cases:list", ["cases", "week", "referrals", "cases-new"]),
        (
            (Role.SUPERVISOR,),
            "cases:list",
            ["cases", "week", "referrals", "cases-new", "supervision", "statistics"],
        ),
        ((Role.OFFICE,), "referrals:print_queue", ["print-queue"]),
        (
            (Role.VOLUNTEER,),
            "volunteer:list",
            ["volunteer", "volunteers-me", "my-events", "my-newsletter"],
        ),
        (
            (Role.COORDINATOR,),
            "volunteers:register",
            [
                "volunteers",
                "volunteer-requests",
                "tandems",
                "mediators",
                "volunteer-figures",
                "events",
                "newsletter",
            ],
        ),
        ((Role.ADMIN,), "manage:index", ["manage", "requests", "arrangement"]),
        ((), None, []),
    ],
)
def test_the_menu_and_the_start_page_follow_the_table(db, roles, start, menu):
    user = make_user("someone", *roles)
    assert start_page_for(user) == start
    assert [key for _url, _label, key in navigation_for(user)] == menu


def test_the_data_protection_officer_is_a_capability_not_a_role(team_a):
    user = make_user("dora2")
    team_a.organisation.data_protection_officers.add(user)
    assert start_page_for(user) == "access_log"
    assert [key for _url, _label, key in navigation_for(user)] == [
        "access-log",
        "retention",
        "transfer-records",
        "requests",
        "arrangement",
    ]
    assert any(DATA_PROTECTION in page.roles for page in PAGES)
