"""Who may open which page: the gates on the views, the navigation and the start page, all
read from this module, so a page and its menu entry can never disagree.

Every view is declared with one gate (a test walks the URL resolver to check it):
- `role_required(*roles)`: signed in and holding one of the roles, else 404 — the page does
  not exist for this user (pretix answers 404 too, to prevent information leakage);
- `page_required(url_name)`: the same, with the roles taken from the PAGES table below;
- `signed_in`: any signed-in user (their own account pages);
- `public`: no sign-in (the login page, the calendar feed whose secret URL is the credential).
Which *object* a user may see is decided by the apps' selectors, behind the gate.

Besides the roles (auth groups, caseworks.access.roles), one capability is held as a permission:
the data protection officer's (caseworks.access.dpo). It counts here like a role, DATA_PROTECTION.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any, overload

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from caseworks.access.dpo import is_data_protection_officer
from caseworks.access.roles import Role, roles_of

DATA_PROTECTION = "data_protection"  # the DPO's permission, counted as a role here
CASE_ROLES = (Role.CASEWORKER, Role.SUPERVISOR)  # the roles that work on case files

GATE_ATTRIBUTE = "caseworks_gate"
PUBLIC = "public"
SIGNED_IN = "signed in"


def roles_and_capabilities(user: Any) -> frozenset[str]:
    """The user's roles, plus DATA_PROTECTION for the data protection officer."""
    roles = roles_of(user)
    if is_data_protection_officer(user):
        roles = roles | {DATA_PROTECTION}
    return roles


def may(user: Any, *roles: str) -> bool:
    """Does the user hold any of `roles` (DATA_PROTECTION included)?"""
    return not roles_and_capabilities(user).isdisjoint(str(r) for r in roles)


@dataclass(frozen=True)
class Page:
    """A page in the navigation: who sees it, and whether it is a start page."""

    url_name: str
    label: str | Promise
    key: str  # a stable name for templates and tests
    roles: tuple[str, ...]
    staff_only: bool = False  # the Django admin also needs is_staff


# The navigation, in this order. The start page ("/") sends a user to the first entry of
# START_PAGES they may open.
PAGES = [
    Page("cases:list", _("Cases"), "cases", CASE_ROLES),
    Page("visits:week", _("My week"), "week", CASE_ROLES),
    Page("referrals:list", _("Referrals"), "referrals", CASE_ROLES),
    Page("cases:create", _("New case"), "cases-new", CASE_ROLES),
    Page("supervision:dashboard", _("Supervision"), "supervision", (Role.SUPERVISOR,)),
    Page("supervision:statistics", _("Statistics"), "statistics", (Role.SUPERVISOR,)),
    Page("referrals:print_queue", _("Print queue"), "print-queue", (Role.OFFICE,)),
    Page("volunteer:list", _("My accompaniments"), "volunteer", (Role.VOLUNTEER,)),
    Page("volunteers:me", _("My volunteering"), "volunteers-me", (Role.VOLUNTEER,)),
    Page("volunteers:register", _("Volunteers"), "volunteers", (Role.COORDINATOR,)),
    Page("volunteers:requests", _("Requests"), "volunteer-requests", (Role.COORDINATOR,)),
    Page("volunteers:tandems", _("Tandems"), "tandems", (Role.COORDINATOR,)),
    Page("volunteers:mediators", _("Language mediators"), "mediators", (Role.COORDINATOR,)),
    Page("volunteers:figures", _("Figures"), "volunteer-figures", (Role.COORDINATOR,)),
    Page("events:list", _("Events"), "events", (Role.COORDINATOR,)),
    Page("newsletter:list", _("Newsletter"), "newsletter", (Role.COORDINATOR,)),
    Page("events:mine", _("Events"), "my-events", (Role.VOLUNTEER,)),
    Page("newsletter:me", _("Newsletter"), "my-newsletter", (Role.VOLUNTEER,)),
    Page("access_log", _("Access log"), "access-log", (DATA_PROTECTION,)),
    Page("retention_reports", _("Retention runs"), "retention", (DATA_PROTECTION,)),
    Page(
        "moving:transfer_records",
        _("Transfers to other carriers"),
        "transfer-records",
        (DATA_PROTECTION,),
    ),
    # The house setup. The Django admin (/admin/) is for superusers only and not in the menu.
    Page("manage:index", _("Setup"), "manage", (Role.ADMIN,)),
    # Changes to accounts waiting for a second person (an administrator's, a DPO's about a
    # DPO account); the context processor adds how many the user may decide.
    Page("manage:request_list", _("Approvals"), "requests", (Role.ADMIN, DATA_PROTECTION)),
    Page(
        "joint_arrangement",
        _("Joint arrangement (PDF)"),
        "arrangement",
        (Role.ADMIN, DATA_PROTECTION),
    ),
]
PAGES_BY_NAME = {page.url_name: page for page in PAGES}
START_PAGES = [
    "cases:list",
    "volunteer:list",
    "volunteers:register",
    "referrals:print_queue",
    "access_log",
    "manage:index",
]


def may_open(user: Any, page: Page) -> bool:
    if page.staff_only and not user.is_staff:
        return False
    return may(user, *page.roles)


def navigation_for(user: Any) -> list[tuple[str, str, str]]:
    """(url, label, key) of every page the user may open, in the navigation's order."""
    if not user.is_authenticated:
        return []
    return [
        (reverse(page.url_name), str(page.label), page.key)
        for page in PAGES
        if may_open(user, page)
    ]


def start_page_for(user: Any) -> str | None:
    """The URL name of the user's start page, or None (an account with no role yet)."""
    for name in START_PAGES:
        if may_open(user, PAGES_BY_NAME[name]):
            return name
    return None


# --- the gates ----------------------------------------------------------------------------------

View = Callable[..., Any]

# The methods a view answers when its gate names none: a page (GET, and HEAD as a browser or
# monitor checks it) and its form (POST). Anything else — PUT, DELETE, PATCH, TRACE,
# OPTIONS — is 405 rather than a form view treating it as a GET.
DEFAULT_METHODS = ("GET", "HEAD", "POST")


def _only(methods: Sequence[str] | None, view: View) -> View:
    """The view, answering 405 to any method but `methods` (DEFAULT_METHODS if none)."""
    return require_http_methods(list(methods or DEFAULT_METHODS))(view)


def _mark(view: View, gate: str) -> View:
    setattr(view, GATE_ATTRIBUTE, gate)
    return view


def role_required(*roles: str, methods: Sequence[str] | None = None) -> Callable[[View], View]:
    """Signed in (else to the login page), then one of `methods` (DEFAULT_METHODS if not
    given; else 405, the same answer for everyone signed in), then holding one of `roles`
    (else 404)."""
    if not roles:
        raise ValueError("role_required needs at least one role")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not may(request.user, *roles):
                raise Http404("No such page for this user")
            return view(request, *args, **kwargs)

        gated = _only(methods, wrapped)
        return _mark(login_required(gated), "role: " + ", ".join(sorted(map(str, roles))))

    return decorator


def page_required(url_name: str, *, methods: Sequence[str] | None = None) -> Callable[[View], View]:
    """role_required with the roles of the navigation entry `url_name`."""
    page = PAGES_BY_NAME[url_name]

    def decorator(view: View) -> View:
        gated = role_required(*page.roles, methods=methods)(view)
        if page.staff_only:
            raise ValueError("staff-only pages are gated by the Django admin itself")
        return _mark(gated, f"page: {url_name}")

    return decorator


@overload
def signed_in(view: View, *, methods: Sequence[str] | None = None) -> View: ...
@overload
def signed_in(
    view: None = None, *, methods: Sequence[str] | None = None
) -> Callable[[View], View]: ...
def signed_in(view: View | None = None, *, methods: Sequence[str] | None = None) -> Any:
    """Any signed-in user: pages about their own account. `@signed_in`, or
    `@signed_in(methods=[...])` to allow other methods than DEFAULT_METHODS."""

    def decorator(view: View) -> View:
        return _mark(login_required(_only(methods, view)), SIGNED_IN)

    return decorator if view is None else decorator(view)


@overload
def public(view: View, *, methods: Sequence[str] | None = None) -> View: ...
@overload
def public(
    view: None = None, *, methods: Sequence[str] | None = None
) -> Callable[[View], View]: ...
def public(view: View | None = None, *, methods: Sequence[str] | None = None) -> Any:
    """No sign-in needed (the view checks its own credential, if any). `@public`, or
    `@public(methods=[...])` to allow other methods than DEFAULT_METHODS."""

    def decorator(view: View) -> View:
        return _mark(_only(methods, view), PUBLIC)

    return decorator if view is None else decorator(view)


def gate_of(view: View) -> str | None:
    """The gate declared on a view (through any decorators that keep __wrapped__)."""
    while view is not None:
        gate = getattr(view, GATE_ATTRIBUTE, None)
        if gate is not None:
            return str(gate)
        view = getattr(view, "__wrapped__", None)  # type: ignore[assignment]
    return None
