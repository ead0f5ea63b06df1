"""Case views: thin — scope through selectors, write through services, render."""

import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services
from cases.forms import (
    AssignForm,
    BamfDecisionForm,
    CaseFilter,
    CaseForm,
    ClientForm,
    ClientReferenceForm,
    CloseForm,
    CoverForm,
    DeadlineForm,
    DuplicateCheckForm,
    IntakeForm,
    ReopenForm,
    ResidenceStatusForm,
    ShareForm,
)
from cases.history import case_history
from cases.models import COVER_HOURS, household_sorted
from cases.selectors import (
    case_get_for_user,
    case_is_supervised_by,
    case_list_for_user,
    case_may_manage_sharing,
    case_search,
    client_get_for_case,
    cover_candidates,
    household_with_statuses,
    open_case_get_for_user,
    prefetch_households,
    supervised_case_get_for_user,
)
from caseworks.audit import log_access
from caseworks.casefile import panels_for, timeline_for
from caseworks.dpo import is_data_protection_officer
from caseworks.forms import apply_service_errors, error_text, submit
from caseworks.permissions import CASE_ROLES, page_required, role_required
from caseworks.roles import Role, has_role

TIMELINE_PAGE = 50
TIMELINE_MAX = 1000


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


def _remember_search(request, query: str) -> str:
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


def _recall_search(request, token: str) -> str | None:
    entry = request.session.get(SEARCHES, {}).get(token)
    if entry is None or time.time() - entry[1] >= SEARCH_SECONDS:
        return None
    return str(entry[0])


def _search_redirect(request):
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
def case_list(request):
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
    for case in page:
        case.household = household_sorted(case.clients.all())
    query = request.GET.copy()
    query.pop("page", None)
    q = data.get("q", "").strip()
    team_matches = (
        list(case_search(cover_candidates(user=request.user), q).only("code", "reference")[:10])
        if q and not show_closed
        else []
    )
    return render(
        request,
        "cases/case_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "is_supervisor": is_supervisor,
            "show_closed": show_closed,
            "team_matches": team_matches,
            "searching": bool(q or data.get("status") or data.get("expiring")),
        },
    )


@page_required("cases:create")
def case_create(request):
    """Intake in two steps: names and birth date first, with the possible matches across the
    house; then the full form. The matches are checked again on saving (names may change)."""
    teams = services.teams_for_intake(request.user)
    if not teams.exists():
        messages.error(request, _("You are not a member of any team yet. Ask an administrator."))
        return redirect("cases:list")
    step = request.POST.get("step") if request.method == "POST" else None
    if step != "create":
        check = DuplicateCheckForm(request.POST if step == "check" else None, prefix="check")
        if not check.is_valid():
            return render(request, "cases/case_check.html", {"check": check})
        names = check.cleaned_data
        data, initial = (
            None,
            {
                "first_name": names["first_name"],
                "last_name": names["last_name"],
                "birth_date": names["birth_date"],
            },
        )
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
    forms = (intake, case_form, client_form, status_form)
    # Every form validated (no short-circuit): all errors show at once.
    valid = data is not None and all([f.is_valid() for f in forms])
    if valid:
        person = client_form.cleaned_data
    elif data is not None:  # keep showing the matches while the user corrects an error
        person = {
            "first_name": data.get("client-first_name", ""),
            "last_name": data.get("client-last_name", ""),
            "birth_date": client_form.cleaned_data.get("birth_date"),
        }
    else:
        person = initial
    matches = None
    if valid:
        try:
            case = services.case_create(
                actor=request.user,
                team=intake.cleaned_data["team"],
                assigned_to=intake.cleaned_data.get("assigned_to"),
                client=client_form.cleaned_data,
                status=status_form.cleaned_data,
                different_person_confirmed=request.POST.get("different_person") == "1",
                **{k: v for k, v in case_form.cleaned_data.items() if k != "version"},
            )
        except services.PossibleDuplicates as duplicates:
            matches = duplicates.matches
            client_form.add_error(None, error_text(duplicates))
        except ValidationError as e:
            apply_service_errors(e, intake, case_form, client_form, status_form)
        else:
            messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
            if case_list_for_user(user=request.user).filter(pk=case.pk).exists():
                return redirect("cases:detail", code=case.code)
            return redirect("cases:list")
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
            "matches": matches,
        },
    )


def case_context(request, case, **extra):
    """What every page inside a case file needs (the header, the supervisor's actions)."""
    can_supervise = case_is_supervised_by(case=case, user=request.user)
    return {
        "case": case,
        "can_supervise": can_supervise,
        # The closed-case rule (services.case_accepts_records): templates offer recording
        # only where the service would accept it.
        "can_record": services.case_accepts_records(case),
        "may_disclose": can_supervise or is_data_protection_officer(request.user),
        **extra,
    }


@role_required(*CASE_ROLES)
def case_detail(request, code):
    try:
        case = case_get_for_user(user=request.user, code=code)
    except Http404:
        if cover_candidates(user=request.user).filter(code=code).exists():
            return redirect("cases:cover", code=code)  # a team case: open it with a reason
        raise
    log_access(user=request.user, action="case.viewed", obj=case, label=case.reference)
    household = household_with_statuses(case)
    limit = TIMELINE_PAGE
    entries = request.GET.get("entries", "")
    if entries.isascii() and entries.isdigit() and len(entries) < 6:
        limit = min(int(request.GET["entries"]), TIMELINE_MAX)
    timeline, more = timeline_for(case, limit=limit)
    return render(
        request,
        "cases/case_detail.html",
        case_context(
            request,
            case,
            household=household,
            tab="overview",
            shares=case.shares.select_related("user"),
            panels=panels_for(case, user=request.user),
            timeline=timeline,
            more_entries=limit + TIMELINE_PAGE if more else None,
        ),
    )


@role_required(*CASE_ROLES)
def case_history_view(request, code):
    case = case_get_for_user(user=request.user, code=code)
    log_access(user=request.user, action="case.history_viewed", obj=case, label=case.reference)
    entries = case_history(case)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request, "cases/case_history.html", case_context(request, case, page=page, tab="history")
    )


@role_required(*CASE_ROLES)
def case_edit(request, code):
    case = open_case_get_for_user(user=request.user, code=code)
    form = CaseForm(request.POST or None, instance=case)
    if submit(
        request,
        lambda: services.case_update(
            actor=request.user,
            case=case,
            expected_version=form.cleaned_data["version"],
            data=form.cleaned_data,
        ),
        form,
        success=_("Case saved."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(request, "cases/case_edit.html", case_context(request, case, form=form))


@role_required(*CASE_ROLES)
def client_add(request, code):
    case = open_case_get_for_user(user=request.user, code=code)
    data = request.POST if request.method == "POST" else None
    client_form = ClientForm(data, prefix="client")
    status_form = ResidenceStatusForm(data, prefix="status", use_required_attribute=False)
    add_status = request.POST.get("add_status") == "1" if data else True
    if not add_status:
        for field in status_form.fields.values():
            field.required = False
    if data is not None:
        forms_ok = client_form.is_valid() and (not add_status or status_form.is_valid())
        if forms_ok:
            try:
                with transaction.atomic():
                    client = services.client_create(
                        actor=request.user, case=case, data=client_form.cleaned_data
                    )
                    if add_status:
                        services.residence_status_add(
                            actor=request.user, client=client, data=status_form.cleaned_data
                        )
            except ValidationError as e:
                apply_service_errors(e, client_form, status_form)
            else:
                messages.success(request, _("Household member added."))
                return redirect("cases:detail", code=case.code)
    return render(
        request,
        "cases/client_add.html",
        case_context(
            request, case, client_form=client_form, status_form=status_form, add_status=add_status
        ),
    )


@role_required(*CASE_ROLES)
def client_edit(request, code, client_code):
    case = open_case_get_for_user(user=request.user, code=code)
    client = client_get_for_case(case=case, code=client_code)
    form = ClientForm(request.POST or None, instance=client, prefix="client")
    if submit(
        request,
        lambda: services.client_update(
            actor=request.user,
            client=client,
            expected_version=form.cleaned_data["version"],
            data=form.cleaned_data,
        ),
        form,
        success=_("Personal details saved."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(
        request, "cases/client_edit.html", case_context(request, case, client=client, form=form)
    )


@role_required(*CASE_ROLES)
def status_add(request, code, client_code):
    case = open_case_get_for_user(user=request.user, code=code)
    client = client_get_for_case(case=case, code=client_code)
    form = ResidenceStatusForm(request.POST or None)
    if submit(
        request,
        lambda: services.residence_status_add(
            actor=request.user, client=client, data=form.cleaned_data
        ),
        form,
        success=_("Residence status recorded."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(
        request,
        "cases/status_add.html",
        case_context(request, case, client=client, form=form, statuses=client.statuses.all()),
    )


@role_required(Role.SUPERVISOR)
def case_assign(request, code):
    case = supervised_case_get_for_user(user=request.user, code=code)
    form = AssignForm(
        request.POST or None,
        caseworkers=services.caseworkers_of(case.team),
        initial={"caseworker": case.assigned_to},
    )
    if submit(
        request,
        lambda: services.case_assign(
            actor=request.user, case=case, caseworker=form.cleaned_data["caseworker"]
        ),
        form,
        success=_("Case assigned."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(request, "cases/case_assign.html", case_context(request, case, form=form))


@role_required(*CASE_ROLES)
def case_share(request, code):
    case = open_case_get_for_user(user=request.user, code=code)
    if not case_may_manage_sharing(case=case, user=request.user):
        raise Http404("Only the assignee or a supervisor shares a case")
    colleagues = (
        services.caseworkers_of(case.team)
        .exclude(pk=case.assigned_to_id)
        .exclude(shared_cases__case=case)
    )
    form = ShareForm(request.POST or None, colleagues=colleagues)
    if submit(
        request,
        lambda: services.case_share(actor=request.user, case=case, user=form.cleaned_data["user"]),
        form,
        success=_("Case shared."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(
        request,
        "cases/case_share.html",
        case_context(request, case, form=form, shares=case.shares.select_related("user")),
    )


@role_required(*CASE_ROLES, methods=["POST"])
def case_unshare(request, code, share_id):
    case = case_get_for_user(user=request.user, code=code)
    share = case.shares.filter(pk=share_id).first()
    if share is None or not case_may_manage_sharing(case=case, user=request.user):
        raise Http404("No such share")
    services.case_unshare(actor=request.user, case=case, user=share.user)
    messages.success(request, _("Sharing ended."))
    return redirect("cases:detail", code=case.code)


@role_required(Role.SUPERVISOR)
def case_close(request, code):
    case = supervised_case_get_for_user(user=request.user, code=code)
    if case.is_closed:
        raise Http404("Already closed")
    form = CloseForm(request.POST or None, initial={"closed_on": timezone.localdate()})
    if submit(
        request,
        lambda: services.case_close(
            actor=request.user,
            case=case,
            reason=form.cleaned_data["reason"],
            closed_on=form.cleaned_data["closed_on"],
        ),
        form,
        success=_("Case closed."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(request, "cases/case_close.html", case_context(request, case, form=form))


@role_required(Role.SUPERVISOR)
def case_reopen(request, code):
    case = supervised_case_get_for_user(user=request.user, code=code)
    if not case.is_closed:
        raise Http404("Not closed")
    form = ReopenForm(request.POST or None)
    if submit(
        request,
        lambda: services.case_reopen(
            actor=request.user, case=case, reason=form.cleaned_data["reason"]
        ),
        form,
        success=_("Case reopened."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(request, "cases/case_reopen.html", case_context(request, case, form=form))


@role_required(*CASE_ROLES)
def client_references(request, code, client_code, reference_code=None):
    """A person's file and document numbers: list, add, or change one."""
    case = case_get_for_user(user=request.user, code=code)
    client = client_get_for_case(case=case, code=client_code)
    reference = None
    if reference_code is not None:
        reference = client.references.filter(code=reference_code).first()
        if reference is None:
            raise Http404("No such reference number")
    form = ClientReferenceForm(request.POST or None, instance=reference)
    if not case.is_closed and submit(
        request,
        lambda: services.client_reference_save(
            actor=request.user,
            client=client,
            data=form.cleaned_data,
            reference=reference,
            expected_version=form.cleaned_data.get("version"),
        ),
        form,
        success=_("Reference number saved."),
    ):
        return redirect("cases:client_references", code=case.code, client_code=client.code)
    return render(
        request,
        "cases/client_references.html",
        case_context(
            request,
            case,
            client=client,
            form=form,
            reference=reference,
            references=client.references.all(),
        ),
    )


@role_required(*CASE_ROLES)
def case_deadlines(request, code):
    """Record a BAMF decision (the § 74 AsylG deadlines follow) or any other deadline."""
    case = case_get_for_user(user=request.user, code=code)
    action = request.POST.get("action")
    decision_form = BamfDecisionForm(
        request.POST if action == "decision" else None, case=case, prefix="decision"
    )
    deadline_form = DeadlineForm(
        request.POST if action == "manual" else None, case=case, prefix="deadline"
    )
    if not case.is_closed:
        if action == "decision" and submit(
            request,
            lambda: services.bamf_decision_record(actor=request.user, **decision_form.cleaned_data),
            decision_form,
            success=_("Decision recorded; the deadlines are computed."),
        ):
            return redirect("cases:deadlines", code=case.code)
        if action == "manual" and submit(
            request,
            lambda: services.deadline_add(
                actor=request.user, case=case, **deadline_form.cleaned_data
            ),
            deadline_form,
            success=_("Deadline recorded."),
        ):
            return redirect("cases:deadlines", code=case.code)
    deadlines = case.deadlines.select_related("client", "decision").order_by("done_on", "due_on")
    return render(
        request,
        "cases/deadlines.html",
        case_context(
            request,
            case,
            decision_form=decision_form,
            deadline_form=deadline_form,
            deadlines=deadlines,
            today=timezone.localdate(),
        ),
    )


@role_required(*CASE_ROLES, methods=["POST"])
def deadline_done(request, code, deadline_code):
    case = open_case_get_for_user(user=request.user, code=code)
    deadline = case.deadlines.filter(code=deadline_code).first()
    if deadline is None:
        raise Http404("No such deadline")
    services.deadline_done(actor=request.user, deadline=deadline)
    messages.success(request, _("Deadline marked as done."))
    return redirect(
        request.POST.get("next") == "case" and "cases:detail" or "cases:deadlines", code=case.code
    )


@role_required(Role.CASEWORKER)
def case_cover(request, code):
    """Ask for the reason before a team colleague's case file opens (nothing of it is shown
    here but its reference number)."""
    case = cover_candidates(user=request.user).select_related("team").filter(code=code).first()
    if case is None:
        raise Http404("No such case")
    form = CoverForm(request.POST or None)
    saved = submit(
        request,
        lambda: services.cover_access_grant(
            actor=request.user, case=case, reason=form.cleaned_data["reason"]
        ),
        form,
        success=_("Your reason is recorded and shown to the team's supervisors."),
    )
    if saved and saved.value.awaiting_approval:
        messages.info(
            request,
            _(
                "You have opened several colleagues' case files today: this one opens once a "
                "supervisor of the team approves."
            ),
        )
        return redirect("cases:list")
    if saved:
        messages.success(
            request, _("Cover access granted for %(hours)s hours.") % {"hours": COVER_HOURS}
        )
        return redirect("cases:detail", code=case.code)
    return render(request, "cases/case_cover.html", {"case": case, "form": form})
