"""Consent and referral forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from caseworks.forms import DateInput, IdMultipleChoiceField, TextLimits, VersionedForm
from caseworks.models import Service
from referrals.models import Consent, Referral


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

    class Meta:
        model = Consent
        fields = [
            "client",
            "services",
            "category",
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
            )
        }

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = case.clients.all()
        self.fields["client"].label_from_instance = lambda c: c.full_name

    def clean(self):
        data = super().clean()
        if not data.get("services") and not data.get("category"):
            self.add_error("services", _("Name at least one service or a category."))
        return data


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

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = case.clients.all()
        self.fields["client"].label_from_instance = lambda c: c.full_name
        self.fields["service"].queryset = Service.objects.filter(is_active=True).order_by("name")
        self.fields["letter_subject"].required = False
        self.fields["letter_body"].required = False


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Referral.Status.choices)
    version = forms.IntegerField()


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
