"""Forms of the pool and the bookings."""

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from caseworks import languages
from caseworks.web.forms import TextLimits, VersionedForm
from visits.forms import DateTimeInput
from volunteers.mediators.models import MAX_BOOKING_MINUTES, Mediator, MediatorKind, Mode
from volunteers.models import Volunteer


def _language_choices() -> list[tuple[str, str]]:
    return [("", str(_("— choose —"))), *languages.choices()]


class VolunteerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class MediatorForm(TextLimits, VersionedForm):
    volunteer = VolunteerChoiceField(
        label=_("volunteer"),
        required=False,
        queryset=Volunteer.objects.exclude(status="ended").select_related("user"),
        help_text=_("Only for a volunteer: name and contact come from the register."),
    )
    languages = forms.MultipleChoiceField(
        label=_("languages"), choices=languages.choices, widget=forms.SelectMultiple
    )
    modes = forms.MultipleChoiceField(
        label=_("modes"), choices=Mode.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Mediator
        fields = [
            "kind",
            "volunteer",
            "name",
            "email",
            "phone",
            "languages",
            "modes",
            "availability",
            "hourly_rate",
            "funder",
        ]
        help_texts = {
            "name": _("A paid mediator's or an agency's name."),
            "availability": _("When the mediator can usually be asked, e.g. weekday mornings."),
            "funder": _("Who pays the paid mediator (e.g. Kommunales Integrationszentrum)."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget = forms.EmailInput(attrs={"maxlength": "254"})

    def clean(self) -> dict[str, Any]:
        """Said at the field rather than as the table's rule (the service checks it again)."""
        data = super().clean() or {}
        if data.get("kind") == MediatorKind.VOLUNTEER:
            if not data.get("volunteer"):
                self.add_error("volunteer", _("Choose the volunteer from the register."))
            data["name"] = data["email"] = data["phone"] = ""
        elif data.get("kind"):
            data["volunteer"] = None
            if not str(data.get("name", "")).strip():
                self.add_error("name", _("Enter the mediator's or the agency's name."))
        return data

    def _post_clean(self) -> None:
        # The kind/volunteer rule is the form's own message above, not the table's.
        if self.errors:
            return
        super()._post_clean()  # type: ignore[misc]  # ModelForm's (TextLimits comes first)


class PoolFilterForm(forms.Form):
    language = forms.ChoiceField(label=_("language"), required=False, choices=_language_choices)
    mode = forms.ChoiceField(
        label=_("mode"), required=False, choices=[("", _("all")), *Mode.choices]
    )
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("all")), *MediatorKind.choices]
    )
    active = forms.ChoiceField(
        label=_("active"),
        required=False,
        choices=[("yes", _("active")), ("no", _("inactive")), ("", _("all"))],
    )


class BookingRequestForm(TextLimits, forms.Form):
    language = forms.ChoiceField(label=_("language"), choices=_language_choices)
    mode = forms.ChoiceField(
        label=_("mode"), choices=Mode.choices, initial=Mode.IN_PERSON, widget=forms.RadioSelect
    )
    starts_at = forms.DateTimeField(label=_("date and time"), widget=DateTimeInput())
    duration_minutes = forms.IntegerField(
        label=_("duration (minutes)"), min_value=15, max_value=MAX_BOOKING_MINUTES, initial=60
    )
    place = forms.CharField(
        label=_("place"),
        required=False,
        max_length=200,
        help_text=_(
            "Only for in person: the address. It is in the mediator's mail: no name of a "
            "practice or an authority."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == Mode.IN_PERSON and not data.get("place", "").strip():
            self.add_error("place", _("Enter where the mediator is to come."))
        if data.get("mode") in (Mode.PHONE, Mode.VIDEO):
            data["place"] = ""
        return data


class CandidateField(forms.ModelChoiceField):
    """A candidate with what the choice turns on: kind, languages, modes, availability, rate."""

    def label_from_instance(self, obj: Any) -> str:
        parts = [
            str(obj),
            str(obj.get_kind_display()),
            ", ".join(obj.get_language_labels()),
            ", ".join(obj.get_mode_labels()),
        ]
        if obj.availability:
            parts.append(obj.availability)
        if obj.hourly_rate is not None:
            parts.append(f"{obj.hourly_rate} €/h")
        if obj.funder:
            parts.append(obj.funder)
        return " · ".join(parts)


class BookForm(forms.Form):
    mediator = CandidateField(
        label=_("language mediator"),
        queryset=Mediator.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a mediator.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, candidates: Iterable[Mediator] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["mediator"])
        field.queryset = Mediator.objects.filter(pk__in=[m.pk for m in candidates])


class RecordForm(forms.Form):
    minutes = forms.IntegerField(
        label=_("minutes interpreted"), min_value=1, max_value=MAX_BOOKING_MINUTES
    )
    cost = forms.DecimalField(
        label=_("cost (EUR)"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        help_text=_("Empty: the paid mediator's rate for the minutes; nothing for a volunteer."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ConfirmForm(forms.Form):
    """A confirmation (cancel a booking, deactivate a mediator) with the version loaded."""

    version = forms.IntegerField(widget=forms.HiddenInput)
