"""The case file's history tab: who changed what and when, from simple-history rows.

Values are decrypted only here, and this is only reached through case_get_for_user.
Consecutive versions of each object are compared in memory (no query per row).
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.models import Case, CaseShare, Client, ResidenceStatus
from caseworks.extensions.casefile import history_sources_for
from caseworks.fields import BlindIndexField, ChoiceListField
from caseworks.models import Team
from caseworks.web.users import display_name

# Bookkeeping columns that say nothing to a reader.
HIDDEN = {"id", "code", "version", "created_at", "updated_at", "recorded_at", "case", "client"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    at: datetime.datetime
    user: object
    action: str  # "created", "changed", "deleted"
    subject: str
    changes: list[Change] = field(default_factory=list)


def _user_label(user) -> str:
    return display_name(user) or "—"


class _Formatter:
    def __init__(self, records):
        user_ids, team_ids = set(), set()
        for r in records:
            for name in (
                "assigned_to_id",
                "user_id",
                "accompanied_by_id",
                "recorded_by_id",
                "done_by_id",
                "created_by_id",
            ):
                if getattr(r, name, None):
                    user_ids.add(getattr(r, name))
            if getattr(r, "team_id", None):
                team_ids.add(r.team_id)
        self.users = get_user_model().objects.in_bulk(user_ids)
        self.teams = Team.objects.in_bulk(team_ids)
        # Other foreign keys (a service, a household member): one query per related model.
        wanted: dict = {}
        for r in records:
            for f in r.instance_type._meta.concrete_fields:
                if (
                    isinstance(f, models.ForeignKey)
                    and f.name not in HIDDEN
                    and f.related_model not in (Team, get_user_model())
                    and getattr(r, f.attname, None) is not None
                ):
                    wanted.setdefault(f.related_model, set()).add(getattr(r, f.attname))
        self.related = {
            (model, pk): obj
            for model, pks in wanted.items()
            for pk, obj in model.objects.in_bulk(pks).items()
        }

    def value(self, model_field, value) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(model_field, ChoiceListField):
            return ", ".join(model_field.labels(value))
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(model_field, models.BooleanField):
            return _("yes") if value else _("no")
        if isinstance(value, datetime.date):
            return date_format(value, "SHORT_DATE_FORMAT")
        if isinstance(model_field, models.ForeignKey):
            related = model_field.related_model
            if related is Team:
                return str(self.teams.get(value, value))
            if related is get_user_model():
                return _user_label(self.users.get(value))
            return str(self.related.get((related, value), "—"))
        return str(value)


def _fields(model):
    """The fields the history keeps (excluded ones, like a letter's PDF, are not there)."""
    kept = {f.name for f in model.history.model._meta.concrete_fields}
    return [
        f
        for f in model._meta.concrete_fields
        if f.name in kept and f.name not in HIDDEN and not isinstance(f, BlindIndexField)
    ]


def case_history(case: Case) -> list[Entry]:
    case_rows = list(case.history.select_related("history_user"))
    client_rows = list(Client.history.filter(case_id=case.pk).select_related("history_user"))
    client_ids = {r.id for r in client_rows}
    status_rows = list(
        ResidenceStatus.history.filter(client_id__in=client_ids).select_related("history_user")
    )
    share_rows = list(CaseShare.history.filter(case_id=case.pk).select_related("history_user"))
    # Visits, accompaniments, … contribute their rows without cases importing them.
    others = history_sources_for(case)
    formatter = _Formatter(case_rows + share_rows + [r for _m, rows, _s in others for r in rows])

    # The name of each client as last recorded, to label their status rows.
    names = {}
    for r in sorted(client_rows, key=lambda r: r.history_date):
        names[r.id] = f"{r.first_name} {r.last_name}"

    extra_subjects = {model: label for model, _rows, label in others}

    def subject(model, row) -> str:
        if model in extra_subjects:
            return extra_subjects[model](row)
        if model is Case:
            return _("Case %(ref)s") % {"ref": row.reference}
        if model is Client:
            return _("Person: %(name)s") % {"name": f"{row.first_name} {row.last_name}"}
        if model is ResidenceStatus:
            return _("Residence status of %(name)s") % {"name": names.get(row.client_id, "?")}
        return _("Shared with %(user)s") % {
            "user": formatter.value(CaseShare._meta.get_field("user"), row.user_id)
        }

    entries: list[Entry] = []
    sources = [
        (Case, case_rows),
        (Client, client_rows),
        (ResidenceStatus, status_rows),
        (CaseShare, share_rows),
        *((model, rows) for model, rows, _s in others),
    ]
    for model, rows in sources:
        fields = _fields(model)
        by_object: dict[int, list] = {}
        for row in rows:
            by_object.setdefault(row.id, []).append(row)
        for versions in by_object.values():
            versions.sort(key=lambda r: (r.history_date, r.history_id))
            previous = None
            for row in versions:
                action = {"+": "created", "~": "changed", "-": "deleted"}[row.history_type]
                changes = []
                for f in fields:
                    new = getattr(row, f.attname)
                    old: object = getattr(previous, f.attname) if previous is not None else None
                    if action == "deleted" or new == old:
                        continue
                    if previous is None and new in (None, "", False):
                        continue
                    changes.append(
                        Change(
                            str(f.verbose_name), formatter.value(f, old), formatter.value(f, new)
                        )
                    )
                if action == "changed" and not changes:
                    previous = row
                    continue
                entries.append(
                    Entry(row.history_date, row.history_user, action, subject(model, row), changes)
                )
                previous = row
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
