"""Forms of the case plan (versioned for optimistic locking, text limits as everywhere)."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import full_name, records_field
from cases.models import Case
from cases.plan.models import (
    Activity,
    DropReason,
    Need,
    NeedCategory,
    NeedStatus,
    SpecialNeed,
    SpecialNeedKind,
)
from cases.plan.selectors import active_categories
from caseworks.web.forms import DateInput, IdMultipleChoiceField, TextLimits, VersionedForm


class NeedForm(TextLimits, VersionedForm):
    contacts = IdMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Contacts that served it"),
    )

    class Meta:
        model = Need
        fields = ["category", "client", "goal", "status", "due_on", "who_acts", "notes"]
        widgets = {"due_on": DateInput, "notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "goal": _("What is to be reached, in a few words."),
            "notes": _("Only what the plan needs. Encrypted, but not protected from seizure."),
        }

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = active_categories()
        if self.instance.pk:  # a need keeps its category even once deactivated
            categories = categories | NeedCategory.objects.filter(pk=self.instance.category_id)
        records_field(self, "category", categories.distinct())
        records_field(
            self,
            "client",
            case.clients.all(),
            label=full_name,
            empty_label=_("the whole household"),
        ).required = False
        contacts = records_field(
            self, "contacts", case.contacts.order_by("-date", "-id"), label=str
        )
        # Reached and dropped are set with their own button (a reason for dropping).
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (v, label)
            for v, label in NeedStatus.choices
            if v in (NeedStatus.OPEN, NeedStatus.IN_PROGRESS)
        ]
        if self.instance.pk and self.instance.is_finished:
            del self.fields["status"]
        if contacts.queryset is None or not contacts.queryset.exists():
            del self.fields["contacts"]


class NeedFinishForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Result"),
        choices=[(NeedStatus.REACHED, _("reached")), (NeedStatus.DROPPED, _("dropped"))],
        widget=forms.RadioSelect,
    )
    drop_reason = forms.ChoiceField(
        label=_("Reason for dropping"),
        choices=[("", "—"), *DropReason.choices],
        required=False,
    )
    on = forms.DateField(label=_("On"), widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == NeedStatus.DROPPED and not data.get("drop_reason"):
            self.add_error("drop_reason", _("Say why the need is dropped."))
        return data


class SpecialNeedForm(TextLimits, VersionedForm):
    kind = forms.ChoiceField(label=_("Special protection need"), choices=SpecialNeedKind.choices)

    class Meta:
        model = SpecialNeed
        fields = ["kind", "note", "volunteer_hint", "noted_on", "ended_on"]
        widgets = {
            "noted_on": DateInput,
            "ended_on": DateInput,
            "note": forms.Textarea(attrs={"rows": 2}),
            "volunteer_hint": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "note": _("Seen by the caseworkers of this case and the team's supervisors only."),
            "volunteer_hint": _(
                "Shown to the volunteer going along with this person: what helps them "
                "(e.g. “please wait outside the consulting room”) — never the need itself."
            ),
        }


class ActivityForm(VersionedForm):
    class Meta:
        model = Activity
        fields = ["kind", "since", "until", "hours_per_week"]
        widgets = {"since": DateInput, "until": DateInput}


class NeedCategoryForm(TextLimits, VersionedForm):
    class Meta:
        model = NeedCategory
        fields = ["name", "referral_category", "order", "is_active"]
