"""Case views: thin — scope through selectors, write through services, render."""

import datetime
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
    AppointmentCancelForm,
    AppointmentForm,
    AssignForm,
    BamfDecisionForm,
    BamfNumberForm,
    CaseFilter,
    CaseForm,
    ClientForm,
    ClientReferenceForm,
    CloseForm,
    ContactForm,
    CoverForm,
    DeadlineForm,
    DuplicateCheckForm,
    IntakeForm,
    ReopenForm,
    ResidenceStatusForm,
    ShareForm,
    TaskForm,
)
from cases.history import case_history
from cases.models import (
    COVER_HOURS,
    AppointmentKind,
    ContactKind,
    household_sorted,
)
from cases.page import case_context
from cases.selectors import (
    appointment_get_for_case,
    case_get_for_user,
    case_list_for_user,
    case_may_manage_sharing,
    case_search,
    client_get_for_case,
    contact_get_for_case,
    cover_candidates,
    household_with_statuses,
    main_contact_of,
    main_contacts,
    open_case_get_for_user,
    prefetch_households,
    supervised_case_get_for_user,
    task_get_for_case,
)
from caseworks.access.permissions import CASE_ROLES, page_required, role_required
from caseworks.access.roles import Role, has_role
from caseworks.audit.log import log_access
from caseworks.extensions.casefile import panels_for, timeline_for
from caseworks.models import Service
from caseworks.web.forms import apply_service_errors, error_text, submit
from caseworks.web.submissions import submission_record, submission_seen

TIMELINE_PAGE = 50
TIMELINE_MAX = 1000


def recorded(request, save, *, url, label: str):
    """Run `save` (a service creating a row) and remember this form as saved, in one
    transaction (caseworks.web.submissions): a second post of the same form is not saved again.
    `url(result)` is the page the "already saved" answer links to; `label` names the kind,
    never personal data."""
    with transaction.atomic():
        result = save()
        submission_record(request, url=url(result), label=label)
    return result


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
    if step == "create" and (already := submission_seen(request)) is not None:
        return already
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
    bamf_form = BamfNumberForm(data, prefix="bamf")
    forms = (intake, case_form, client_form, status_form, bamf_form)
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
        bamf_number = bamf_form.cleaned_data.get("bamf_number", "").strip()
        try:
            case = recorded(
                request,
                lambda: services.case_create(
                    actor=request.user,
                    team=intake.cleaned_data["team"],
                    assigned_to=intake.cleaned_data.get("assigned_to"),
                    client=client_form.cleaned_data,
                    status=status_form.cleaned_data,
                    different_person_confirmed=request.POST.get("different_person") == "1",
                    bamf_number=bamf_number,
                    **{k: v for k, v in case_form.cleaned_data.items() if k != "version"},
                ),
                url=lambda c: reverse("cases:detail", args=[c.code]),
                label="case",
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
            "bamf_form": bamf_form,
            "matches": matches,
        },
    )


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


def household_defaults(case) -> tuple[dict, dict]:
    """What a new household member most likely shares with the main contact: last name,
    nationality, languages and the current residence status (kind, dates, authority — not
    the document number). The user can change each."""
    main = main_contact_of(case, name_only=False)
    if main is None:
        return {}, {}
    person = {
        "last_name": main.last_name,
        "nationality": main.nationality,
        "languages": main.languages,
        "interpreter_needed": main.interpreter_needed,
    }
    status = main.current_status()
    status_initial = (
        {
            "kind": status.kind,
            "fiction_subtype": status.fiction_subtype,
            "valid_from": status.valid_from,
            "valid_until": status.valid_until,
            "issuing_authority": status.issuing_authority,
        }
        if status is not None
        else {}
    )
    return person, status_initial


@role_required(*CASE_ROLES)
def client_add(request, code):
    case = open_case_get_for_user(user=request.user, code=code)
    if (already := submission_seen(request)) is not None:
        return already
    data = request.POST if request.method == "POST" else None
    person_initial, status_initial = household_defaults(case) if data is None else ({}, {})
    client_form = ClientForm(data, prefix="client", initial=person_initial)
    status_form = ResidenceStatusForm(
        data, prefix="status", use_required_attribute=False, initial=status_initial
    )
    add_status = request.POST.get("add_status") == "1" if data else True
    if not add_status:
        for field in status_form.fields.values():
            field.required = False
    if data is not None:
        forms_ok = client_form.is_valid() and (not add_status or status_form.is_valid())
        if forms_ok:

            def save():
                client = services.client_create(
                    actor=request.user, case=case, data=client_form.cleaned_data
                )
                if add_status:
                    services.residence_status_add(
                        actor=request.user, client=client, data=status_form.cleaned_data
                    )
                return client

            try:
                recorded(
                    request,
                    save,
                    url=lambda c: reverse("cases:detail", args=[case.code]),
                    label="person",
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
            request,
            case,
            client_form=client_form,
            status_form=status_form,
            add_status=add_status,
            prefilled=bool(person_initial),
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
    if (already := submission_seen(request)) is not None:
        return already
    form = ResidenceStatusForm(request.POST or None)
    if submit(
        request,
        lambda: recorded(
            request,
            lambda: services.residence_status_add(
                actor=request.user, client=client, data=form.cleaned_data
            ),
            url=lambda s: reverse("cases:detail", args=[case.code]),
            label="residence status",
        ),
        form,
        success=_("Residence status recorded."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(
        request,
        "cases/status_add.html",
        case_context(
            request,
            case,
            client=client,
            form=form,
            statuses=client.statuses.all(),
            creates=True,
        ),
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
    """Closing lists what is still open; the supervisor handles each item (its link) or
    ticks that it stays open. Which items were acknowledged goes into the case's history."""
    case = supervised_case_get_for_user(user=request.user, code=code)
    if case.is_closed:
        raise Http404("Already closed")
    open_items = services.case_open_items(case)
    form = CloseForm(
        request.POST or None, open_items=open_items, initial={"closed_on": timezone.localdate()}
    )
    if submit(
        request,
        lambda: services.case_close(
            actor=request.user,
            case=case,
            reason=form.cleaned_data["reason"],
            closed_on=form.cleaned_data["closed_on"],
            acknowledged=form.acknowledged(),
        ),
        form,
        success=_("Case closed."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(
        request,
        "cases/case_close.html",
        case_context(request, case, form=form, open_rows=form.item_rows()),
    )


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
    if reference is None and (already := submission_seen(request)) is not None:
        return already
    form = ClientReferenceForm(request.POST or None, instance=reference)

    def save():
        return services.client_reference_save(
            actor=request.user,
            client=client,
            data=form.cleaned_data,
            reference=reference,
            expected_version=form.cleaned_data.get("version"),
        )

    if not case.is_closed and submit(
        request,
        save
        if reference is not None
        else lambda: recorded(
            request,
            save,
            url=lambda r: reverse(
                "cases:client_reference_edit", args=[case.code, client.code, r.code]
            ),
            label="reference number",
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
    if action in ("decision", "manual") and (already := submission_seen(request)) is not None:
        return already
    decision_form = BamfDecisionForm(
        request.POST if action == "decision" else None, case=case, prefix="decision"
    )
    deadline_form = DeadlineForm(
        request.POST if action == "manual" else None, case=case, prefix="deadline"
    )
    page = reverse("cases:deadlines", args=[case.code])
    if not case.is_closed:
        if action == "decision" and submit(
            request,
            lambda: recorded(
                request,
                lambda: services.bamf_decision_record(
                    actor=request.user, **decision_form.cleaned_data
                ),
                url=lambda _created: page,
                label="BAMF decision",
            ),
            decision_form,
            success=_("Decision recorded; the deadlines are computed."),
        ):
            return redirect("cases:deadlines", code=case.code)
        if action == "manual" and submit(
            request,
            lambda: recorded(
                request,
                lambda: services.deadline_add(
                    actor=request.user, case=case, **deadline_form.cleaned_data
                ),
                url=lambda _created: page,
                label="deadline",
            ),
            deadline_form,
            success=_("Deadline recorded."),
        ):
            return redirect("cases:deadlines", code=case.code)
    deadlines = list(
        case.deadlines.select_related("client", "decision", "done_by").order_by("done_on", "due_on")
    )
    now = timezone.now()
    for deadline in deadlines:
        deadline.undo_until = (
            services.deadline_undo_until(deadline)
            if services.deadline_may_undo(deadline, now=now)
            else None
        )
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
            undo_hours=services.deadline_undo_hours(),
        ),
    )


def _deadline_of(case, deadline_code):
    deadline = case.deadlines.select_related("client", "decision").filter(code=deadline_code)
    found = deadline.first()
    if found is None:
        raise Http404("No such deadline")
    return found


@role_required(*CASE_ROLES)
def deadline_done(request, code, deadline_code):
    """Mark a deadline as done — after a look at what it is: a page, not a one-tap button
    next to another deadline's. Taken back on the deadlines page for a while."""
    case = open_case_get_for_user(user=request.user, code=code)
    deadline = _deadline_of(case, deadline_code)
    if request.method == "POST":
        try:
            services.deadline_done(actor=request.user, deadline=deadline)
        except ValidationError as e:
            messages.error(request, error_text(e))
        else:
            messages.success(
                request,
                _(
                    "Deadline marked as done. Marked by mistake? You can take it back on this "
                    "page within %(hours)s hours."
                )
                % {"hours": services.deadline_undo_hours()},
            )
        return redirect("cases:deadlines", code=case.code)
    return render(
        request,
        "cases/deadline_done.html",
        case_context(request, case, deadline=deadline, today=timezone.localdate()),
    )


@role_required(*CASE_ROLES, methods=["POST"])
def deadline_undo(request, code, deadline_code):
    case = open_case_get_for_user(user=request.user, code=code)
    deadline = _deadline_of(case, deadline_code)
    try:
        services.deadline_undo(actor=request.user, deadline=deadline)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, _("The deadline is open again."))
    return redirect("cases:deadlines", code=case.code)


# --- contacts, tasks and appointments ------------------------------------------------------------


def _form_data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


@role_required(*CASE_ROLES)
def contact_new(request, code):
    case = open_case_get_for_user(user=request.user, code=code)
    if (already := submission_seen(request)) is not None:
        return already
    kind = request.GET.get("kind", "")
    initial = {
        "date": timezone.localdate(),
        "kind": kind if kind in ContactKind.values else ContactKind.PHONE,
        "duration_minutes": 0 if kind == ContactKind.FILE_NOTE else 15,
        "persons": list(main_contacts().filter(case=case)),
    }
    form = ContactForm(request.POST or None, case=case, initial=initial)
    if submit(
        request,
        lambda: recorded(
            request,
            lambda: services.contact_record(actor=request.user, case=case, **_form_data(form)),
            url=lambda c: reverse("cases:contact_edit", args=[case.code, c.code]),
            label="contact",
        ),
        form,
        success=_("Contact recorded."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(
        request, "cases/contact_form.html", case_context(request, case, form=form, new=True)
    )


@role_required(*CASE_ROLES)
def contact_edit(request, code, contact_code):
    case = case_get_for_user(user=request.user, code=code)
    contact = contact_get_for_case(case=case, code=contact_code)
    form = ContactForm(
        request.POST or None,
        case=case,
        instance=contact,
        initial={"persons": list(contact.persons.all())},
    )
    if not case.is_closed and submit(
        request,
        lambda: services.contact_update(
            actor=request.user,
            contact=contact,
            expected_version=form.cleaned_data["version"],
            **_form_data(form),
        ),
        form,
        success=_("Contact saved."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(
        request,
        "cases/contact_form.html",
        case_context(request, case, form=form, contact=contact, new=False),
    )


@role_required(*CASE_ROLES)
def task_new(request, code):
    case = open_case_get_for_user(user=request.user, code=code)
    if (already := submission_seen(request)) is not None:
        return already
    initial = {
        "assigned_to": case.assigned_to or request.user,
        "due_on": timezone.localdate() + datetime.timedelta(days=7),
    }
    suggestion = _suggestion_from(request, case)
    if suggestion is not None:
        initial.update(title=suggestion.task_title, due_on=suggestion.task_due_on)
    form = TaskForm(request.POST or None, assignees=services.task_assignees(case), initial=initial)
    if submit(
        request,
        lambda: recorded(
            request,
            lambda: services.task_create(actor=request.user, case=case, **_form_data(form)),
            url=lambda t: reverse("cases:task_edit", args=[case.code, t.code]),
            label="task",
        ),
        form,
        success=_("Task recorded."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(
        request,
        "cases/task_form.html",
        case_context(request, case, form=form, new=True, suggestion=suggestion),
    )


@role_required(*CASE_ROLES)
def task_edit(request, code, task_code):
    case = case_get_for_user(user=request.user, code=code)
    task = task_get_for_case(case=case, code=task_code)
    form = TaskForm(request.POST or None, instance=task, assignees=services.task_assignees(case))
    if not case.is_closed and submit(
        request,
        lambda: services.task_update(
            actor=request.user,
            task=task,
            expected_version=form.cleaned_data["version"],
            **_form_data(form),
        ),
        form,
        success=_("Task saved."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(
        request,
        "cases/task_form.html",
        case_context(request, case, form=form, task=task, new=False),
    )


@role_required(*CASE_ROLES)
def task_done(request, code, task_code):
    """A page that says what is marked done (reached from the case file and "my week"); the
    button on it marks it. Taken back on the task's page."""
    case = open_case_get_for_user(user=request.user, code=code)
    task = task_get_for_case(case=case, code=task_code)
    if request.method == "POST":
        action = request.POST.get("action", "done")
        try:
            if action == "reopen":
                services.task_reopen(actor=request.user, task=task)
            else:
                services.task_done(actor=request.user, task=task)
        except ValidationError as e:
            messages.error(request, error_text(e))
        else:
            messages.success(
                request,
                _("The task is open again.") if action == "reopen" else _("Task marked as done."),
            )
        back = request.POST.get("next", "")
        if back == "week":
            return redirect("visits:week")
        return redirect("cases:detail", code=case.code)
    return render(
        request,
        "cases/task_done.html",
        case_context(request, case, task=task, next=request.GET.get("next", "")),
    )


def _appointment_services():
    return Service.objects.order_by("name")


@role_required(*CASE_ROLES)
def appointment_new(request, code):
    case = open_case_get_for_user(user=request.user, code=code)
    if (already := submission_seen(request)) is not None:
        return already
    initial: dict = {"persons": list(main_contacts().filter(case=case))}
    suggestion = _suggestion_from(request, case)
    if suggestion is not None:
        initial.update(
            kind=AppointmentKind.IMMIGRATION_OFFICE,
            persons=[suggestion.client],
            note=suggestion.appointment_note,
        )
    form = AppointmentForm(
        request.POST or None, case=case, services=_appointment_services(), initial=initial
    )
    if submit(
        request,
        lambda: recorded(
            request,
            lambda: services.appointment_create(actor=request.user, case=case, **_form_data(form)),
            url=lambda a: reverse("cases:appointment_edit", args=[case.code, a.code]),
            label="appointment",
        ),
        form,
        success=_("Appointment recorded."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(
        request,
        "cases/appointment_form.html",
        case_context(request, case, form=form, new=True, suggestion=suggestion),
    )


@role_required(*CASE_ROLES)
def appointment_edit(request, code, appointment_code):
    case = case_get_for_user(user=request.user, code=code)
    appointment = appointment_get_for_case(case=case, code=appointment_code)
    form = AppointmentForm(
        request.POST or None,
        case=case,
        services=_appointment_services(),
        instance=appointment,
        initial={"persons": list(appointment.persons.all())},
    )
    if (
        not case.is_closed
        and not appointment.is_cancelled
        and submit(
            request,
            lambda: services.appointment_update(
                actor=request.user,
                appointment=appointment,
                expected_version=form.cleaned_data["version"],
                **_form_data(form),
            ),
            form,
            success=_("Appointment saved."),
        )
    ):
        return redirect("cases:detail", code=case.code)
    return render(
        request,
        "cases/appointment_form.html",
        case_context(request, case, form=form, appointment=appointment, new=False),
    )


@role_required(*CASE_ROLES)
def appointment_cancel(request, code, appointment_code):
    case = open_case_get_for_user(user=request.user, code=code)
    appointment = appointment_get_for_case(case=case, code=appointment_code)
    if appointment.is_cancelled:
        raise Http404("Already cancelled")
    form = AppointmentCancelForm(request.POST or None)
    if submit(
        request,
        lambda: services.appointment_cancel(
            actor=request.user, appointment=appointment, reason=form.cleaned_data["reason"]
        ),
        form,
        success=_("Appointment cancelled."),
    ):
        return redirect("cases:detail", code=case.code)
    return render(
        request,
        "cases/appointment_cancel.html",
        case_context(request, case, form=form, appointment=appointment),
    )


def _suggestion_from(request, case):
    """The suggestion a "create appointment/task" link came from (`?extend=<status code>`),
    if it still applies; it only pre-fills the form."""
    from cases.law.suggestions import suggestion_for_status

    status_code = request.GET.get("extend", "")
    if not status_code or request.method != "GET":
        return None
    return suggestion_for_status(case, status_code)


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
