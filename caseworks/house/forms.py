"""Forms of the house setup (`/manage/`): accounts, teams, organisations, the service
directory. They validate; caseworks.house.services saves."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from caseworks.access.roles import Role
from caseworks.admin import OrganisationForm as AdminOrganisationForm
from caseworks.house import services
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


class UserCreateForm(AccountFields):
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
    ]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("An account with this user name exists already."))
        return username

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = _(
            "The person's own address: the one-time code to set their password and second "
            "factor goes there (never to the administrator)."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("roles"):
            self.add_error("roles", _("Choose at least one role."))
        return data


class UserEditForm(AccountFields):
    # The account as loaded (manage_services.account_state): auth.User has no version column
    # for VersionedForm, so the service compares this instead (AccountChanged).
    version = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, user: User, actor: User, **kwargs: Any) -> None:
        self.user, self.actor = user, actor
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

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.user.pk != self.actor.pk:
            return data
        # One's own account: whatever of it was asked for (a part with an error counts as it
        # was), checked here, outside the saving transaction, so the refusal stays in the log.
        initial = self.initial
        wanted = {
            name: data.get(name, initial[name]) for name in ("first_name", "last_name", "email")
        }
        wanted["roles"] = sorted(set(data.get("roles", initial["roles"])))
        for name in ("teams", "led_teams"):
            chosen = data.get(name) if name in data else initial[name]
            wanted[name] = sorted(t.pk for t in chosen or [])
        services.refuse_self_change(
            actor=self.actor, user=self.user, parts=services.changed_parts(self.user, wanted)
        )
        return data

    def update(self, service: Callable[..., _Result], /, **kwargs: Any) -> _Result:
        """VersionedForm.update for an account: the state it was loaded with, and its fields."""
        changes = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        return service(**kwargs, expected_state=self.cleaned_data["version"], **changes)


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

    text_limits = {
        "dpo_contact": 1000,
        "supervisory_authority": 500,
        "address": 500,
        "letter_footer": 1000,
    }

    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    dpos = UserChoices(
        label=_("Data protection officers (accounts)"),
        queryset=None,
        required=False,
        help_text=_(
            "The accounts that read this carrier's access log, disclosures and retention "
            "reports. A change takes effect when the carrier's other data protection officer "
            "(or, while it has none, another administrator) approves it."
        ),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        current = (
            self.instance.data_protection_officers.all()
            if self.instance.pk
            else get_user_model().objects.none()
        )
        self.fields["dpos"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            .objects.filter(Q(is_active=True, is_superuser=False) | Q(pk__in=current.values("pk")))
            .order_by("last_name", "first_name", "username")
        )
        self.initial.setdefault("dpos", list(current))
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
            "dpos": list(self.cleaned_data.get("dpos") or []),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "dpos" in data:
            # Outside the saving transaction, so the refusal stays in the access log.
            services.refuse_self_change(
                actor=self.actor,
                user=self.actor,
                parts=services.dpo_self_parts(
                    actor=self.actor, organisation=self.instance, wanted=data["dpos"]
                ),
            )
        return data

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

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # As sent, not as cleaned: the actor ticked into a list they are no choice of is an
        # attempt too. Outside the saving transaction, so the refusal stays in the access log.
        sent = self.data.getlist if hasattr(self.data, "getlist") else (lambda _name: [])
        me = str(self.actor.pk)
        services.refuse_self_change(
            actor=self.actor,
            user=self.actor,
            parts=services.team_self_parts(
                actor=self.actor,
                team=self.instance,
                supervisors=[self.actor] if me in sent(self.add_prefix("supervisors")) else [],
                members=[self.actor]
                if me in sent(self.add_prefix("members")) + sent(self.add_prefix("office"))
                else [],
            ),
        )
        # A team with cases stays with its carrier (the form shows why, nothing is saved).
        services.refuse_carrier_change(
            actor=self.actor, team=self.instance, organisation=data.get("organisation")
        )
        return data

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
            "languages": _("Every language spoken there (several: Ctrl or long press)."),
            "category": _("Referral letters to this service use the letter of this category."),
        }
