"""The data protection officer's pages that read cases: the person search, the disclosure
(Art. 15 DSGVO) and retention.

The person search (cases.privacy.people): the DPO of a carrier finds a person of that carrier
by name, birth date or case reference, sees a minimal row (never the case file) and starts the
disclosure from it; each search and each person named is in the access log.

Retention (cases.privacy.retention), per carrier: what is due (cases closed before the
carrier's cutoff: reference, team, closed on — no name), what ran and what did not finish,
a dry run (recorded, counts only, nothing deleted) and a run for real after a confirmation,
both named in the access log under the DPO's name (`retention.dry_run`, `retention.run`) and
on the report as who started them.

The disclosure (Art. 15 DSGVO) of everything stored about one person, as JSON or PDF.

For the data protection officer of the case's carrier and the supervisors of its team; 404 for
everyone else (cases.selectors.case_get_for_disclosure), checked on every page, the download
too. The JSON is made in the request; the PDF takes seconds (minutes under load), so it is
built in the background (cases.privacy.exports): the PDF page asks for it, a page says it is
being created and refreshes itself, then offers it once. An export is logged once it has
been handed out (a failed one is not one).
"""

import datetime
import json
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, Client
from cases.models.disclosure import DisclosureExport
from cases.privacy import exports, people, retention
from cases.selectors import case_get_for_disclosure, client_get_for_case
from caseworks.access.permissions import DATA_PROTECTION, role_required
from caseworks.access.roles import Role
from caseworks.audit.dataprotection import case_row_counts, disclosure
from caseworks.audit.log import log_access, log_event
from caseworks.audit.scope import carriers_of_dpo, organisation_for_dpo
from caseworks.models import AccessLog, Organisation, RetentionRun

FORMATS = ("json", "pdf")
REFRESH_SECONDS = 3  # the "being created" page asks again this often


def disclosure_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def _person(request, code, client_code) -> tuple[Case, Client]:
    case = case_get_for_disclosure(user=request.user, code=code)
    return case, client_get_for_case(case=case, code=client_code)


def _export(request, person: Client, export_code) -> DisclosureExport:
    """The requester's own export of this person; 404 for anyone else's."""
    export = DisclosureExport.objects.filter(
        code=export_code, person=person, requested_by=request.user
    ).first()
    if export is None:
        raise Http404("No such export")
    return export


def _attachment(response: HttpResponse, case: Case, fmt: str) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="auskunft-{case.reference}-{stamp}.{fmt}"'
    )
    return response


@role_required(Role.SUPERVISOR, DATA_PROTECTION, methods=["GET", "POST"])
def disclosure_export(request, code, client_code, fmt):
    if fmt not in FORMATS:
        raise Http404("No such format")
    case, person = _person(request, code, client_code)
    if fmt == "pdf":
        return _pdf_request(request, case, person)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    response = HttpResponse(
        disclosure_json(disclosure(person)), content_type="application/json; charset=utf-8"
    )
    # Logged once it exists: a failed export (an error, a worker timeout) is not one.
    log_access(user=request.user, action="client.disclosure.json", obj=person, label=case.reference)
    return _attachment(response, case, "json")


def _pdf_request(request, case: Case, person: Client):
    """GET: the page to ask for the PDF (with the user's exports of the person still
    waiting or ready); POST: ask for it, then its page."""
    if request.method == "POST":
        export = exports.export_request(actor=request.user, person=person)
        return redirect("disclosure_status", case.code, person.code, export.code)
    mine = DisclosureExport.objects.filter(person=person, requested_by=request.user).order_by(
        "-requested_at"
    )
    return render(
        request,
        "cases/disclosure_request.html",
        {"case": case, "person": person, "exports": mine},
    )


@role_required(Role.SUPERVISOR, DATA_PROTECTION, methods=["GET"])
def disclosure_status(request, code, client_code, export_code):
    case, person = _person(request, code, client_code)
    export = _export(request, person, export_code)
    response = render(
        request,
        "cases/disclosure_status.html",
        {"case": case, "person": person, "export": export},
    )
    if export.in_progress:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@role_required(Role.SUPERVISOR, DATA_PROTECTION, methods=["GET"])
def disclosure_download(request, code, client_code, export_code):
    """The PDF, once: the rights are checked again (they may have ended since it was asked
    for), then it is logged and deleted as it is handed out."""
    case, person = _person(request, code, client_code)
    export = _export(request, person, export_code)
    pdf = exports.export_take(export=export, actor=request.user, label=case.reference)
    if pdf is None:
        raise Http404("Not ready, or already downloaded")
    return _attachment(HttpResponse(pdf, content_type="application/pdf"), case, "pdf")


# --- the DPO's person search -------------------------------------------------------------------


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Name, date of birth or case reference"),
        max_length=100,
        help_text=gettext_lazy("e.g. Rahimi, 16.05.1966 or 2026-0042"),
    )


@role_required(DATA_PROTECTION, methods=["GET", "POST"])
def dpo_people(request):
    """The search posts (a name or a birth date never goes into a URL, where server logs and
    the browser history keep it); the results are the answer to the post."""
    form = PersonSearchForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        found = people.person_search(user=request.user, query=form.cleaned_data["q"])
    return render(
        request,
        "caseworks/dpo_people.html",
        {"form": form, "found": found, "carriers": carriers_of_dpo(request.user)},
    )


# --- retention, per carrier ---------------------------------------------------------------------

RETENTION_RUNS = 100  # the latest runs a report lists
DUE_LISTED = 200  # due cases listed by reference (all are counted)
WEB_MAX_CASES = 300  # cases one run started on the page deletes (the web server's timeout)
STALE = datetime.timedelta(hours=6)  # a run still "running" after this has died


@dataclass(frozen=True)
class RunPart:
    """A carrier's part of a retention run: its cutoff and its counts, never another's."""

    run: RetentionRun
    cutoff: str | None
    counts: dict[str, int] | None  # None: the run did not record counts per carrier
    started_by: str  # the DPO who started it on the page; "" for the nightly command

    @property
    def failed(self) -> bool:
        return self.run.status == RetentionRun.Status.INTERRUPTED or (
            self.run.status == RetentionRun.Status.RUNNING and timezone.now() - self.run.at > STALE
        )


def run_parts(organisation: Organisation) -> list[RunPart]:
    """The latest runs that concern this carrier: the nightly ones (every carrier) and those
    started for it; not another carrier's DPO's runs of their own carrier."""
    key = str(organisation.pk)
    starters = {
        entry.detail.get("run"): entry.username
        for entry in AccessLog.objects.filter(
            action__in=["retention.dry_run", "retention.run"], organisation=organisation
        ).only("detail", "username")
    }
    runs = RetentionRun.objects.order_by("-at", "-pk")[:RETENTION_RUNS]
    return [
        RunPart(
            run, run.cutoffs.get(key), run.organisation_counts.get(key), starters.get(run.pk, "")
        )
        for run in runs
        if key in run.cutoffs or not run.cutoffs
    ]


class RetentionRunForm(forms.Form):
    """The confirmation of a run for real: the number of due cases the DPO saw, so that a
    run never deletes what they did not see (more became due, a second tap)."""

    due = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I have checked the dry run: these cases are deleted for good, with everything "
            "about them."
        )
    )


def _due(organisation: Organisation) -> tuple[datetime.date, list[Case], int]:
    cutoff, cases = retention.due_cases(organisation)
    listed = list(
        cases.select_related("team").only("reference", "closed_on", "team__name")[:DUE_LISTED]
    )
    return cutoff, listed, cases.count()


@role_required(DATA_PROTECTION, methods=["GET"])
def retention_reports(request):
    """The carriers this DPO serves; with one, straight to its report."""
    carriers = carriers_of_dpo(request.user)
    if len(carriers) == 1:
        return redirect("retention_report", organisation_code=carriers[0].code)
    return render(request, "caseworks/retention_reports.html", {"carriers": carriers})


@role_required(DATA_PROTECTION, methods=["GET"])
def retention_report(request, organisation_code):
    """One carrier's retention: what is due, what ran, what failed; 404 for another carrier's
    DPO."""
    organisation = organisation_for_dpo(request.user, str(organisation_code))
    cutoff, due, due_count = _due(organisation)
    parts = run_parts(organisation)
    return render(
        request,
        "caseworks/retention_report.html",
        {
            "organisation": organisation,
            "parts": parts,
            "failed": [part for part in parts if part.failed],
            "cutoff": cutoff,
            "due": due,
            "due_count": due_count,
            "web_max_cases": WEB_MAX_CASES,
        },
    )


def _start(request: HttpRequest, organisation: Organisation, *, dry_run: bool) -> RetentionRun:
    """Run retention for this carrier only, attributed to the DPO in the access log. In the
    web process the history stays switched on (retention._no_deletion_history)."""
    run, totals = retention.apply_retention(
        dry_run=dry_run,
        organisations=[organisation],
        history_switch=False,
        max_cases=WEB_MAX_CASES,
    )
    log_event(
        user=request.user,  # type: ignore[arg-type]
        action="retention.dry_run" if dry_run else "retention.run",
        object_type="retentionrun",
        label=f"{organisation.name}",
        detail={"run": run.pk, "cases": totals.get("cases", 0)},
        organisation=organisation.pk,
    )
    return run


@role_required(DATA_PROTECTION, methods=["POST"])
def retention_dry_run(request, organisation_code):
    """A dry run for this carrier: counts what would be deleted, deletes nothing."""
    organisation = organisation_for_dpo(request.user, str(organisation_code))
    run = _start(request, organisation, dry_run=True)
    counts = run.organisation_counts.get(str(organisation.pk), {})
    messages.success(
        request,
        _("Dry run done: %(n)s cases would be deleted. Nothing was deleted.")
        % {"n": counts.get("cases", 0)},
    )
    return redirect("retention_report", organisation_code=organisation.code)


@role_required(DATA_PROTECTION, methods=["GET", "POST"])
def retention_run(request, organisation_code):
    """The run for real: GET shows what it deletes (counted now, as a dry run would) and asks
    for the confirmation; POST runs it. Not through form_page: its one transaction would
    hold the whole run, while retention commits a batch of cases at a time (a run that
    breaks off keeps what it deleted, recorded)."""
    organisation = organisation_for_dpo(request.user, str(organisation_code))
    report = reverse("retention_report", kwargs={"organisation_code": organisation.code})
    cutoff, due, due_count = _due(organisation)
    form = RetentionRunForm(request.POST or None, initial={"due": due_count})
    if request.method == "POST" and form.is_valid():
        if due_count == 0:
            messages.info(request, _("No case is due any more: nothing was deleted."))
            return redirect(report)
        if form.cleaned_data["due"] != due_count:
            messages.warning(
                request,
                _(
                    "The cases due have changed since this page was shown. Check the list "
                    "again and confirm once more. Nothing was deleted."
                ),
            )
            form = RetentionRunForm(initial={"due": due_count})
        else:
            run = _start(request, organisation, dry_run=False)
            deleted = run.organisation_counts.get(str(organisation.pk), {}).get("cases", 0)
            messages.success(
                request, _("Retention run done: %(n)s cases deleted.") % {"n": deleted}
            )
            return redirect(report)
    counts: dict[str, int] = {}
    for case in retention.due_cases(organisation)[1][:WEB_MAX_CASES]:
        for key, n in case_row_counts(case).items():
            counts[key] = counts.get(key, 0) + n
    return render(
        request,
        "caseworks/dpo_retention_run.html",
        {
            "organisation": organisation,
            "form": form,
            "cutoff": cutoff,
            "due": due,
            "due_count": due_count,
            "counts": counts,
            "web_max_cases": WEB_MAX_CASES,
        },
    )
