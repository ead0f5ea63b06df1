"""Writing the case plan: needs, special protection needs, schooling/training/work, and the
needs catalogue. Each function takes the acting user (the history user), validates with
full_clean() and runs in one transaction."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cases.models import Case, Client, Contact
from cases.plan.models import FINISHED, Activity, Need, NeedCategory, NeedStatus, SpecialNeed
from cases.plan.selectors import special_needs_visible
from cases.services import require_open, save_transition
from caseworks.audit.log import log_event, save_audited
from caseworks.extensions.plan import NeedSource, ServedBy, need_servers, need_sources
from caseworks.web.concurrency import versioned_update

NEED_FIELDS = ("category", "client", "goal", "due_on", "who_acts", "notes")


def _check_person(case: Case, client: Client | None) -> None:
    if client is not None and client.case_id != case.pk:
        raise ValidationError({"client": _("The person must belong to this household.")})


def _check_contacts(case: Case, contacts: Iterable[Contact]) -> list[Contact]:
    contacts = list(contacts)
    if any(c.case_id != case.pk for c in contacts):
        raise ValidationError({"contacts": _("The contact must belong to this case.")})
    return contacts


@transaction.atomic
def need_create(*, actor: User, case: Case, contacts: Iterable[Contact] = (), **data: Any) -> Need:
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
    *,
    actor: User,
    need: Need,
    expected_version: int,
    contacts: Iterable[Contact] | None = None,
    **data: Any,
) -> Need:
    # Open ↔ in progress here; reached and dropped go through need_finish.
    fields = (*NEED_FIELDS, "status") if data.get("status") not in FINISHED else NEED_FIELDS
    current = versioned_update(
        need,
        actor=actor,
        expected_version=expected_version,
        data=data,
        fields=fields,
        clean=lambda current: _check_person(current.case, current.client),
    )
    if contacts is not None:
        current.contacts.set(_check_contacts(current.case, contacts))
    return current


@transaction.atomic
def need_finish(
    *,
    actor: User,
    need: Need,
    status: str,
    drop_reason: str = "",
    on: datetime.date | None = None,
) -> Need:
    """Mark a need reached, or dropped with a reason."""
    require_open(need.case)
    current: Need = Need.objects.select_for_update().get(pk=need.pk)
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
    save_transition(current, actor)
    return current


@transaction.atomic
def need_reopen(*, actor: User, need: Need) -> Need:
    """Take "reached" or "dropped" back (the need is in progress again)."""
    require_open(need.case)
    current: Need = Need.objects.select_for_update().get(pk=need.pk)
    if current.is_finished:
        current.status = NeedStatus.IN_PROGRESS
        current.drop_reason = ""
        current.finished_on = None
        save_transition(current, actor)
    return current


# --- what served a need (the visits app registers: caseworks.extensions.plan) --------------------


def need_source(*, case: Case, kind: str, code: str) -> NeedSource | None:
    for provider in need_sources:
        source = provider(case=case, kind=kind, code=code)
        if source is not None:
            return source
    return None


def need_link_source(*, actor: User, need: Need, source: NeedSource) -> None:
    source.link(actor=actor, need=need)


def need_served_by(need: Need) -> list[ServedBy]:
    rows = [row for provider in need_servers for row in provider(need)]
    rows += [ServedBy(str(c), "") for c in need.contacts.all()]
    return rows


# --- special protection needs -------------------------------------------------------------------

SPECIAL_FIELDS = ("kind", "note", "volunteer_hint", "noted_on", "ended_on")


def _require_special_access(case: Case, actor: User) -> None:
    if not special_needs_visible(case=case, user=actor):
        raise ValidationError(
            _("Only the caseworkers of the case and its supervisors can do this.")
        )


def _check_special(special: SpecialNeed) -> None:
    if special.ended_on is not None and special.ended_on < special.noted_on:
        raise ValidationError({"ended_on": _("It cannot end before it was noted.")})


@transaction.atomic
def special_need_create(*, actor: User, client: Client, **data: Any) -> SpecialNeed:
    case = require_open(client.case)
    _require_special_access(case, actor)
    special = SpecialNeed(
        client=client, recorded_by=actor, **{k: v for k, v in data.items() if k in SPECIAL_FIELDS}
    )
    _check_special(special)
    save_audited(special, actor)
    return special


def special_need_update(
    *, actor: User, special: SpecialNeed, expected_version: int, **data: Any
) -> SpecialNeed:
    def clean(current: SpecialNeed) -> None:
        _require_special_access(current.client.case, actor)
        _check_special(current)

    return versioned_update(
        special,
        actor=actor,
        expected_version=expected_version,
        data=data,
        fields=SPECIAL_FIELDS,
        clean=clean,
    )


# --- schooling, training, work ------------------------------------------------------------------

ACTIVITY_FIELDS = ("kind", "since", "until", "hours_per_week")


@transaction.atomic
def activity_create(*, actor: User, client: Client, **data: Any) -> Activity:
    require_open(client.case)
    activity = Activity(
        client=client, recorded_by=actor, **{k: v for k, v in data.items() if k in ACTIVITY_FIELDS}
    )
    save_audited(activity, actor)
    return activity


def activity_update(
    *, actor: User, activity: Activity, expected_version: int, **data: Any
) -> Activity:
    return versioned_update(
        activity,
        actor=actor,
        expected_version=expected_version,
        data=data,
        fields=ACTIVITY_FIELDS,
    )


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
def category_create(*, actor: User, **data: Any) -> NeedCategory:
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
def category_update(
    *, actor: User, category: NeedCategory, expected_version: int, **data: Any
) -> NeedCategory:
    """Rename, reorder or (de)activate a line of the catalogue; two administrators editing one
    line do not overwrite each other unseen (the version the form was loaded with)."""
    current = versioned_update(
        category,
        actor=actor,
        expected_version=expected_version,
        data=data,
        fields=CATEGORY_FIELDS,
    )
    log_event(
        user=actor,
        action="manage.need_category_changed",
        object_type="needcategory",
        label=current.name,
    )
    return current
