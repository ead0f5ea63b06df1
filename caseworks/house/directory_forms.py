"""The forms of the directory set-up pages (caseworks.house.directory_views)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from caseworks.access.roles import Role
from caseworks.directory.models import DirectoryProvider
from caseworks.house import directory
from caseworks.models import Team
from caseworks.web.forms import VersionedForm


def _https_urls(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ProviderForm(VersionedForm):
    # Never shown back (write_only, no value rendered); empty keeps the stored one.
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted; never shown again. Leave empty to keep the stored one."),
    )
    write_only = ("client_secret",)

    class Meta:
        model = DirectoryProvider
        fields = list(directory.PROVIDER_FIELDS)
        # Issuers are https URLs (a test provider on 127.0.0.1 says http itself).
        formfield_callback = _https_urls

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        stored = bool(self.instance.pk and self.instance.client_secret)
        if not data.get("client_secret") and not data.get("env_name") and not stored:
            self.add_error(
                "client_secret",
                _(
                    "Enter the client secret, or the name under which the server's environment "
                    "holds it."
                ),
            )
        return data


class MappingForm(forms.Form):
    group = forms.CharField(label=_("Group in the directory"), max_length=200)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args: Any, provider: DirectoryProvider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = Team.objects.filter(organisation=provider.organisation_id).order_by(
            "name"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            directory.mapping_rule(set(data.get("roles") or []))
        except forms.ValidationError as error:
            self.add_error(None, error)
        return data
