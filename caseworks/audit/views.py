"""The data protection officer's access log, behind the `caseworks.data_protection`
permission; everyone else gets 404. (The disclosure, Art. 15 DSGVO, is a case page:
cases.privacy.views.)"""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from caseworks.access.permissions import page_required
from caseworks.audit import insider
from caseworks.extensions.personal_data import codes_for_reference
from caseworks.extensions.supervision import local_days
from caseworks.models import AccessLog
from caseworks.web.forms import BoundedDateField

PAGE_SIZE = 50


ACCOUNTS, RECORDS = "accounts", "records"


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
    reference = forms.CharField(
        label=_("Case reference"), required=False, max_length=60, help_text=_("e.g. 2026-0042")
    )
    date_from = BoundedDateField(label=_("From"), required=False)
    date_to = BoundedDateField(label=_("Until"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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


@page_required("access_log", methods=["GET"])
def access_log(request):
    form = AccessLogFilter(request.GET or None)
    entries = AccessLog.objects.select_related("user").order_by("-at", "-pk")
    if form.is_bound and form.is_valid():
        entries = form.apply(entries)
    elif form.is_bound:
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.change = insider.describe(entry)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "caseworks/access_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
