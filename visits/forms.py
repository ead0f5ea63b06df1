"""Visit and accompaniment forms, shaped for a phone: few required fields, good defaults."""

from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Client
from cases.plan.models import FINISHED, Need
from caseworks.web.forms import (
    DateInput,
    IdMultipleChoiceField,
    TextLimits,
    VersionedForm,
    free_text_field,
)
from caseworks.web.users import display_name
from visits.models import (
    CANCEL_NOTE_MAX,
    MAX_VISIT_MINUTES,
    Accompaniment,
    CancelReason,
    ChecklistItem,
    Topic,
    Visit,
)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _full_name(client: Client) -> str:
    return client.full_name


def _choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """A form's choice of records (one or several), typed for setting its queryset."""
    return cast(forms.ModelChoiceField, form.fields[name])


def _household(form: forms.BaseForm, name: str, case: Case) -> forms.ModelChoiceField:
    """A choice among the case's household members, by their names."""
    field = _choices(form, name)
    field.queryset = case.clients.all()
    field.label_from_instance = _full_name  # type: ignore[method-assign,assignment]
    return field


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
            "needs",
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

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _household(self, "present", case)
        self.fields["duration_minutes"].widget.attrs.update(inputmode="numeric", step="5")
        # "Which needs did this visit serve?" (the case plan): unfinished ones and those linked.
        self.fields["needs"] = needs_field(case, self.instance)


class NeedsField(IdMultipleChoiceField):
    """ "Which needs did it serve?": the case plan's needs (cases.plan.models), in a few words."""

    def label_from_instance(self, obj: Any) -> str:
        parts = (obj.category, obj.client.first_name if obj.client else "", obj.goal)
        return " · ".join(str(part) for part in parts if part)


def needs_field(case: Case, instance: Any) -> NeedsField:
    """The unfinished needs of the case and those the record is linked to already."""
    linked = Q(pk__in=instance.needs.values("pk")) if instance.pk else Q(pk__in=[])
    return NeedsField(
        queryset=Need.objects.filter(case=case)
        .filter(~Q(status__in=FINISHED) | linked)
        .select_related("category", "client"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Which needs did it serve?"),
    )


class ChecklistForm(forms.Form):
    """The arrival checklist: ticked points are done, the others stay open on the case file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in ChecklistItem.choices:
            self.fields[value] = forms.BooleanField(label=label, required=False)


class ArrivalCheckDoneForm(TextLimits, forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=300)


# Shown above the volunteer's note on the caseworker's form: the note is all a volunteer
# reads about the appointment, and a volunteer is no caseworker (no confidentiality duty of
# § 203 StGB, only their pledge).
VOLUNTEER_NOTE_WARNING = _(
    "The volunteer reads this note, and only this. Write nothing about health, residence "
    "status, the procedure or other case details: only what they need to go along."
)


class AccompanimentForm(TextLimits, VersionedForm):
    volunteer_note_warning = VOLUNTEER_NOTE_WARNING

    others = IdMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Also going along from the household"),
    )

    class Meta:
        model = Accompaniment
        fields = [
            "client",
            "others",
            "destination_kind",
            "service",
            "destination_text",
            "appointment_at",
            "purpose",
            "accompanied_by",
            "volunteer",
            "volunteer_note",
            "interpreter_language",
            "interpreter_name",
        ]
        widgets = {
            "appointment_at": DateTimeInput,
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "volunteer_note": forms.Textarea(attrs={"rows": 3}),
            "destination_text": forms.TextInput,
        }
        labels = {
            "destination_kind": _("Kind of destination"),
            "purpose": _("Purpose (case notes)"),
            "accompanied_by": _("Staff member"),
            "volunteer": _("Volunteer"),
            "volunteer_note": _("Note for the accompaniment"),
        }
        help_texts = {
            "destination_text": _("If the destination is not in the directory."),
            "destination_kind": _("Only for a destination not in the directory."),
            "purpose": _("For the case file only: the volunteer never sees it."),
            "volunteer": _("A staff member, a volunteer, or both together."),
            # The warning itself is on the form (VOLUNTEER_NOTE_WARNING), above the field.
            "volunteer_note": _("For example the meeting point and what to bring."),
        }

    def __init__(
        self,
        *args: Any,
        case: Case,
        staff: QuerySet[Any],
        volunteers: QuerySet[Any],
        services: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _household(self, "client", case).empty_label = None
        others = _household(self, "others", case)
        if self.instance.pk:
            others.initial = list(self.instance.others.all())
        service = _choices(self, "service")
        service.queryset = services
        service.required = False
        service.empty_label = _("not in the directory")
        # The directory's kind counts for a directory entry: asked only for free text.
        kind = cast(forms.ChoiceField, self.fields["destination_kind"])
        kind.required = False
        kind.choices = Accompaniment.DestinationKind.choices  # no empty "------" choice
        kind.widget = forms.RadioSelect(choices=kind.choices)
        self.fields["destination_text"].required = False
        for name, users, nobody in (
            ("accompanied_by", staff, _("no staff member")),
            ("volunteer", volunteers, _("no volunteer")),
        ):
            field = _choices(self, name)
            field.queryset = users
            field.label_from_instance = display_name  # type: ignore[method-assign,assignment]
            field.empty_label = nobody
        if self.instance.pk and self.instance.status == Accompaniment.Status.DONE:
            self.fields["outcome"] = free_text_field(
                label=_("Outcome"), required=False, initial=self.instance.outcome
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("service") and not (data.get("destination_text") or "").strip():
            self.add_error("service", _("Choose a destination from the directory or describe it."))
        elif not data.get("service") and not data.get("destination_kind"):
            self.add_error("destination_kind", _("Choose the kind of destination."))
        if not data.get("accompanied_by") and not data.get("volunteer"):
            self.add_error(
                "accompanied_by", _("Choose who goes along: a staff member, a volunteer or both.")
            )
        return data


class CompleteForm(TextLimits, VersionedForm):
    """The volunteer's "it took place", with a short note (accompaniment_complete). The
    outcome the caseworker recorded is never shown to the volunteer."""

    write_only = ("outcome",)

    outcome = forms.CharField(
        label=_("Short note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What happened, in a sentence. No health details."),
    )

    class Meta:
        model = Accompaniment
        fields = ["outcome"]


class OutcomeForm(TextLimits, VersionedForm):
    """After the appointment: did it take place, and what came of it. "No" leads on to
    cancelling with a reason."""

    YES, NO = "yes", "no"

    took_place = forms.ChoiceField(
        label=_("Did the appointment take place?"),
        choices=[(YES, _("yes")), (NO, _("no"))],
        widget=forms.RadioSelect,
    )
    outcome = free_text_field(
        label=_("Outcome"),
        required=False,
        help_text=_("What came of it, in a few sentences: the next step, a new date."),
    )

    class Meta:
        model = Accompaniment
        fields = ["outcome"]

    def said_no(self) -> bool:
        """Valid and "it did not take place": on to cancelling with a reason."""
        return self.is_valid() and self.cleaned_data["took_place"] == self.NO

    def changes(self) -> dict[str, Any]:
        """What accompaniment_complete takes: the outcome ("no" never reaches it)."""
        return {"outcome": self.cleaned_data["outcome"]}


class CancelForm(TextLimits, forms.Form):
    """Cancelling instead of deleting: a reason always (none preselected), a note if useful."""

    reason = forms.ChoiceField(label=_("Why?"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=CANCEL_NOTE_MAX,
        help_text=_("A few words if the reason needs them. No health details."),
    )

    def __init__(self, *args: Any, reasons: Any = CancelReason.choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["reason"]).choices = list(reasons)
