"""Forms for intake, household members, residence statuses and case changes."""

from collections.abc import Callable, Iterable
from typing import Any, cast

import django_filters
from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.law.topics import Topic
from cases.models import (
    KINDS_WITHOUT_EXPIRY,
    MAX_CONTACT_MINUTES,
    Appointment,
    Case,
    Client,
    ClientReference,
    ClosingReason,
    Contact,
    ContactKind,
    DecisionType,
    FictionSubtype,
    ReferenceKind,
    Relationship,
    ReopeningReason,
    ResidenceStatus,
    StatusKind,
    Task,
)
from cases.selectors import case_filter_by_status, case_filter_expiring, case_search
from cases.services.case import is_deadline_item
from caseworks.models import Service, Team
from caseworks.web.forms import (
    SHORT_TEXT_MAX,
    DateInput,
    IdMultipleChoiceField,
    TextLimits,
    VersionedForm,
)
from caseworks.web.users import display_name

# An empty first choice that names itself: never a preselected reason, never "---------".
PLEASE_CHOOSE = _("— please choose —")


def choices_with_prompt(choices: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [("", PLEASE_CHOOSE), *choices]


def records_field(
    form: forms.BaseForm,
    name: str,
    queryset: Any,
    *,
    label: Callable[[Any], str] | None = None,
    empty_label: Any = None,
) -> "forms.ModelChoiceField[Any]":
    """Give a choice of records (one or several) its queryset, and how each is named; typed
    here once instead of at every form."""
    field = cast("forms.ModelChoiceField[Any]", form.fields[name])
    field.queryset = queryset
    if label is not None:
        field.label_from_instance = label  # type: ignore[assignment]
    if empty_label is not None:
        field.empty_label = empty_label
    return field


def full_name(client: Client) -> str:
    return client.full_name


def prompt_instead_of_dashes(form: forms.BaseForm) -> None:
    """Every select of the form whose empty choice is Django's "---------" gets
    PLEASE_CHOOSE instead."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label is not None:
                field.empty_label = PLEASE_CHOOSE
        elif isinstance(field, forms.TypedChoiceField | forms.ChoiceField) and not isinstance(
            field, forms.MultipleChoiceField
        ):
            choices: list = list(field.choices)  # type: ignore[arg-type]
            field.choices = [
                ("", PLEASE_CHOOSE) if value == "" else (value, label) for value, label in choices
            ]


class NoDashes:
    """Put among a form's bases (after TextLimits): no select starts with "---------"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        prompt_instead_of_dashes(cast(forms.BaseForm, self))


class CaseForm(TextLimits, VersionedForm):
    text_limits = {"accommodation_address": SHORT_TEXT_MAX}  # a few lines

    class Meta:
        model = Case
        fields = ["opened_on", "allocated_on", "accommodation_address", "next_visit_due"]
        widgets = {
            "opened_on": DateInput,
            "allocated_on": DateInput,
            "next_visit_due": DateInput,
            "accommodation_address": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opened, allocated = data.get("opened_on"), data.get("allocated_on")
        today = timezone.localdate()
        if opened and opened > today:
            self.add_error("opened_on", _("The case cannot be opened in the future."))
        if opened and allocated and allocated > opened:
            self.add_error(
                "allocated_on", _("The allocation date cannot be after the case was opened.")
            )
        return data


class ClientForm(TextLimits, NoDashes, VersionedForm):
    class Meta:
        model = Client
        fields = [
            "relationship",
            "first_name",
            "last_name",
            "birth_date",
            "gender",
            "nationality",
            "languages",
            "interpreter_needed",
            "phone",
            "email",
        ]
        widgets = {"birth_date": DateInput}

    def __init__(self, *args, main_contact: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "off"
        self.fields["last_name"].widget.attrs["autocomplete"] = "off"
        self.fields["phone"].widget.attrs.update(type="tel", autocomplete="off")
        if self.instance.languages_other:
            # Typed before the list (or imported): shown, kept, assigned by the administrator.
            self.fields["languages"].help_text = _(
                "Not yet assigned: %(text)s — the administration assigns it to a language of "
                "the list."
            ) % {"text": self.instance.languages_other}
        if main_contact:
            del self.fields["relationship"]
        else:
            choices = [c for c in Relationship.choices if c[0] != Relationship.MAIN_CONTACT]
            self.fields["relationship"].choices = choices_with_prompt(choices)  # type: ignore[attr-defined]
            if not self.instance.pk:
                self.fields["relationship"].initial = ""
            if self.instance.pk and self.instance.is_main_contact:
                del self.fields["relationship"]

    def clean_birth_date(self):
        birth_date = self.cleaned_data.get("birth_date")
        if birth_date and birth_date > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return birth_date


class ResidenceStatusForm(TextLimits, NoDashes, forms.ModelForm):
    class Meta:
        model = ResidenceStatus
        fields = [
            "kind",
            "fiction_subtype",
            "document_number",
            "valid_from",
            "valid_until",
            "issuing_authority",
        ]
        widgets = {"valid_from": DateInput, "valid_until": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_number"].widget.attrs["autocomplete"] = "off"
        self.fields["issuing_authority"].widget.attrs["placeholder"] = _(
            "e.g. Ausländerbehörde, BAMF"
        )
        cast(forms.ChoiceField, self.fields["fiction_subtype"]).choices = [
            ("", _("— only for a fictional certificate —")),
            *FictionSubtype.choices,
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        valid_from, valid_until = data.get("valid_from"), data.get("valid_until")
        if kind and kind not in KINDS_WITHOUT_EXPIRY and not valid_until:
            self.add_error(
                "valid_until",
                _("This document expires: enter its expiry date so it can be tracked."),
            )
        if valid_from and valid_until and valid_until < valid_from:
            self.add_error("valid_until", _("The expiry date cannot be before the start date."))
        if kind == StatusKind.FICTIONAL_CERTIFICATE and not data.get("fiction_subtype"):
            # § 81 AufenthG: the sub-type decides whether the holder may travel or work.
            self.add_error("fiction_subtype", _("Choose the type of fictional certificate."))
        if kind != StatusKind.FICTIONAL_CERTIFICATE and data.get("fiction_subtype"):
            self.add_error(
                "fiction_subtype", _("Only a fictional certificate has a type; leave it empty.")
            )
        return data


class AssignForm(NoDashes, forms.Form):
    caseworker: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        queryset=None, label=_("Caseworker")
    )

    def __init__(self, *args: Any, caseworkers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        records_field(self, "caseworker", caseworkers, label=display_name)


class ShareForm(NoDashes, forms.Form):
    user: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        queryset=None, label=_("Share with")
    )

    def __init__(self, *args: Any, colleagues: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        records_field(self, "user", colleagues, label=display_name)


class IntakeForm(NoDashes, forms.Form):
    """Who the new case belongs to: the team (if several) and, for supervisors, the assignee."""

    team: "forms.ModelChoiceField[Team]" = forms.ModelChoiceField(queryset=None, label=_("Team"))
    assigned_to: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        queryset=None,
        label=_("Assigned caseworker"),
        required=False,
        help_text=_("Leave empty to assign later."),
    )

    def __init__(
        self,
        *args: Any,
        teams: QuerySet[Team],
        caseworkers: QuerySet[User] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        records_field(self, "team", teams)
        if teams.count() == 1:
            self.fields["team"].initial = teams.first()
            self.fields["team"].widget = forms.HiddenInput()
        if caseworkers is None:
            del self.fields["assigned_to"]
        else:
            records_field(
                self,
                "assigned_to",
                caseworkers,
                label=display_name,
                empty_label=_("— assign later —"),
            )


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        help_text=_(
            "Any part of a name or its first three letters, date of birth (1.2.1990), document "
            "number or case reference"
        ),
    )
    status = django_filters.ChoiceFilter(
        label=_("Residence status"),
        choices=StatusKind.choices,
        method="filter_status",
        empty_label=_("all statuses"),
    )
    expiring = django_filters.BooleanFilter(
        label=_("Document expired or expiring soon"),  # the window is set in __init__
        method="filter_expiring",
        widget=forms.CheckboxInput,
    )
    order = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("opened_on", "opened_on"),
            ("next_visit_due", "next_visit_due"),
            ("reference", "reference"),
        ),
        field_labels={
            "opened_on": _("opened on"),
            "-opened_on": _("opened on (newest first)"),
            "next_visit_due": _("next visit due"),
            "-next_visit_due": _("next visit due (latest first)"),
            "reference": _("reference number"),
            "-reference": _("reference number (descending)"),
        },
        empty_label=_("newest first"),
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The label follows the setting that defines the window (CASEWORKS_EXPIRY_WARNING_DAYS).
        self.filters["expiring"].label = _("Document expired or expiring within %(days)s days") % {
            "days": settings.CASEWORKS_EXPIRY_WARNING_DAYS
        }

    def filter_q(self, queryset, name, value):
        return case_search(queryset, value)

    def filter_status(self, queryset, name, value):
        return case_filter_by_status(queryset, value)

    def filter_expiring(self, queryset, name, value):
        return case_filter_expiring(queryset) if value else queryset


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=choices_with_prompt(ClosingReason.choices),
        error_messages={"required": _("Choose why the case is closed.")},
    )
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput)
    deadline_reason = forms.CharField(
        label=_("Why the case is closed although the deadline is running"),
        help_text=_(
            "For example: the lawyer has taken the case over and keeps the deadline. Kept in "
            "the case's history."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=SHORT_TEXT_MAX,
        error_messages={
            "required": _("Say why the case is closed although a deadline is running.")
        },
    )

    def __init__(self, *args, open_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        # A running deadline is no point to tick: it needs a reason (services.case_close).
        self.deadlines = [item for item in open_items if is_deadline_item(item)]
        self.open_items = [item for item in open_items if not is_deadline_item(item)]
        if not self.deadlines:
            del self.fields["deadline_reason"]
        for item in self.open_items:
            self.fields[f"ack_{item.key}"] = forms.BooleanField(
                label=_("Seen: stays open, the case is closed anyway"),
                required=True,
                error_messages={"required": _("Handle this item or tick that you have seen it.")},
            )

    def item_rows(self):
        """(item, its checkbox) for the template."""
        return [(item, self[f"ack_{item.key}"]) for item in self.open_items]

    def acknowledged(self) -> list[str]:
        return [item.key for item in self.open_items if self.cleaned_data.get(f"ack_{item.key}")]


class ReopenForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=choices_with_prompt(ReopeningReason.choices),
        error_messages={"required": _("Choose why the case is reopened.")},
    )


class DuplicateCheckForm(TextLimits, forms.Form):
    """Step one of an intake: who is it? Possible matches are shown before anything is saved."""

    first_name = forms.CharField(label=_("first name(s)"), max_length=150)
    last_name = forms.CharField(label=_("last name"), max_length=150)
    birth_date = forms.DateField(label=_("date of birth"), required=False, widget=DateInput)


class ClientReferenceForm(TextLimits, NoDashes, VersionedForm):
    class Meta:
        model = ClientReference
        fields = ["kind", "number", "valid_until"]
        widgets = {"valid_until": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].widget.attrs["autocomplete"] = "off"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("number") and not data.get("valid_until"):
            self.add_error("number", _("Enter the number, an end date, or both."))
        return data


class BamfDecisionForm(NoDashes, forms.Form):
    client: "forms.ModelChoiceField[Client]" = forms.ModelChoiceField(
        queryset=None, label=_("person")
    )
    # No preselected decision: the wrong one computes the wrong § 74 deadline.
    decision_type = forms.ChoiceField(
        label=_("decision"), choices=choices_with_prompt(DecisionType.choices)
    )
    served_on = forms.DateField(
        label=_("served on (Zustellung)"),
        widget=DateInput,
        help_text=_(
            "The date on the envelope / the delivery certificate, not the date of the decision."
        ),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        records_field(self, "client", case.clients.all(), label=full_name)


class DeadlineForm(TextLimits, NoDashes, forms.Form):
    client: "forms.ModelChoiceField[Client]" = forms.ModelChoiceField(
        queryset=None, label=_("person"), required=False
    )
    title = forms.CharField(label=_("what"), max_length=200)
    due_on = forms.DateField(label=_("due on"), widget=DateInput)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        records_field(
            self,
            "client",
            case.clients.all(),
            label=full_name,
            empty_label=_("— the whole household —"),
        )


class CoverForm(TextLimits, forms.Form):
    reason = forms.CharField(
        label=_("Why do you need this case file?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "e.g. covering for a colleague who is ill; an appointment today. The team's "
            "supervisors see the reason."
        ),
    )


# --- contacts, tasks and appointments ------------------------------------------------------------

NOTE_HINT = _(
    "Only what the accompaniment needs: prefer the topics above. Notes are encrypted, but "
    "social workers have no right to refuse testimony (§ 53 StPO): they can be seized."
)


def topics_field() -> forms.MultipleChoiceField:
    """The topics a contact, visit or accompaniment was about (cases.law.topics), ticked."""
    return forms.MultipleChoiceField(
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Topics"),
    )


def _persons_field(label: str | Promise) -> IdMultipleChoiceField:
    return IdMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label=label
    )


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class ContactForm(TextLimits, VersionedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices, widget=forms.RadioSelect)
    persons = _persons_field(_("With whom / about whom"))
    topics = topics_field()
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=0,
        max_value=MAX_CONTACT_MINUTES,
        error_messages={
            "max_value": _("A contact cannot last longer than 12 hours (720 minutes)."),
        },
    )

    class Meta:
        model = Contact
        fields = ["kind", "date", "duration_minutes", "persons", "topics", "note"]
        widgets = {"date": DateInput, "note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"note": NOTE_HINT}

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        records_field(self, "persons", case.clients.all(), label=full_name)
        self.fields["duration_minutes"].widget.attrs.update(inputmode="numeric", step="5")


class TaskForm(TextLimits, NoDashes, VersionedForm):
    class Meta:
        model = Task
        fields = ["title", "due_on", "assigned_to"]
        widgets = {"due_on": DateInput}

    def __init__(self, *args: Any, assignees: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        records_field(
            self,
            "assigned_to",
            assignees,
            label=display_name,
            empty_label=_("— nobody in particular —"),
        )
        self.fields["title"].widget.attrs["placeholder"] = _(
            "e.g. ask the Jobcenter about the decision"
        )


class AppointmentForm(TextLimits, NoDashes, VersionedForm):
    persons = _persons_field(_("Who has the appointment"))

    class Meta:
        model = Appointment
        fields = ["kind", "starts_at", "persons", "service", "place", "note"]
        widgets = {
            "starts_at": DateTimeInput,
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "place": _("If the place is not in the directory."),
            "note": _("Only what is needed to prepare it (e.g. bring the passport)."),
        }

    def __init__(self, *args: Any, case: Case, services: QuerySet[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        records_field(self, "persons", case.clients.all(), label=full_name)
        service = records_field(
            self, "service", services, empty_label=_("— not in the directory —")
        )
        service.required = False


class AppointmentCancelForm(TextLimits, forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=300,
        help_text=_("e.g. moved by the authority; recorded by mistake"),
    )


class BamfNumberForm(TextLimits, forms.Form):
    """The BAMF file number at intake (saved as the main contact's reference number)."""

    bamf_number = forms.CharField(
        label=ReferenceKind.BAMF.label,
        required=False,
        max_length=80,
        help_text=_("If known: on the Aufenthaltsgestattung or the BAMF's letters."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bamf_number"].widget.attrs.update(autocomplete="off", inputmode="numeric")
