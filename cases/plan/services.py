"""Writing the case plan: needs, special protection needs, schooling/training/work, and the
needs catalogue. Each function takes the acting user (the history user), validates with
full_clean() and runs in one transaction."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cases.models import Case, Client
from cases.plan.models import FINISHED, Activity, Need, NeedCategory, NeedStatus, SpecialNeed
from cases.plan.selectors import special_needs_visible
from cases.services import require_open
from caseworks.audit.log import log_event, save_audited
from caseworks.extensions.plan import NeedSource, ServedBy, need_servers, need_sources
from caseworks.web.concurrency import lock_versioned

NEED_FIELDS = ("category", "client", "goal", "due_on", "who_acts", "notes")


def _check_person(case: Case, client: Client | None) -> None:
    if client is not None and client.case_id != case.pk:
        raise ValidationError({"client": _("The person must belong to this household.")})


def _check_contacts(case: Case, contacts) -> list:
    contacts = list(contacts)
    if any(c.case_id != case.pk for c in contacts):
        raise ValidationError({"contacts": _("The contact must belong to this case.")})
    return contacts


@transaction.atomic
def need_create(*, actor, case: Case, contacts: Iterable = (), **data: Any) -> Need:
    """Record a need (open) for the household or one person."""
    case = require_open(case)
    _check_person(case, data.get("client"))
    category = data.get("category")
    if category is not None and not category.is_active:
        raise ValidationError({"category": _("This need is no longer in the catalogue.")})
    fields = {k: v for k, v in data.items() if k in (*NEED_FIELDS, "opened_on")}
    need = Need(case=case, recorded_by=actor, **fields)
    save_audited(need, actor)
    need.contacts.set(_check_contacts(case, contacts))
    return need


@transaction.atomic
def need_update(
    *, actor, need: Need, expected_version: int, contacts: Iterable | None = None, **data: Any
) -> Need:
    current = lock_versioned(need, expected_version)
    case = require_open(current.case)
    _check_person(case, data.get("client"))
    for name in NEED_FIELDS:
        if name in data:
            setattr(current, name, data[name])
    if "status" in data and data["status"] not in FINISHED:
        # Open ↔ in progress here; reached and dropped go through need_finish.
        current.status = data["status"]
    current.version += 1
    save_audited(current, actor)
    if contacts is not None:
        current.contacts.set(_check_contacts(case, contacts))
    return current


@transaction.atomic
def need_finish(
    *,
    actor,
    need: Need,
    status: str,
    drop_reason: str = "",
    on: datetime.date | None = None,
) -> Need:
    """Mark a need reached, or dropped with a reason."""
    require_open(need.case)
    current = Need.objects.select_for_update().get(pk=need.pk)
    if status not in FINISHED:
        raise ValidationError(_("Choose reached or dropped."))
    if status == NeedStatus.DROPPED and not drop_reason:
        raise ValidationError({"drop_reason": _("Say why the need is dropped.")})
    on = on or timezone.localdate()
    if on < current.opened_on:
        raise ValidationError(_("A need cannot be finished before it was opened."))
    current.status = status
    current.drop_reason = drop_reason if status == NeedStatus.DROPPED else ""
    current.finished_on = on
    current.version += 1
    save_audited(current, actor)
    return current


@transaction.atomic
def need_reopen(*, actor, need: Need) -> Need:
    """Take "reached" or "dropped" back (the need is in progress again)."""
    require_open(need.case)
    current = Need.objects.select_for_update().get(pk=need.pk)
    if current.is_finished:
        current.status = NeedStatus.IN_PROGRESS
        current.drop_reason = ""
        current.finished_on = None
        current.version += 1
        save_audited(current, actor)
    return current


# --- what served a need (the visits app registers: caseworks.extensions.plan) --------------------


def need_source(*, case: Case, kind: str, code: str) -> NeedSource | None:
    for provider in need_sources:
        source = provider(case=case, kind=kind, code=code)
        if source is not None:
            return source
    return None


def need_link_source(*, actor, need: Need, source: NeedSource) -> None:
    source.link(actor=actor, need=need)


def need_served_by(need: Need) -> list[ServedBy]:
    rows = [row for provider in need_servers for row in provider(need)]
    rows += [ServedBy(str(c), "") for c in need.contacts.all()]
    return rows


# --- special protection needs -------------------------------------------------------------------

SPECIAL_FIELDS = ("kind", "note", "volunteer_hint", "noted_on", "ended_on")


def _require_special_access(case: Case, actor) -> None:
    if not special_needs_visible(case=case, user=actor):
        raise ValidationError(
            _("Only the caseworkers of the case and its supervisors can do this.")
        )


def _check_special(special: SpecialNeed) -> None:
    if special.ended_on is not None and special.ended_on < special.noted_on:
        raise ValidationError({"ended_on": _("It cannot end before it was noted.")})


@transaction.atomic
def special_need_create(*, actor, client: Client, **data: Any) -> SpecialNeed:
    case = require_open(client.case)
    _require_special_access(case, actor)
    special = SpecialNeed(
        client=client, recorded_by=actor, **{k: v for k, v in data.items() if k in SPECIAL_FIELDS}
    )
    _check_special(special)
    save_audited(special, actor)
    return special


@transaction.atomic
def special_need_update(*, actor, special: SpecialNeed, expected_version: int, **data: Any):
    current = lock_versioned(special, expected_version)
    case = require_open(current.client.case)
    _require_special_access(case, actor)
    for name in SPECIAL_FIELDS:
        if name in data:
            setattr(current, name, data[name])
    _check_special(current)
    current.version += 1
    save_audited(current, actor)
    return current


# --- schooling, training, work ------------------------------------------------------------------

ACTIVITY_FIELDS = ("kind", "since", "until", "hours_per_week")


@transaction.atomic
def activity_create(*, actor, client: Client, **data: Any) -> Activity:
    require_open(client.case)
    activity = Activity(
        client=client, recorded_by=actor, **{k: v for k, v in data.items() if k in ACTIVITY_FIELDS}
    )
    save_audited(activity, actor)
    return activity


@transaction.atomic
def activity_update(*, actor, activity: Activity, expected_version: int, **data: Any) -> Activity:
    current = lock_versioned(activity, expected_version)
    require_open(current.client.case)
    for name in ACTIVITY_FIELDS:
        if name in data:
            setattr(current, name, data[name])
    current.version += 1
    save_audited(current, actor)
    return current


# --- the catalogue (admin) ----------------------------------------------------------------------

CATEGORY_FIELDS = ("name", "referral_category", "order", "is_active")


def _unique_key(name: str) -> str:
    base = slugify(name)[:32] or "need"
    key, n = base, 1
    while NeedCategory.objects.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


@transaction.atomic
def category_create(*, actor, **data: Any) -> NeedCategory:
    category = NeedCategory(
        key=_unique_key(data.get("name", "")),
        **{k: v for k, v in data.items() if k in CATEGORY_FIELDS},
    )
    save_audited(category, actor)
    log_event(
        user=actor,
        action="manage.need_category_created",
        object_type="needcategory",
        label=category.name,
    )
    return category


@transaction.atomic
def category_update(*, actor, category: NeedCategory, **data: Any) -> NeedCategory:
    current = NeedCategory.objects.select_for_update().get(pk=category.pk)
    for name in CATEGORY_FIELDS:
        if name in data:
            setattr(current, name, data[name])
    save_audited(current, actor)
    log_event(
        user=actor,
        action="manage.need_category_changed",
        object_type="needcategory",
        label=current.name,
    )
    return current
