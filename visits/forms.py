"""Visit and accompaniment forms, shaped for a phone: few required fields, good defaults."""

from django import forms
from django.utils.translation import gettext_lazy as _

from caseworks.forms import (
    DateInput,
    IdMultipleChoiceField,
    TextLimits,
    VersionedForm,
    free_text_field,
)
from caseworks.users import display_name
from visits.models import MAX_VISIT_MINUTES, Accompaniment, ChecklistItem, Topic, Visit


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class VisitForm(TextLimits, VersionedForm):
    present = IdMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Household members present"),
    )
    topics = forms.MultipleChoiceField(
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Topics"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=1,
        max_value=MAX_VISIT_MINUTES,
        error_messages={
            "min_value": _("A visit lasts at least one minute."),
            "max_value": _("A visit cannot last longer than 12 hours (720 minutes)."),
        },
    )

    class Meta:
        model = Visit
        fields = [
            "date",
            "duration_minutes",
            "place",
            "present",
            "interpreter_language",
            "interpreter_name",
            "topics",
            "notes",
            "next_visit_due",
        ]
        widgets = {
            "date": DateInput,
            "next_visit_due": DateInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "notes": _(
                "Only what the accompaniment needs: prefer the topics above. Notes are "
                "encrypted, but they are not protected from seizure."
            ),
        }

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = case.clients.all()
        self.fields["present"].label_from_instance = lambda c: c.full_name
        self.fields["duration_minutes"].widget.attrs.update(inputmode="numeric", step="5")


class ChecklistForm(forms.Form):
    """The arrival checklist: ticked points are done, the others stay open on the case file."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in ChecklistItem.choices:
            self.fields[value] = forms.BooleanField(label=label, required=False)


class ArrivalCheckDoneForm(TextLimits, forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=300)


class AccompanimentForm(TextLimits, VersionedForm):
    class Meta:
        model = Accompaniment
        fields = [
            "client",
            "destination_kind",
            "service",
            "destination_text",
            "appointment_at",
            "purpose",
            "accompanied_by",
            "interpreter_language",
            "interpreter_name",
        ]
        widgets = {
            "appointment_at": DateTimeInput,
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "destination_text": forms.TextInput,
        }
        help_texts = {"destination_text": _("If the destination is not in the directory.")}

    def __init__(self, *args, case, companions, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = case.clients.all()
        self.fields["client"].label_from_instance = lambda c: c.full_name
        self.fields["service"].queryset = services
        self.fields["service"].required = False
        self.fields["destination_text"].required = False
        self.fields["accompanied_by"].queryset = companions
        self.fields["accompanied_by"].label_from_instance = display_name
        if self.instance.pk:
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"),
                choices=Accompaniment.Status.choices,
                initial=self.instance.status,
            )
            self.fields["outcome"] = free_text_field(
                label=_("Outcome"), required=False, initial=self.instance.outcome
            )

    def clean(self):
        data = super().clean()
        if not data.get("service") and not (data.get("destination_text") or "").strip():
            self.add_error("service", _("Choose a destination from the directory or describe it."))
        return data


class CompleteForm(TextLimits, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.CharField(
        label=_("Short note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What happened, in a sentence. No health details."),
    )
