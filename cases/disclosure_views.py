"""The disclosure (Art. 15 DSGVO) of everything stored about one person, as JSON or PDF.

For the data protection officer (any case) and the supervisors of the case's team; 404 for
everyone else (cases.selectors.case_get_for_disclosure). The export is logged.
"""

import json

from django.db.models import Model
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from cases.selectors import case_get_for_disclosure, client_get_for_case
from caseworks.audit import log_access
from caseworks.dataprotection import disclosure, person_data_sources
from caseworks.pdf import render_pdf
from caseworks.permissions import DATA_PROTECTION, role_required
from caseworks.roles import Role

FORMATS = ("json", "pdf")


def _labels() -> dict[str, str]:
    """Field name -> its (translated) label, for the PDF; the JSON keeps the names."""
    labels: dict[str, str] = {}
    models: list[type[Model]] = [Case, *(source.model for source in person_data_sources())]
    for model in models:
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


def _sections(data: dict) -> list[tuple[str | Promise, list[dict]]]:
    """The disclosure as headed tables for the PDF: the person, the household, then every
    registered source (the rows that depend on others last), the history and the log."""
    labels = _labels()
    sections: list[tuple[str | Promise, list[dict]]] = [
        (_("The person"), [{"heading": "", "values": _flat(data["person"], labels)}]),
        (_("The case (household)"), [{"heading": "", "values": _flat(data["case"], labels)}]),
    ]
    for source in reversed(person_data_sources()):
        if source.key in data:
            rows = [{"heading": "", "values": _flat(row, labels)} for row in data[source.key]]
            sections.append((source.title, rows))
    history = [
        {
            "heading": " · ".join([h["at"], h["record"], h["change"], h["by"] or ""]),
            "values": _flat(h["values"], labels),
        }
        for h in data["history"]
    ]
    sections.append((_("History of changes"), history))
    log = [{"heading": "", "values": _flat(entry, labels)} for entry in data["access_log"]]
    sections.append((_("Access log"), log))
    return sections


@role_required(Role.SUPERVISOR, DATA_PROTECTION, methods=["GET"])
def disclosure_export(request, code, client_code, fmt):
    if fmt not in FORMATS:
        raise Http404("No such format")
    case = case_get_for_disclosure(user=request.user, code=code)
    person = client_get_for_case(case=case, code=client_code)
    data = disclosure(person)
    log_access(
        user=request.user,
        action=f"client.disclosure.{fmt}",
        obj=person,
        label=case.reference,
    )
    stamp = timezone.localdate().isoformat()
    filename = f"auskunft-{case.reference}-{stamp}.{fmt}"
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2).encode()
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        html = render_to_string(
            "cases/disclosure.html",
            {"data": data, "sections": _sections(data)},
            request=request,
        )
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
