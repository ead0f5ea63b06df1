"""Supervisors: the caseload dashboard, the cases behind each figure, (bulk) reassignment
with a confirmation step, and the statistics for funders."""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases import services
from cases.models import household_sorted
from cases.page import SignedInRequest
from cases.privacy.residue import add_residue
from cases.selectors import (
    case_list_for_user,
    cases_for_statistics,
    main_contact_names,
    prefetch_households,
)
from caseworks.access.permissions import page_required, role_required
from caseworks.access.roles import Role
from caseworks.extensions.supervision import (
    Column,
    Item,
    columns_for,
    statistics_for,
    team_figures_for,
)
from caseworks.web.forms import error_text
from caseworks.web.users import display_name
from supervision.forms import ReassignForm, StatisticsForm, StatisticsScope
from supervision.kept import kept_statistics
from supervision.selectors import (
    UNASSIGNED,
    cover_access_get_for_supervisor,
    covers_for_teams,
    open_cases_of,
    statistics_teams,
    team_and_caseworker,
    teams_led,
)
from supervision.statistics import (
    Report,
    as_csv,
    as_xlsx,
    bar_chart,
    display,
    export_rows,
    period_presets,
    protect,
    suppression_rule,
)


@dataclass
class Row:
    """A caseworker's line (or the team's unassigned cases) on the dashboard."""

    caseworker: int | str  # the query string's key: a user id, or UNASSIGNED
    name: str
    figures: list[tuple[Column, float]]
    unassigned: bool

    def figure(self, key: str) -> float:
        return next((n for c, n in self.figures if c.key == key), 0)

    @property
    def primary(self) -> list[tuple[Column, float]]:
        return [(c, n) for c, n in self.figures if c.primary]

    @property
    def more(self) -> list[tuple[Column, float]]:
        return [(c, n) for c, n in self.figures if not c.primary]

    @property
    def open_cases(self) -> float:
        return self.figure("open_cases")


def _ordered(columns: list[Column]) -> list[Column]:
    """The figures that matter first (primary), then the rest; each in its order."""
    return sorted(columns, key=lambda c: (not c.primary, c.order))


@page_required("supervision:dashboard")
def dashboard(request: SignedInRequest) -> HttpResponse:
    teams = list(teams_led(request.user))
    today = timezone.localdate()
    cases = open_cases_of(request.user, teams)
    columns = _ordered(columns_for(cases=cases, today=today))
    team_figures = team_figures_for(cases=cases, today=today)
    members = (
        get_user_model()
        .objects.filter(teams__in=teams, groups__name=Role.CASEWORKER, is_active=True)
        .values("pk", "first_name", "last_name", "username", "teams")
        .distinct()
    )
    people: dict[int, list[tuple[int | None, str]]] = {team.pk: [] for team in teams}
    for m in members:
        if m["teams"] in people:
            name = f"{m['first_name']} {m['last_name']}".strip() or m["username"]
            people[m["teams"]].append((m["pk"], name))
    sort = request.GET.get("sort", "")
    descending = request.GET.get("dir") == "desc"
    keys = {c.key for c in columns}
    sections = []
    for team in teams:
        rows: list[Row] = []
        for pk, name in [*people[team.pk], (None, _("not assigned"))]:
            figures = [(c, c.count(team.pk, pk)) for c in columns]
            rows.append(Row(UNASSIGNED if pk is None else pk, str(name), figures, pk is None))
        if sort in keys:
            rows.sort(key=lambda r: r.figure(sort), reverse=descending)
        elif sort == "name":
            rows.sort(key=lambda r: r.name.casefold(), reverse=descending)
        sections.append(
            {
                "team": team,
                "rows": rows,
                "figures": [(f, f.values.get(team.pk, f.missing)) for f in team_figures],
            }
        )
    covers = covers_for_teams(teams)[:50]
    return render(
        request,
        "supervision/dashboard.html",
        {
            "sections": sections,
            "columns": columns,
            "primary": [c for c in columns if c.primary],
            "more": [c for c in columns if not c.primary],
            "sort": sort,
            "descending": descending,
            "covers": covers,
        },
    )


@role_required(Role.SUPERVISOR, methods=["POST"])
def cover_approve(request: SignedInRequest, cover_code: str) -> HttpResponse:
    """Let a waiting cover access open the colleague's file (a supervisor of its team)."""
    access = cover_access_get_for_supervisor(user=request.user, code=cover_code)
    services.cover_access_approve(actor=request.user, access=access)
    messages.success(
        request,
        _("%(user)s may open case %(ref)s now.")
        % {"user": display_name(access.user), "ref": access.case.reference},
    )
    return redirect("supervision:dashboard")


@role_required(Role.SUPERVISOR)
def drilldown(request: SignedInRequest) -> HttpResponse:
    """The items behind one figure of one row: the same records the figure counts."""
    teams = teams_led(request.user)
    team, caseworker = team_and_caseworker(request.GET, teams)
    today = timezone.localdate()
    cases = open_cases_of(request.user, [team])
    columns = {c.key: c for c in columns_for(cases=cases, today=today)}
    column = columns.get(request.GET.get("figure", "open_cases"))
    if column is None:
        raise Http404("No such figure")
    assignee = caseworker.pk if caseworker is not None else None
    if column.sources:
        items = column.items(team.pk, assignee)
    elif column.drilldown is not None:  # a column still in the older shape: its cases
        chosen = column.drilldown(cases.filter(assigned_to=caseworker)).order_by("reference")
        items = [Item(case) for case in chosen]
    else:
        items = []
    # The main contact of each case listed, in one query: the name a supervisor knows.
    names = main_contact_names({item.case.pk for item in items})
    rows = [{"item": item, "name": names.get(item.case.pk, "")} for item in items]
    return render(
        request,
        "supervision/drilldown.html",
        {
            "team": team,
            "caseworker": caseworker,
            "column": column,
            "rows": rows,
            "figure": column.count(team.pk, assignee),
            "total": column.total(items),
        },
    )


@role_required(Role.SUPERVISOR)
def reassign(request: SignedInRequest) -> HttpResponse:
    """Step 1 choose cases and the new caseworker; step 2 confirm the list; step 3 move."""
    teams = teams_led(request.user)
    team, caseworker = team_and_caseworker(request.GET, teams)
    cases = case_list_for_user(user=request.user).filter(team=team, assigned_to=caseworker)
    choices = services.caseworkers_of(team)
    if caseworker is not None:
        choices = choices.exclude(pk=caseworker.pk)
    form = ReassignForm(
        request.POST or None,
        cases=cases.order_by("reference"),
        caseworkers=choices,
    )
    n = cases.count()
    form.fields["everything"].label = ngettext(
        "all %(n)d case listed here", "all %(n)d cases listed here", n
    ) % {"n": n}
    if request.method == "POST" and form.is_valid():
        chosen = prefetch_households(form.cleaned_data["cases"].order_by("reference"))
        if request.POST.get("step") != "confirm":
            return render(
                request,
                "supervision/reassign_confirm.html",
                {
                    "form": form,
                    "team": team,
                    "caseworker": caseworker,
                    "chosen": chosen,
                    "households": [(case, household_sorted(case.clients.all())) for case in chosen],
                    "to": form.cleaned_data["to"],
                },
            )
        try:
            with transaction.atomic():  # all or nothing
                for case in chosen:
                    services.case_assign(
                        actor=request.user, case=case, caseworker=form.cleaned_data["to"]
                    )
        except ValidationError as e:
            messages.error(request, error_text(e))
        else:
            n = len(chosen)
            messages.success(
                request,
                ngettext(
                    "%(n)d case now assigned to %(name)s.",
                    "%(n)d cases now assigned to %(name)s.",
                    n,
                )
                % {"n": n, "name": display_name(form.cleaned_data["to"])},
            )
            return redirect("supervision:dashboard")
    return render(
        request,
        "supervision/reassign.html",
        {"form": form, "team": team, "caseworker": caseworker},
    )


@page_required("supervision:statistics")
def statistics(request: SignedInRequest) -> HttpResponse:
    teams = teams_led(request.user)
    today = timezone.localdate()
    last_year = today.year - 1
    form = StatisticsForm(
        request.GET or None,
        teams=teams,
        initial={
            "start": datetime.date(last_year, 1, 1),
            "end": datetime.date(last_year, 12, 31),
            "teams": list(teams),
        },
    )
    tables = []
    chosen_teams = list(teams)
    scope = StatisticsScope.TEAMS
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        scope = form.cleaned_data["scope"]
        if scope == StatisticsScope.TEAMS:
            chosen_teams = list(form.cleaned_data["teams"])
            cases = case_list_for_user(user=request.user, include_closed=True)
        else:
            # Counts of every team of the carriers (or of the house): never a case.
            chosen_teams = list(statistics_teams(teams, house=scope == StatisticsScope.HOUSE))
            cases = cases_for_statistics(teams=chosen_teams)
        # Cases open at any time during the period, in the chosen teams.
        cases = cases.filter(team__in=chosen_teams, opened_on__lte=end).exclude(closed_on__lt=start)
        # A closed period's tables are kept once computed (supervision.kept says what drops
        # them), under the scope and the teams counted: never another scope's figures.
        tables = kept_statistics(
            scope=scope,
            teams=chosen_teams,
            start=start,
            end=end,
            compute=lambda: statistics_for(cases=cases, start=start, end=end),
        )
        # Deleted cases (retention) still count in the year they were open (cases.privacy.residue).
        tables = add_residue(tables, teams=chosen_teams, start=start, end=end)
        export = request.GET.get("format")
        if export in ("csv", "xlsx"):
            report = Report(start, end, [str(t) for t in chosen_teams], today)
            rows = export_rows([_("table"), _("category"), _("count")], tables, report)
            name = f"statistik-{start:%Y%m%d}-{end:%Y%m%d}"
            if export == "csv":
                response = HttpResponse(as_csv(rows), content_type="text/csv; charset=utf-8")
                response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            else:
                response = HttpResponse(
                    as_xlsx(rows, header_lines=len(report.lines())),
                    content_type=(
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    ),
                )
                response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
    shown = []
    for t in tables:
        published = protect(t.rows)
        shown.append(
            {
                "table": t,
                "rows": [(label, display(value)) for label, value in published.rows],
                "total": display(published.total),
                "chart": bar_chart(t),
            }
        )
    query = request.GET.copy()
    query.pop("format", None)
    presets = []
    for label, first, last in period_presets(today):
        params = QueryDict(mutable=True)
        params["start"], params["end"] = first.isoformat(), last.isoformat()
        params.setlist("teams", [str(t.pk) for t in chosen_teams if t in teams])
        params["scope"] = scope
        presets.append({"label": label, "query": params.urlencode()})
    return render(
        request,
        "supervision/statistics.html",
        {
            "form": form,
            "tables": shown,
            "query": query.urlencode(),
            "presets": presets,
            "rule": suppression_rule(),
        },
    )
