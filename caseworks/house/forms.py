"""Forms of the house setup (`/manage/`): accounts, teams, organisations, the service
directory. They validate; caseworks.house.services saves."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from caseworks.access.roles import Role
from caseworks.admin import OrganisationForm as AdminOrganisationForm
from caseworks.house.services import SERVICE_FIELDS, account_state, roles_of_account
from caseworks.models import Organisation, Service, Team
from caseworks.web.forms import IdMultipleChoiceField, TextLimits, VersionedForm
from caseworks.web.users import display_name

_Result = TypeVar("_Result")


class UserChoices(IdMultipleChoiceField):
    """Accounts to tick, named by full name and user name."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        name = display_name(obj)
        return name if name == obj.get_username() else f"{name} ({obj.get_username()})"


class TeamChoices(IdMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


def _teams() -> QuerySet[Team]:
    return Team.objects.select_related("organisation").order_by("organisation__name", "name")


# --- users ------------------------------------------------------------------------------------

ACTIVE_CHOICES = [("", _("all")), ("yes", _("active")), ("no", _("deactivated"))]


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("all roles")), *Role.choices]
    )
    team = forms.ModelChoiceField(
        label=_("Team"), required=False, queryset=Team.objects.none(), empty_label=_("all teams")
    )
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = _teams()  # type: ignore[attr-defined]


class AccountFields(TextLimits, forms.Form):
    """Name, e-mail, roles and teams: creating and changing an account."""

    first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Caseworkers see the cases assigned to them; supervisors every case of the teams "
            "they lead; office staff the print queue of their teams; administrators this setup."
        ),
    )
    teams = TeamChoices(
        label=_("Member of the teams"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("Caseworkers and office staff work for the teams they are members of."),
    )
    led_teams = TeamChoices(
        label=_("Supervises the teams"), queryset=Team.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("teams", "led_teams"):
            self.fields[name].queryset = _teams()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        roles = set(data.get("roles") or [])
        if data.get("led_teams") and Role.SUPERVISOR not in roles:
            self.add_error(
                "led_teams", _("Only a supervisor can supervise a team: tick the role as well.")
            )
        return data


def _check_passwords(form: forms.Form, user: Any) -> None:
    one, two = form.cleaned_data.get("password1"), form.cleaned_data.get("password2")
    if one and two and one != two:
        form.add_error("password2", _("The two passwords differ. Please type them again."))
        return
    if one:
        try:
            password_validation.validate_password(one, user)
        except forms.ValidationError as error:
            form.add_error("password1", error)


class PasswordFields(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Give it to the person in person or by phone, never by e-mail. They can change it "
            "under “Security” after signing in."
        ),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class UserCreateForm(AccountFields, PasswordFields):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Used to sign in. Letters, digits and @ . + - _ only."),
    )

    field_order = [
        "username",
        "first_name",
        "last_name",
        "email",
        "roles",
        "teams",
        "led_teams",
        "password1",
        "password2",
    ]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("An account with this user name exists already."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("roles"):
            self.add_error("roles", _("Choose at least one role."))
        probe = get_user_model()(
            username=data.get("username") or "",
            first_name=data.get("first_name") or "",
            last_name=data.get("last_name") or "",
            email=data.get("email") or "",
        )
        _check_passwords(self, probe)
        return data


class UserEditForm(AccountFields):
    # The account as loaded (manage_services.account_state): auth.User has no version column
    # for VersionedForm, so the service compares this instead (AccountChanged).
    version = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "roles": roles_of_account(user),
                "teams": list(user.teams.all()),
                "led_teams": list(user.led_teams.all()),
                "version": account_state(user),
            },
        )
        super().__init__(*args, **kwargs)

    def update(self, service: Callable[..., _Result], /, **kwargs: Any) -> _Result:
        """VersionedForm.update for an account: the state it was loaded with, and its fields."""
        changes = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        return service(**kwargs, expected_state=self.cleaned_data["version"], **changes)


class PasswordSetForm(PasswordFields):
    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_passwords(self, self.user)
        return data


class EnrolmentCodeForm(forms.Form):
    remove_second_factor = forms.BooleanField(
        label=_("Remove the current second factor (lost or new phone)"),
        required=False,
        help_text=_(
            "The authenticator app and the recovery codes stop working; the person sets up "
            "the app again with the new code."
        ),
    )


# --- organisations ----------------------------------------------------------------------------


class OrganisationForm(TextLimits, VersionedForm, AdminOrganisationForm):
    """The Django admin's form (the same logo check: PNG or SVG, at most 500 kB), with a way
    to remove the logo and the version it was loaded at. Saving is
    manage_services.organisation_save's."""

    text_limits = {"dpo_contact": 1000, "address": 500, "letter_footer": 1000}

    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["retention_years"].help_text = _(
            "Closed cases are deleted this many years after they were closed (§ 195 BGB: "
            "commonly 3), unless a legal hold keeps them."
        )
        self.fields["retention_years"].min_value = 1  # type: ignore[attr-defined]
        self.fields["retention_years"].widget.attrs["min"] = 1
        self.fields["retention_years"].max_value = 30  # type: ignore[attr-defined]
        self.fields["retention_years"].widget.attrs["max"] = 30
        self.fields["dpo_contact"].help_text = _(
            "Name, address, e-mail and phone of the responsible data protection officer, as "
            "given on the information sheet for clients."
        )
        if not self.instance.logo_type:
            del self.fields["remove_logo"]

    def changes(self) -> dict[str, Any]:
        """What organisation_save takes: the fields, and the logo as a file or its removal."""
        fields = self._meta.fields or ()
        return {
            "data": {k: v for k, v in self.cleaned_data.items() if k in fields},
            "logo": self.cleaned_data.get("logo_file"),
            "remove_logo": bool(self.cleaned_data.get("remove_logo")),
        }

    def clean_retention_years(self) -> int:
        years: int = self.cleaned_data["retention_years"]
        if not 1 <= years <= 30:
            raise forms.ValidationError(_("Enter a number of years between 1 and 30."))
        return years


# --- teams ------------------------------------------------------------------------------------


def _with_role(role: str, current: QuerySet[User]) -> QuerySet[User]:
    """Active accounts holding `role`, and those already chosen (kept, whatever they are)."""
    return (
        get_user_model()
        .objects.filter(Q(is_active=True, groups__name=role) | Q(pk__in=current.values("pk")))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class TeamForm(TextLimits, VersionedForm):
    supervisors = UserChoices(label=_("Supervisors"), queryset=None, required=False)
    members = UserChoices(
        label=_("Members"),
        queryset=None,
        required=False,
        help_text=_("Caseworkers (and volunteers) working in this team."),
    )
    office = UserChoices(
        label=_("Office"),
        queryset=None,
        required=False,
        help_text=_("Office staff who print and send this team's referral letters."),
    )

    class Meta:
        model = Team
        fields = ["organisation", "name"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.instance
        User = get_user_model()
        members = team.members.all() if team.pk else User.objects.none()
        supervisors = team.supervisors.all() if team.pk else User.objects.none()
        office_role = members.filter(groups__name=Role.OFFICE)
        self.fields["supervisors"].queryset = _with_role(Role.SUPERVISOR, supervisors)  # type: ignore[attr-defined]
        self.fields["office"].queryset = _with_role(Role.OFFICE, office_role)  # type: ignore[attr-defined]
        # Members: every active account but office-only ones (those are under "office").
        self.fields["members"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                Q(is_active=True, groups__name__in=[Role.CASEWORKER, Role.VOLUNTEER])
                | Q(pk__in=members.exclude(pk__in=office_role.values("pk")).values("pk"))
            )
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")  # type: ignore[attr-defined]
        if team.pk:
            self.initial.setdefault("supervisors", list(supervisors))
            self.initial.setdefault("office", list(office_role))
            self.initial.setdefault("members", list(members.exclude(pk__in=office_role)))

    def changes(self) -> dict[str, Any]:
        """What team_save takes: office staff are members as well."""
        data = self.cleaned_data
        members = set(data.get("members") or []) | set(data.get("office") or [])
        return {
            "organisation": data["organisation"],
            "name": data["name"],
            "supervisors": data["supervisors"],
            "members": members,
        }


# --- the service directory --------------------------------------------------------------------


class ServiceForm(TextLimits, VersionedForm):
    def changes(self) -> dict[str, Any]:
        """What service_save takes: the fields as one `data`."""
        return {"data": super().changes()}

    class Meta:
        model = Service
        fields = list(SERVICE_FIELDS)
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "languages": _("e.g. Deutsch, Arabisch, Farsi"),
            "category": _("Referral letters to this service use the letter of this category."),
        }
