"""The caseload and its search, and the intake of a new case."""

import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from cases import services
from cases.forms import (
    BamfNumberForm,
    CaseFilter,
    CaseForm,
    ClientForm,
    DuplicateCheckForm,
    IntakeForm,
    ResidenceStatusForm,
)
from cases.models import Case, household_sorted
from cases.page import SignedInRequest
from cases.selectors import (
    SOUND,
    case_list_for_user,
    case_search,
    cover_candidates,
    prefetch_households,
)
from caseworks.access.permissions import page_required
from caseworks.access.roles import Role, has_role
from caseworks.web.forms import error_text, submit

# What a user searched for (a name, a birth date, a document number) never goes into a URL,
# where proxies, server logs and the browser history would keep it: the search form posts,
# the query waits in the user's session under a random token, and the results page's URL
# carries only the token (`?s=`). `?q=` still works for bookmarks and links (DESIGN.md's URL
# contract), but no page of ours produces it.
SEARCHES = "case_searches"
SEARCH_SECONDS = 8 * 3600
SEARCHES_KEPT = 20
# Filters that say nothing about a person, kept in the URL as they are.
PLAIN_FILTERS = ("status", "expiring", "order", "closed")


def _remember_search(request: SignedInRequest, query: str) -> str:
    now = time.time()
    searches = {
        token: entry
        for token, entry in request.session.get(SEARCHES, {}).items()
        if now - entry[1] < SEARCH_SECONDS
    }
    token = secrets.token_urlsafe(12)
    searches[token] = [query, now]
    request.session[SEARCHES] = dict(
        sorted(searches.items(), key=lambda i: i[1][1])[-SEARCHES_KEPT:]
    )
    return token


def _recall_search(request: SignedInRequest, token: str) -> str | None:
    entry = request.session.get(SEARCHES, {}).get(token)
    if entry is None or time.time() - entry[1] >= SEARCH_SECONDS:
        return None
    return str(entry[0])


def _search_redirect(request: SignedInRequest) -> HttpResponse:
    params = QueryDict(mutable=True)
    for name in PLAIN_FILTERS:
        if request.POST.get(name):
            params[name] = request.POST[name]
    query = request.POST.get("q", "").strip()
    if query:
        params["s"] = _remember_search(request, query)
    url = reverse("cases:list")
    return redirect(f"{url}?{params.urlencode()}" if params else url)


@page_required("cases:list")
def case_list(request: SignedInRequest) -> HttpResponse:
    if request.method == "POST":
        return _search_redirect(request)
    is_supervisor = has_role(request.user, Role.SUPERVISOR)
    show_closed = is_supervisor and request.GET.get("closed") == "1"
    cases = case_list_for_user(user=request.user, include_closed=show_closed)
    if show_closed:
        cases = cases.filter(closed_on__isnull=False)
    data = request.GET.copy()
    if "s" in data:
        recalled = _recall_search(request, data.pop("s")[-1])
        if recalled is None:
            messages.info(request, _("That search has expired; please search again."))
        data["q"] = recalled or ""
    filterset = CaseFilter(data or None, queryset=cases)
    result = filterset.qs if filterset.is_bound else cases
    if not data.get("order"):
        # A search lists the best matches first (cases.selectors.case_search).
        ranked = "search_rank" in result.query.annotations
        newest = ("-opened_on", "-id")
        result = result.order_by("search_rank", *newest) if ranked else result.order_by(*newest)
    paginator = Paginator(prefetch_households(result), settings.CASEWORKS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    households = [(case, household_sorted(case.clients.all())) for case in page]
    query = request.GET.copy()
    query.pop("page", None)
    q = data.get("q", "").strip()
    # A colleague's case (for cover) only by its exact or prefix name, never by a name that
    # merely sounds alike: outside one's own cases the search tells no more than it did.
    team_matches = (
        list(
            case_search(cover_candidates(user=request.user), q, sounds_like=False).only(
                "code", "reference"
            )[:10]
        )
        if q and not show_closed
        else []
    )
    return render(
        request,
        "cases/case_list.html",
        {
            "filter": filterset,
            "page": page,
            "households": households,
            "sound_rank": SOUND,
            "query": query.urlencode(),
            "is_supervisor": is_supervisor,
            "show_closed": show_closed,
            "team_matches": team_matches,
            "searching": bool(q or data.get("status") or data.get("expiring")),
        },
    )


def _after_intake(request: SignedInRequest, case: Case) -> str:
    """Where a new case leads: its file, or the caseload when a supervisor opened it for a
    team they do not work in themselves."""
    if case_list_for_user(user=request.user).filter(pk=case.pk).exists():
        return reverse("cases:detail", args=[case.code])
    return reverse("cases:list")


@page_required("cases:create")
def case_create(request: SignedInRequest) -> HttpResponse:
    """Intake in two steps: names and birth date first, with the possible matches across the
    house; then the full form. The matches are checked again on saving (names may change)."""
    teams = services.teams_for_intake(request.user)
    if not teams.exists():
        messages.error(request, _("You are not a member of any team yet. Ask an administrator."))
        return redirect("cases:list")
    step = request.POST.get("step") if request.method == "POST" else None
    data: QueryDict | None
    if step != "create":
        check = DuplicateCheckForm(request.POST if step == "check" else None, prefix="check")
        if not check.is_valid():
            return render(request, "cases/case_check.html", {"check": check})
        names = check.cleaned_data
        data = None
        initial = {k: names[k] for k in ("first_name", "last_name", "birth_date")}
    else:
        data, initial = request.POST, {}
    # Supervisors may assign at intake; the service checks the assignee is in the chosen team.
    caseworkers = None
    if has_role(request.user, Role.SUPERVISOR):
        caseworkers = services.caseworkers_of(*teams)
    intake = IntakeForm(data, prefix="intake", teams=teams, caseworkers=caseworkers)
    case_form = CaseForm(data, prefix="case")
    client_form = ClientForm(data, prefix="client", main_contact=True, initial=initial)
    status_form = ResidenceStatusForm(data, prefix="status")
    bamf_form = BamfNumberForm(data, prefix="bamf")
    found: dict[str, Any] = {}

    def save() -> Case:
        try:
            case = services.case_create(
                actor=request.user,
                team=intake.cleaned_data["team"],
                assigned_to=intake.cleaned_data.get("assigned_to"),
                client=client_form.cleaned_data,
                status=status_form.cleaned_data,
                different_person_confirmed=request.POST.get("different_person") == "1",
                bamf_number=bamf_form.cleaned_data.get("bamf_number", "").strip(),
                **case_form.changes(),
            )
        except services.PossibleDuplicates as duplicates:
            found["matches"] = duplicates.matches
            raise
        found["case"] = case
        return case

    saved = (
        None
        if data is None
        else submit(
            request,
            save,
            intake,
            case_form,
            client_form,
            status_form,
            bamf_form,
            # The reference is known once saved; the message is read after that.
            success=lazy(
                lambda: _("Case %(ref)s opened.") % {"ref": found["case"].reference}, str
            )(),
            creates=lambda case: _after_intake(request, case),
        )
    )
    if saved:
        return redirect(_after_intake(request, saved.value))
    matches = found.get("matches")
    if data is None:
        person = initial
    else:  # keep showing the matches while the user corrects an error
        person = {
            "first_name": data.get("client-first_name", ""),
            "last_name": data.get("client-last_name", ""),
            "birth_date": client_form.cleaned_data.get("birth_date"),
        }
    if matches is None and person.get("first_name") and person.get("last_name"):
        # Shown while the user types; whether the case may open is the service's decision.
        # A check like any other: logged and counted against the user's hourly limit.
        try:
            matches = services.duplicate_check_run(
                actor=request.user,
                first_name=person["first_name"],
                last_name=person["last_name"],
                birth_date=person.get("birth_date"),
            )
        except ValidationError as e:
            messages.error(request, error_text(e))
    return render(
        request,
        "cases/case_create.html",
        {
            "intake": intake,
            "case_form": case_form,
            "client_form": client_form,
            "status_form": status_form,
            "bamf_form": bamf_form,
            "matches": matches,
        },
    )
