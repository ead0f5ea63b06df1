"""Forms of the events and the newsletter pages."""

from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from caseworks.access.roles import Role
from caseworks.languages import choices as language_choices
from caseworks.web.forms import VersionedForm
from community import profiles
from community.models import Event, Interest, Issue


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class EventForm(VersionedForm):
    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "starts_at",
            "duration_minutes",
            "place",
            "capacity",
            "audience",
            "description",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
        }


class VolunteerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class RegisterVolunteerForm(forms.Form):
    user = VolunteerChoiceField(
        label=_("volunteer"),
        queryset=get_user_model()
        .objects.filter(is_active=True, groups__name=Role.VOLUNTEER)
        .order_by("last_name", "first_name", "username"),
    )


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(
        choices=[("yes", "yes"), ("no", "no")], coerce=lambda v: v == "yes"
    )


class IssueForm(VersionedForm):
    languages = forms.MultipleChoiceField(
        label=_("languages (volunteers who speak one of them)"),
        required=False,
        choices=language_choices,
        widget=forms.SelectMultiple(attrs={"size": 8, "class": "languages"}),
    )
    districts = forms.MultipleChoiceField(
        label=_("districts (volunteers in one of them)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interests = forms.MultipleChoiceField(
        label=_("interests (subscribers who chose one of them)"),
        choices=Interest.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Issue
        fields = ["subject", "body", "audience", "languages", "districts", "interests"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}
        help_texts = {
            "body": _(
                "Markdown: **bold**, *italic*, [link](https://…), lists with “- ”, headings "
                "with “## ”. HTML is shown as typed, images are not sent."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["districts"]).choices = profiles.district_choices()


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("e-mail address"), max_length=254)
    interests = forms.MultipleChoiceField(
        label=_("I am interested in"),
        choices=Interest.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(label=_("I agree (text above)"), required=True)


class OptInForm(forms.Form):
    interests = forms.MultipleChoiceField(
        label=_("I am interested in"),
        choices=Interest.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(label=_("I agree (text above)"), required=True)


class SendForm(forms.Form):
    """The confirmation before an issue goes out: the number of recipients the coordinator
    was shown, so that a segment grown or shrunk meanwhile is confirmed again."""

    recipients = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
