"""The supervisors' forms: choosing cases to reassign, and the period and teams of the
statistics."""

import datetime
from typing import Any, cast

from django import forms
from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet, TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, Client
from cases.selectors import main_contacts
from caseworks.models import Team
from caseworks.web.forms import BoundedDateField, IdMultipleChoiceField
from caseworks.web.users import display_name


def case_label(case: Case) -> str:
    """The reference and the main contact's name (prefetched as `main_contacts`)."""
    found: list[Client] = getattr(case, "main_contacts", [])
    main = found[0].full_name if found else ""
    return f"{case.reference} · {main}" if main else case.reference


class ReassignForm(forms.Form):
    """Nothing is preselected: moving a caseload is a decision per case, or "all" on purpose."""

    cases = IdMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Cases"),
    )
    everything = forms.BooleanField(required=False, label=gettext_lazy("all of these cases"))
    to: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("Assign to")
    )

    def __init__(
        self, *args: Any, cases: QuerySet[Case], caseworkers: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.all_cases = cases
        # The main contact's name beside the reference, one query for all (decrypted for the
        # supervisor on this page only; never logged).
        main = main_contacts(name_only=True)
        chosen = cast(IdMultipleChoiceField, self.fields["cases"])
        chosen.queryset = cases.prefetch_related(
            Prefetch("clients", queryset=main, to_attr="main_contacts")
        )
        chosen.label_from_instance = case_label  # type: ignore[assignment]
        to = cast("forms.ModelChoiceField[User]", self.fields["to"])
        to.queryset = caseworkers
        to.label_from_instance = display_name  # type: ignore[assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("everything"):
            data["cases"] = self.all_cases
        elif not data.get("cases") and "cases" not in self.errors:
            self.add_error("cases", _("Choose the cases to move, or “all of these cases”."))
        return data


class StatisticsScope(TextChoices):
    """Whose cases a statistic counts: the teams one leads, or (counts only, small numbers
    suppressed as everywhere) every team of their carriers, or of the whole house (issue 31)."""

    TEAMS = "teams", gettext_lazy("the chosen teams")
    CARRIER = "carrier", gettext_lazy("my carrier: all its teams")
    HOUSE = "house", gettext_lazy("the whole house: every carrier")


class StatisticsForm(forms.Form):
    start = BoundedDateField(label=gettext_lazy("from"))
    end = BoundedDateField(label=gettext_lazy("until"))
    teams = IdMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Teams"),
        required=False,
    )
    scope = forms.ChoiceField(
        choices=StatisticsScope.choices,
        initial=StatisticsScope.TEAMS,
        required=False,
        widget=forms.RadioSelect,
        label=gettext_lazy("Count"),
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(IdMultipleChoiceField, self.fields["teams"]).queryset = teams

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: datetime.date | None = data.get("start")
        end: datetime.date | None = data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period cannot end before it starts."))
        data["scope"] = data.get("scope") or StatisticsScope.TEAMS
        if data["scope"] == StatisticsScope.TEAMS and not data.get("teams"):
            self.add_error("teams", _("Choose at least one team."))
        return data
