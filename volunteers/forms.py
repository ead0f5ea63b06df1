"""Forms of the register, the requests, the tandems and the volunteers' own pages."""

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from caseworks import languages as catalogue
from caseworks.access.roles import Role
from caseworks.web.forms import DateInput, VersionedForm
from volunteers.matching import Candidate
from volunteers.models import Level, Mobility, Status, Task, Volunteer, Weekday, districts

LANGUAGE_ROWS = 4


def language_choices() -> list[tuple[str, str]]:
    """The catalogue for a select, "—" first (German names; caseworks.languages.choices)."""
    return [("", "—"), *catalogue.choices()]


SLOT_ROWS = 4


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class VolunteerForm(VersionedForm):
    districts = forms.MultipleChoiceField(
        label=_("districts"), required=False, widget=forms.CheckboxSelectMultiple
    )
    mobility = forms.MultipleChoiceField(
        label=_("mobility"),
        required=False,
        choices=Mobility.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    tasks = forms.MultipleChoiceField(
        label=_("tasks wanted"),
        required=False,
        choices=Task.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Volunteer
        fields = [
            "status",
            "phone",
            "email",
            "address",
            "districts",
            "mobility",
            "tasks",
            "pledge_signed_on",
            "certificate_sighted_on",
            "certificate_issued_on",
            "training_attended_on",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "pledge_signed_on": DateInput(),
            "certificate_sighted_on": DateInput(),
            "certificate_issued_on": DateInput(),
            "training_attended_on": DateInput(),
        }
        help_texts = {
            "certificate_sighted_on": _("Shown to you: record the date, keep no copy."),
        }

    def __init__(self, *args, new: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"].choices = districts()  # type: ignore[attr-defined]
        self.fields["email"].widget = forms.EmailInput()
        self.new = new
        if new:
            self._add_account_fields()
        # Rows not yet assigned to a code (texts from before the codes) are shown, not edited:
        # the administrator assigns them (/manage/languages/).
        languages = list(self.instance.languages.exclude(code="")) if self.instance.pk else []
        self.unassigned = list(self.instance.languages.filter(code="")) if self.instance.pk else []
        for i in range(max(LANGUAGE_ROWS, len(languages) + 1)):
            current = languages[i] if i < len(languages) else None
            self.fields[f"language_{i}"] = forms.ChoiceField(
                label=_("language"),
                required=False,
                choices=language_choices,
                initial=current.code if current else "",
                widget=forms.Select(attrs={"class": "language"}),
            )
            self.fields[f"level_{i}"] = forms.ChoiceField(
                label=_("level"),
                choices=Level.choices,
                initial=current.level if current else Level.GOOD,
            )

    def _add_account_fields(self) -> None:
        """A new volunteer's account: made here (the volunteer role only, its sign-in code
        mailed to the person), or — when an administrator made one before — picked."""
        self.fields["first_name"] = forms.CharField(label=_("first name"), max_length=150)
        self.fields["last_name"] = forms.CharField(label=_("last name"), max_length=150)
        self.fields["username"] = forms.CharField(
            label=_("user name"),
            required=False,
            max_length=150,
            validators=[UnicodeUsernameValidator()],
            help_text=_("Leave empty for first.last (e.g. maria.schmidt)."),
        )
        self.fields["email"].help_text = _(
            "The one-time sign-in code goes to this address: with it the person sets their "
            "own password. You never see the code."
        )
        registered = Volunteer.objects.values("user_id")
        logins = (
            get_user_model()
            .objects.filter(is_active=True, groups__name=Role.VOLUNTEER)
            .exclude(pk__in=registered)
            .order_by("last_name", "first_name", "username")
        )
        if logins.exists():
            self.fields["user"] = AccountChoiceField(
                label=_("existing account"),
                queryset=logins,
                required=False,
                empty_label=_("— none: create a new account —"),
                help_text=_("Only if an administrator made an account for the person already."),
            )
            for name in ("first_name", "last_name"):
                self.fields[name].required = False

    def account(self) -> dict[str, str] | None:
        """The new account volunteer_register makes, or None for a picked one."""
        if not self.new or self.cleaned_data.get("user"):
            return None
        return {name: self.cleaned_data[name] for name in ("username", "first_name", "last_name")}

    def language_rows(self):
        count = sum(1 for name in self.fields if name.startswith("language_"))
        return [(self[f"language_{i}"], self[f"level_{i}"]) for i in range(count)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        issued, sighted = data.get("certificate_issued_on"), data.get("certificate_sighted_on")
        if issued and sighted and issued > sighted:
            self.add_error("certificate_issued_on", _("The issue date is after the sighting."))
        if self.new and not data.get("user"):
            for name in ("first_name", "last_name", "email"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("A new account needs this."))
        return data

    def changes(self) -> dict[str, Any]:
        """What volunteer_create and volunteer_update take: the fields, and the languages."""
        return {"data": super().changes(), "languages": self.languages()}

    def languages(self) -> list[tuple[str, str]]:
        """(code, level) of the rows filled in; a language chosen twice counts once."""
        rows: dict[str, str] = {}
        for name in self.fields:
            if name.startswith("language_") and self.cleaned_data.get(name):
                rows.setdefault(self.cleaned_data[name], self.cleaned_data[f"level_{name[9:]}"])
        return list(rows.items())


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label=_("name"), required=False, max_length=60)
    status = forms.ChoiceField(label=_("status"), required=False)
    language = forms.ChoiceField(label=_("language"), required=False, choices=language_choices)
    task = forms.ChoiceField(label=_("task"), required=False)
    district = forms.ChoiceField(label=_("district"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: dict[str, list[tuple[str, Any]]] = {
            "status": [("", _("all")), ("eligible", _("can be asked")), *Status.choices],
            "task": [("", _("all")), *Task.choices],
            "district": [("", _("all")), *districts()],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options


class SlotsForm(forms.Form):
    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        slots = list(slots)
        for i in range(SLOT_ROWS):
            current = slots[i] if i < len(slots) else None
            self.fields[f"weekday_{i}"] = forms.TypedChoiceField(
                label=_("weekday"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "—"), *Weekday.choices],
                initial=current.weekday if current else "",
            )
            self.fields[f"from_{i}"] = forms.TimeField(
                label=_("from"),
                required=False,
                widget=TimeInput(),
                initial=current.starts_at if current else None,
            )
            self.fields[f"until_{i}"] = forms.TimeField(
                label=_("until"),
                required=False,
                widget=TimeInput(),
                initial=current.ends_at if current else None,
            )

    def rows(self):
        return [
            (self[f"weekday_{i}"], self[f"from_{i}"], self[f"until_{i}"]) for i in range(SLOT_ROWS)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(SLOT_ROWS):
            day, start, end = (
                data.get(f"weekday_{i}"),
                data.get(f"from_{i}"),
                data.get(f"until_{i}"),
            )
            if day is None and not start and not end:
                continue
            if day is None or not start or not end:
                self.add_error(f"weekday_{i}", _("Give the weekday, from and until."))
            elif start >= end:
                self.add_error(f"until_{i}", _("The end must be after the start."))
        return data

    def slots(self):
        return [
            (
                self.cleaned_data[f"weekday_{i}"],
                self.cleaned_data[f"from_{i}"],
                self.cleaned_data[f"until_{i}"],
            )
            for i in range(SLOT_ROWS)
            if self.cleaned_data.get(f"weekday_{i}") is not None
        ]


class AbsenceForm(forms.Form):
    starts_on = forms.DateField(label=_("away from"), widget=DateInput())
    ends_on = forms.DateField(label=_("away until"), widget=DateInput())


class HoursForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=DateInput())
    minutes = forms.IntegerField(label=_("minutes"), min_value=1, max_value=720)
    task = forms.ChoiceField(label=_("activity"), choices=Task.choices)


class RequestForm(forms.Form):
    task = forms.ChoiceField(label=_("what is needed"), choices=Task.choices)
    language = forms.ChoiceField(
        label=_("language needed"),
        required=False,
        choices=language_choices,
        widget=forms.Select(attrs={"class": "language"}),
        help_text=_(
            "The language the volunteer should speak, if any. Kurdish finds speakers of "
            "Kurmanji and Sorani; Sorani only Sorani speakers (and, as possible matches, those "
            "who gave only Kurdish)."
        ),
    )
    district = forms.ChoiceField(label=_("district"), required=False)
    needs = forms.CharField(
        label=_("notes for the volunteer"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only what the volunteer needs to go along: no diagnosis, no status."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["district"]).choices = [("", "—"), *districts()]


class OfferForm(forms.Form):
    volunteers = forms.ModelMultipleChoiceField(
        label=_("offer to"), queryset=Volunteer.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, candidates: Iterable[Candidate] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["volunteers"])
        field.queryset = Volunteer.objects.filter(pk__in=[c.volunteer.pk for c in candidates])


class TandemForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("volunteer"), queryset=Volunteer.objects.none())
    reference = forms.CharField(label=_("case reference number"), max_length=20)
    starts_on = forms.DateField(label=_("starts on"), widget=DateInput())
    consent_on = forms.DateField(label=_("household's consent recorded on"), widget=DateInput())
    may_see_phone = forms.BooleanField(
        label=_("may see the main contact's phone"), required=False, initial=True
    )
    may_see_address = forms.BooleanField(label=_("may see the address"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["volunteer"])
        field.queryset = Volunteer.objects.eligible().select_related("user")


class TandemEndForm(forms.Form):
    ends_on = forms.DateField(label=_("ends on"), widget=DateInput())
