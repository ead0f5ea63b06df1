"""Supervisors: the caseload dashboard, the cases behind each figure, (bulk) reassignment
with a confirmation step, and the statistics for funders."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cases import services
from cases.models import CoverAccess, household_sorted
from cases.privacy.residue import add_residue
from cases.selectors import (
    case_list_for_user,
    cases_supervised_by,
    main_contact_names,
    main_contacts,
    prefetch_households,
    teams_supervised_by,
)
from caseworks.access.permissions import page_required, role_required
from caseworks.access.roles import Role, has_role
from caseworks.extensions.supervision import Item, columns_for, statistics_for, team_figures_for
from caseworks.web.forms import BoundedDateField, IdMultipleChoiceField, error_text
from caseworks.web.users import display_name
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

UNASSIGNED = "none"
COVER_SHOWN = datetime.timedelta(days=30)


def teams_led(user):
    if not has_role(user, Role.SUPERVISOR):
        raise Http404("Not a supervisor")
    return teams_supervised_by(user).select_related("organisation").order_by("name")


def _is_id(value: str) -> bool:
    """A primary key as typed in a URL: ASCII digits only ("²" and "٣" are digits too)."""
    return value.isascii() and value.isdigit() and len(value) < 19


def _team_and_caseworker(request, teams):
    """The team and caseworker named in the query string, both within the supervisor's
    teams (404 otherwise). caseworker None means the team's unassigned cases."""
    team_key = request.GET.get("team", "")
    team = teams.filter(pk=int(team_key)).first() if _is_id(team_key) else None
    if team is None:
        raise Http404("No such team")
    key = request.GET.get("caseworker", UNASSIGNED)
    if key == UNASSIGNED:
        return team, None
    caseworker = services.caseworkers_of(team).filter(pk=int(key)).first() if _is_id(key) else None
    if caseworker is None:
        raise Http404("No such caseworker in this team")
    return team, caseworker


def _ordered(columns):
    """The figures that matter first (primary), then the rest; each in its order."""
    return sorted(columns, key=lambda c: (not c.primary, c.order))


@page_required("supervision:dashboard")
def dashboard(request):
    teams = list(teams_led(request.user))
    today = timezone.localdate()
    cases = case_list_for_user(user=request.user).filter(team__in=teams)
    columns = _ordered(columns_for(cases=cases, today=today))
    team_figures = team_figures_for(cases=cases, today=today)
    members = (
        get_user_model()
        .objects.filter(teams__in=teams, groups__name=Role.CASEWORKER, is_active=True)
        .values("pk", "first_name", "last_name", "username", "teams")
        .distinct()
    )
    by_team = {team.pk: [] for team in teams}
    for m in members:
        if m["teams"] in by_team:
            by_team[m["teams"]].append(m)
    sort = request.GET.get("sort", "")
    descending = request.GET.get("dir") == "desc"
    keys = {c.key for c in columns}
    sections = []
    for team in teams:
        rows = []
        people = [
            (m["pk"], f"{m['first_name']} {m['last_name']}".strip() or m["username"])
            for m in by_team[team.pk]
        ]
        for pk, name in [*people, (None, _("not assigned"))]:
            figures = [(c, c.counts.get((team.pk, pk), 0)) for c in columns]
            rows.append(
                {
                    "caseworker": UNASSIGNED if pk is None else pk,
                    "name": name,
                    "figures": figures,
                    "primary": [(c, n) for c, n in figures if c.primary],
                    "more": [(c, n) for c, n in figures if not c.primary],
                    "open_cases": next((n for c, n in figures if c.key == "open_cases"), 0),
                    "unassigned": pk is None,
                }
            )
        if sort in keys:
            rows.sort(
                key=lambda r: next(n for c, n in r["figures"] if c.key == sort), reverse=descending
            )
        elif sort == "name":
            rows.sort(key=lambda r: r["name"].casefold(), reverse=descending)
        sections.append(
            {
                "team": team,
                "rows": rows,
                "figures": [(f, f.values.get(team.pk, f.missing)) for f in team_figures],
            }
        )
    covers = (
        CoverAccess.objects.filter(
            case__team__in=teams, granted_at__gte=timezone.now() - COVER_SHOWN
        )
        .select_related("case", "user")
        .order_by("-awaiting_approval", "-granted_at")[:50]
    )
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
def cover_approve(request, pk):
    """Let a waiting cover access open the colleague's file (a supervisor of its team)."""
    access = (
        CoverAccess.objects.filter(pk=pk, case__in=cases_supervised_by(user=request.user))
        .select_related("case", "user")
        .first()
    )
    if access is None:
        raise Http404("No such cover access")
    services.cover_access_approve(actor=request.user, access=access)
    messages.success(
        request,
        _("%(user)s may open case %(ref)s now.")
        % {"user": display_name(access.user), "ref": access.case.reference},
    )
    return redirect("supervision:dashboard")


@role_required(Role.SUPERVISOR)
def drilldown(request):
    """The items behind one figure of one row: the same records the figure counts."""
    teams = teams_led(request.user)
    team, caseworker = _team_and_caseworker(request, teams)
    today = timezone.localdate()
    cases = case_list_for_user(user=request.user).filter(team=team)
    columns = {c.key: c for c in columns_for(cases=cases, today=today)}
    column = columns.get(request.GET.get("figure", "open_cases"))
    if column is None:
        raise Http404("No such figure")
    assignee = caseworker.pk if caseworker is not None else None
    if column.sources:
        items = column.items(team.pk, assignee)
    else:  # a column still in the older shape: the cases behind it
        chosen = column.drilldown(cases.filter(assigned_to=caseworker)).order_by("reference")
        items = [Item(case) for case in chosen]
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
            "figure": column.counts.get((team.pk, assignee), 0),
            "total": column.total(items),
        },
    )


class ReassignForm(forms.Form):
    """Nothing is preselected: moving a caseload is a decision per case, or "all" on purpose."""

    cases = IdMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Cases"),
    )
    everything = forms.BooleanField(required=False, label=gettext_lazy("all of these cases"))
    to: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("Assign to")
    )

    def __init__(self, *args, cases, caseworkers, **kwargs):
        super().__init__(*args, **kwargs)
        self.all_cases = cases
        # The main contact's name beside the reference, one query for all (decrypted for the
        # supervisor on this page only; never logged).
        main = main_contacts(name_only=True)
        self.fields["cases"].queryset = cases.prefetch_related(
            Prefetch("clients", queryset=main, to_attr="main_contacts")
        )
        self.fields["cases"].label_from_instance = _case_label
        self.fields["to"].queryset = caseworkers
        self.fields["to"].label_from_instance = display_name

    def clean(self):
        data = super().clean()
        if data.get("everything"):
            data["cases"] = self.all_cases
        elif not data.get("cases") and "cases" not in self.errors:
            self.add_error("cases", _("Choose the cases to move, or “all of these cases”."))
        return data


def _case_label(case) -> str:
    main = case.main_contacts[0].full_name if getattr(case, "main_contacts", None) else ""
    return f"{case.reference} · {main}" if main else case.reference


@role_required(Role.SUPERVISOR)
def reassign(request):
    """Step 1 choose cases and the new caseworker; step 2 confirm the list; step 3 move."""
    teams = teams_led(request.user)
    team, caseworker = _team_and_caseworker(request, teams)
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
            for case in chosen:
                case.household = household_sorted(case.clients.all())
            return render(
                request,
                "supervision/reassign_confirm.html",
                {
                    "form": form,
                    "team": team,
                    "caseworker": caseworker,
                    "chosen": chosen,
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


class StatisticsForm(forms.Form):
    start = BoundedDateField(label=gettext_lazy("from"))
    end = BoundedDateField(label=gettext_lazy("until"))
    teams = IdMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Teams")
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The period cannot end before it starts."))
        return data


@page_required("supervision:statistics")
def statistics(request):
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
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        chosen_teams = list(form.cleaned_data["teams"])
        # Cases open at any time during the period, in the chosen teams.
        cases = (
            case_list_for_user(user=request.user, include_closed=True)
            .filter(team__in=chosen_teams, opened_on__lte=end)
            .exclude(closed_on__lt=start)
        )
        tables = statistics_for(cases=cases, start=start, end=end)
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
        params.setlist("teams", [str(t.pk) for t in chosen_teams])
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
