"""The data protection officer's access log, per carrier; everyone else gets 404. (The
person search, the disclosure (Art. 15 DSGVO) and the retention pages read cases:
cases.privacy.views.) The log reads in words: each action code and role by its label, times
as local time (caseworks.audit.labels).

Which entries a DPO reads (caseworks.access.dpo.dpo_organisation_ids): those stamped with a
carrier they serve (AccessLog.organisation, stamped when written: the record's case's team's
organisation at that time; a team's or a DPO change: that carrier), and the entries about the
house (no carrier: changes to accounts as such, the set-up, searches across the house), which
every carrier's DPO reads because the administrator and the accounts are shared. Another
carrier's entries are never listed; asking for that carrier (?organisation=<its code>) is 404.
"""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from caseworks.access.dpo import dpo_organisation_ids
from caseworks.access.permissions import DATA_PROTECTION, page_required, role_required
from caseworks.access.roles import Role
from caseworks.audit import insider
from caseworks.audit.arrangement import arrangement_pdf
from caseworks.audit.labels import action_label, local_time, object_type_label
from caseworks.audit.scope import organisation_for_dpo
from caseworks.extensions.audit import dpo_links
from caseworks.extensions.personal_data import codes_for_reference
from caseworks.extensions.supervision import local_days
from caseworks.models import AccessLog, Organisation
from caseworks.web.forms import BoundedDateField

PAGE_SIZE = 50


ACCOUNTS, RECORDS = "accounts", "records"
HOUSE = "house"


def visible_entries(user: Any):
    """The access log entries `user` reads as a DPO: their carriers' and the house's."""
    return AccessLog.objects.filter(
        Q(organisation__in=dpo_organisation_ids(user)) | Q(organisation__isnull=True)
    )


class AccessLogFilter(forms.Form):
    user: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        label=_("User"), required=False, queryset=None, empty_label=_("all users")
    )
    kind = forms.ChoiceField(
        label=_("Entries"),
        required=False,
        choices=[
            ("", _("all entries")),
            (RECORDS, _("records opened, printed or exported")),
            (ACCOUNTS, _("changes to accounts (roles, teams, permissions, second factor)")),
        ],
    )
    subject: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        label=_("Concerning user"),
        required=False,
        queryset=None,
        empty_label=_("any"),
        help_text=_("Changes to this user's account, whoever made them."),
    )
    organisation = forms.ChoiceField(label=_("Carrier"), required=False)
    reference = forms.CharField(
        label=_("Case reference"), required=False, max_length=60, help_text=_("e.g. 2026-0042")
    )
    date_from = BoundedDateField(label=_("From"), required=False)
    date_to = BoundedDateField(label=_("Until"), required=False)

    def __init__(self, *args: Any, carriers=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("my carriers and the house")),
            *((str(o.code), str(o)) for o in carriers),
            (HOUSE, _("the house only (accounts, set-up)")),
        ]
        for name in ("user", "subject"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = get_user_model().objects.order_by("username")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data

    def apply(self, entries):
        data = self.cleaned_data
        if data.get("organisation") == HOUSE:
            entries = entries.filter(organisation__isnull=True)
        elif data.get("organisation"):
            entries = entries.filter(organisation__code=data["organisation"])
        if data.get("user"):
            entries = entries.filter(user=data["user"])
        account_changes = Q()
        for prefix in insider.ACCOUNT_ACTION_PREFIXES:
            account_changes |= Q(action__startswith=prefix)
        if data.get("kind") == ACCOUNTS:
            entries = entries.filter(account_changes)
        elif data.get("kind") == RECORDS:
            entries = entries.exclude(account_changes)
        if data.get("subject"):
            entries = entries.filter(
                object_type="user", object_code=insider.subject_code(data["subject"])
            )
        if data.get("reference"):
            reference = data["reference"].strip()
            entries = entries.filter(object_label=reference) | entries.filter(
                object_code__in=codes_for_reference(reference)
            )
        if data.get("date_from"):
            entries = entries.filter(at__gte=local_days(data["date_from"], data["date_from"])[0])
        if data.get("date_to"):
            entries = entries.filter(at__lt=local_days(data["date_to"], data["date_to"])[1])
        return entries


def _outcome(entry: AccessLog) -> str:
    """What a DPO's search or a retention run came to, from its counts."""
    detail = entry.detail or {}
    if entry.action == "dpo.person_search":
        return gettext("persons found: %(n)s") % {"n": detail.get("persons", 0)}
    if entry.action.startswith("retention.") and "cases" in detail:
        return gettext("cases: %(n)s") % {"n": detail["cases"]}
    return ""


@page_required("access_log", methods=["GET"])
def access_log(request):
    wanted = request.GET.get("organisation", "")
    if wanted and wanted != HOUSE:
        organisation_for_dpo(request.user, wanted)
    carriers = Organisation.objects.filter(pk__in=dpo_organisation_ids(request.user))
    form = AccessLogFilter(request.GET or None, carriers=carriers)
    entries = (
        visible_entries(request.user).select_related("user", "organisation").order_by("-at", "-pk")
    )
    if form.is_bound and form.is_valid():
        entries = form.apply(entries)
    elif form.is_bound:
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.when = local_time(entry.at)
        entry.what = action_label(entry.action)
        entry.record = object_type_label(entry.object_type)
        entry.change = insider.describe(entry) or _outcome(entry)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "caseworks/access_log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "carriers": carriers,
            "dpo_links": list(dpo_links),
        },
    )


# --- the joint arrangement (Art. 26 DSGVO) ----------------------------------------------------


@role_required(Role.ADMIN, DATA_PROTECTION, methods=["GET"])
def joint_arrangement(request):
    response = HttpResponse(arrangement_pdf(request=request), content_type="application/pdf")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'inline; filename="gemeinsame-verantwortung-{stamp}.pdf"'
    return response
