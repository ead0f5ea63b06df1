"""The data protection officer's pages: the access log and disclosures (Art. 15 DSGVO).

Both are behind the `caseworks.data_protection` permission (a team supervisor may also
produce a disclosure for a person of their team). Everyone else gets 404.
"""

import json

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cases.models import Case
from cases.selectors import case_is_supervised_by, client_get_for_case
from caseworks.audit import log_access
from caseworks.dataprotection import disclosure
from caseworks.dpo import is_data_protection_officer
from caseworks.models import AccessLog
from caseworks.pdf import render_pdf
from caseworks.supervision import local_days

PAGE_SIZE = 50


def _require_dpo(user):
    if not is_data_protection_officer(user):
        raise Http404("Not the data protection officer")


class AccessLogFilter(forms.Form):
    user = forms.ModelChoiceField(
        label=_("User"), required=False, queryset=None, empty_label=_("all users")
    )
    reference = forms.CharField(
        label=_("Case reference"), required=False, max_length=60, help_text=_("e.g. 2026-0042")
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.order_by("username")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data

    def apply(self, entries):
        data = self.cleaned_data
        if data.get("user"):
            entries = entries.filter(user=data["user"])
        if data.get("reference"):
            reference = data["reference"].strip()
            case = Case.objects.filter(reference=reference).first()
            codes = [reference]
            if case is not None:
                codes = [case.code, *case.clients.values_list("code", flat=True)]
            entries = entries.filter(object_label=reference) | entries.filter(
                object_code__in=[c for c in codes if not isinstance(c, str)]
            )
        if data.get("date_from"):
            entries = entries.filter(at__gte=local_days(data["date_from"], data["date_from"])[0])
        if data.get("date_to"):
            entries = entries.filter(at__lt=local_days(data["date_to"], data["date_to"])[1])
        return entries


@login_required
@require_GET
def access_log(request):
    _require_dpo(request.user)
    form = AccessLogFilter(request.GET or None)
    entries = AccessLog.objects.select_related("user").order_by("-at", "-pk")
    if form.is_bound and form.is_valid():
        entries = form.apply(entries)
    elif form.is_bound:
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "caseworks/access_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _person_for_disclosure(request, code, client_code):
    case = Case.objects.select_related("team__organisation").filter(code=code).first()
    if case is None:
        raise Http404("No such case")
    if not (
        is_data_protection_officer(request.user)
        or case_is_supervised_by(case=case, user=request.user)
    ):
        raise Http404("No disclosure right")
    return client_get_for_case(case=case, code=client_code)


def _labels() -> dict[str, str]:
    """Field name -> its (translated) label, for the PDF; the JSON keeps the names."""
    from caseworks.dataprotection import PERSON_DATA

    labels = {}
    for model in [Case, *(source.model for source in PERSON_DATA)]:
        for field in model._meta.concrete_fields:
            labels.setdefault(field.name, str(field.verbose_name))
    return labels


def _flat(values: dict, labels: dict[str, str]) -> list[tuple[str, str]]:
    return [
        (
            labels.get(key, key.replace("_", " ")),
            ", ".join(map(str, value))
            if isinstance(value, list)
            else json.dumps(value, ensure_ascii=False)
            if isinstance(value, dict)
            else value,
        )
        for key, value in values.items()
    ]


def _sections(data: dict) -> list[tuple[str, list[dict]]]:
    """The disclosure as headed tables for the PDF, in the order of the JSON."""
    titles = {
        "person": _("The person"),
        "case": _("The case (household)"),
        "residence_statuses": _("Residence status"),
        "reference_numbers": _("Reference numbers"),
        "bamf_decisions": _("BAMF decisions"),
        "deadlines": _("Deadlines"),
        "visits": _("Visits"),
        "arrival_checks": _("Arrival checklist"),
        "accompaniments": _("Accompaniments"),
        "consents": _("Consents"),
        "referrals": _("Referrals"),
        "letters": _("Letters"),
        "cover_accesses": _("Cover access by colleagues"),
        "shares": _("Shared with"),
        "history": _("History of changes"),
        "access_log": _("Access log"),
    }
    labels = _labels()
    sections = []
    for key, title in titles.items():
        value = data.get(key)
        if isinstance(value, dict):
            sections.append((title, [{"heading": "", "values": _flat(value, labels)}]))
        elif key == "history":
            sections.append(
                (
                    title,
                    [
                        {
                            "heading": " · ".join(
                                [h["at"], h["record"], h["change"], h["by"] or ""]
                            ),
                            "values": _flat(h["values"], labels),
                        }
                        for h in value
                    ],
                )
            )
        else:
            sections.append(
                (title, [{"heading": "", "values": _flat(row, labels)} for row in value or []])
            )
    return sections


@login_required
@require_GET
def disclosure_export(request, code, client_code, fmt):
    if fmt not in ("json", "pdf"):
        raise Http404("No such format")
    person = _person_for_disclosure(request, code, client_code)
    data = disclosure(person)
    log_access(
        user=request.user,
        action=f"client.disclosure.{fmt}",
        obj=person,
        label=person.case.reference,
    )
    stamp = timezone.localdate().isoformat()
    filename = f"auskunft-{person.case.reference}-{stamp}.{fmt}"
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2).encode()
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        html = render_to_string(
            "caseworks/disclosure.html",
            {"data": data, "sections": _sections(data)},
            request=request,
        )
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
