"""Consent and referral forms."""

from typing import Any, cast

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Client, TransferScope
from caseworks.models import Organisation, Service
from caseworks.web.forms import (
    DateInput,
    IdMultipleChoiceField,
    TextLimits,
    VersionedForm,
    free_text_field,
)
from referrals.models import Consent, LetterText, Referral
from referrals.printtexts import LANGUAGES, RTL, key_label


def _full_name(client: Client) -> str:
    return client.full_name


def _household(form: forms.BaseForm, case: Case) -> None:
    """The form's person: one of the case's household, by name."""
    field = cast(forms.ModelChoiceField, form.fields["client"])
    field.queryset = case.clients.all()
    field.label_from_instance = _full_name  # type: ignore[method-assign,assignment]


class ConsentForm(TextLimits, forms.ModelForm):
    services = IdMultipleChoiceField(
        queryset=Service.objects.filter(is_active=True).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Named services"),
    )
    shared_data = forms.MultipleChoiceField(
        choices=Consent.SharedData.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Data passed on besides name and date of birth"),
        help_text=_("Only what the person agreed to on the signed form reaches a letter."),
    )

    organisation: "forms.ModelChoiceField[Organisation]" = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Or: the carrier of the house taking the case over"),
        help_text=_(
            "A hand-over of the case to a team of another carrier moves it to another data "
            "controller: it needs this consent from every person of the case."
        ),
    )
    transfer_scope = forms.MultipleChoiceField(
        choices=TransferScope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("What may move to that carrier"),
        help_text=_(
            "Only what the person agreed to on the signed form moves; the rest is erased "
            "from the file before it moves. The master data is always needed."
        ),
    )

    class Meta:
        model = Consent
        fields = [
            "client",
            "services",
            "category",
            "organisation",
            "transfer_scope",
            "purpose",
            "shared_data",
            "signed_on",
            "valid_until",
            "note",
        ]
        widgets = {
            "signed_on": DateInput,
            "valid_until": DateInput,
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "purpose": _(
                "As written on the signed form, e.g. “Vermittlung in die Migrationsberatung”."
            ),
            "signed_on": _(
                "Leave empty if the person has not signed yet: print the form in their "
                "language from the case file, then record the day they signed."
            ),
        }

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _household(self, case)
        # The other carriers of the house: within its own carrier a case needs no consent.
        field = cast("forms.ModelChoiceField[Organisation]", self.fields["organisation"])
        field.queryset = Organisation.objects.exclude(teams=case.team_id).order_by("name")

    def clean(self) -> dict[str, Any]:
        # The service (consent_record) holds the rules; the form only reports them by field.
        return super().clean() or {}


class ReferralForm(TextLimits, VersionedForm):
    class Meta:
        model = Referral
        fields = [
            "client",
            "service",
            "urgency",
            "follow_up_on",
            "reason",
            "letter_subject",
            "letter_body",
        ]
        widgets = {
            "follow_up_on": DateInput,
            "reason": forms.Textarea(attrs={"rows": 3}),
            "letter_body": forms.Textarea(attrs={"rows": 10}),
        }
        help_texts = {
            "letter_body": _(
                "Left empty, the text for the service's category is "
                "filled in; you can edit it afterwards."
            )
        }

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _household(self, case)
        cast(forms.ModelChoiceField, self.fields["service"]).queryset = Service.objects.filter(
            is_active=True
        ).order_by("name")
        self.fields["letter_subject"].required = False
        self.fields["letter_body"].required = False


class TransitionForm(VersionedForm):
    """A move along Referral.TRANSITIONS (referral_transition), from the version shown."""

    to = forms.ChoiceField(choices=Referral.Status.choices)

    class Meta:
        model = Referral
        fields: list[str] = []


class LetterArchiveFilter(forms.Form):
    """The print archive's filters (GET). Invalid input filters nothing rather than erring."""

    status = forms.ChoiceField(
        label=_("state"),
        required=False,
        choices=[
            ("", _("printed or sent")),
            (Referral.Status.READY, _("printed, not yet sent")),
            (Referral.Status.SENT, _("sent")),
        ],
    )
    printed_from = forms.DateField(label=_("printed from"), required=False, widget=DateInput)
    printed_until = forms.DateField(label=_("printed until"), required=False, widget=DateInput)


def language_choices(available: set[str]) -> list[tuple[str, str | Promise]]:
    """German, then each client language; one without (complete) texts says it prints German
    only, so the caseworker knows before printing."""
    choices: list[tuple[str, str | Promise]] = [("", _("German only"))]
    for code, own, german in LANGUAGES[1:]:
        label: str | Promise = f"{german} / {own}"
        if code not in available:
            label = _("%(language)s – no translation yet: German only") % {"language": german}
        choices.append((code, label))
    return choices


class PrintLanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Second language"), required=False)

    def __init__(self, *args, available: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["language"]).choices = language_choices(available)


class InfoSheetForm(PrintLanguageForm):
    client: "forms.ModelChoiceField[Client]" = forms.ModelChoiceField(
        queryset=None, label=_("Person")
    )

    field_order = ["client", "language"]

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _household(self, case)


class ConsentSignedForm(forms.Form):
    signed_on = forms.DateField(label=_("signed on"), widget=DateInput)


# --- the administrator's texts (referrals.manage_views) ---------------------------------------


class LetterTextForm(TextLimits, VersionedForm):
    """An organisation's letter text; an edit carries the version it was loaded with."""

    organisation: "forms.ModelChoiceField[Organisation]" = forms.ModelChoiceField(
        queryset=None, label=_("Organisation")
    )
    category = forms.ChoiceField(
        label=_("Service category"),
        required=False,
        help_text=_("Empty: every category without a text of its own."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Letter text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=4000,
        help_text=_(
            "Between the salutation and the closing, which the letter prints itself. "
            "Placeholders in braces, e.g. {vorname}; only those listed below."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation.queryset = Organisation.objects.order_by("name")
        category = cast(forms.ChoiceField, self.fields["category"])
        category.choices = [("", _("every category")), *Service.Category.choices]

    class Meta:
        model = LetterText
        fields = ["organisation", "category", "subject", "body"]


class PrintTextsForm(TextLimits, forms.Form):
    """Every text of one printout in one language, and whether a translator confirmed them."""

    reviewed = forms.BooleanField(
        label=_("Reviewed by a qualified translator"),
        required=False,
        help_text=_(
            "Tick only when a qualified translator has checked these texts. Until then the "
            "printout says it is a convenience translation and the German text prevails."
        ),
    )
    reviewed_by = forms.CharField(
        label=_("Reviewed by (name, qualification)"), required=False, max_length=200
    )

    def __init__(self, *args, keys, german, language, **kwargs):
        super().__init__(*args, **kwargs)
        for key in keys:
            self.fields[f"text_{key}"] = free_text_field(
                label=key_label(key),
                widget=forms.Textarea(
                    attrs={"rows": 3, "lang": language, "dir": "rtl" if language in RTL else "ltr"}
                ),
                limit=3000,
                help_text=german.get(key, ""),
            )
        if language == "de":
            del self.fields["reviewed"], self.fields["reviewed_by"]
        else:
            self.order_fields([*[f"text_{k}" for k in keys], "reviewed", "reviewed_by"])

    def texts(self) -> dict[str, str]:
        return {
            name[5:]: value for name, value in self.cleaned_data.items() if name.startswith("text_")
        }
