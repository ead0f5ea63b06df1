"""The opt-in and opt-out forms of the reminders (German labels through gettext)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from caseworks.web.forms import VersionedForm
from referrals import printtexts
from referrals.models import ReminderChannel, ReminderOptIn


class ReminderLanguageForm(forms.Form):
    """The first step (GET): in which language the person wants the reminders, so that the
    page can show them the text they agree to."""

    language = forms.ChoiceField(
        label=_("Language of the reminders"),
        choices=[("", "—")] + [(code, german) for code, _own, german in printtexts.LANGUAGES],
    )


class ReminderOptInForm(forms.Form):
    client: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        queryset=None, label=_("Person"), empty_label=None
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=ReminderChannel.choices)
    address = forms.CharField(
        label=_("Mobile number or e-mail address"),
        max_length=254,
        help_text=_("A mobile number for SMS (e.g. 0170 1234567), an e-mail address for e-mail."),
    )
    language = forms.CharField(widget=forms.HiddenInput)
    text_version = forms.CharField(widget=forms.HiddenInput)
    agreed = forms.BooleanField(
        label=_("The person read the text above (or had it read to them) and agrees."),
        error_messages={"required": _("Record the opt-in only once the person agreed.")},
    )

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["client"]
        field.queryset = case.clients.order_by("id")

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("agreed")
        return data


class ReminderOptOutForm(VersionedForm):
    class Meta:
        model = ReminderOptIn
        fields: list[str] = []
