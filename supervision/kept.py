"""Statistics of closed periods kept instead of recomputed (issue 37; cases.models.KeptFigures).

A period is closed once its last day has passed. Its statistics are computed once, on the
first view, and kept per scope (the kind of statistic and every team counted), period and
language; later views read them. The residue of deleted cases and the suppression of small
counts are applied on every view, to kept tables as to fresh ones.

What drops them (docs/statistics.md), for the teams concerned:
- a dated record changed, added or deleted — a visit or contact (its date), an accompaniment
  (its day), a referral (the day it was made), a need (opened or finished): the periods that
  contain its date, before and after the change;
- a case, a person, a residence status or a special protection need changed, added or deleted
  (also by retention): every period the case was open in, before and after the change (a
  person's nationality or birth year counts in each of them);
- a volunteer or a volunteer's language, a service's category, a need category, an import
  run committing its cases: every kept figure (these count across teams; they are rare);
- a deployment (migrate): every kept figure, since a statistic's definition may have changed.
Changes through QuerySet.update() or raw SQL send no signal: whoever changes these records
that way calls `drop_all()` (none does today).

Drops run within the changing transaction (rolled back with it). A record changed while a
closed period is computed for the very first time may be missed by that computation: the
window is the computation itself.
"""

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete, pre_save
from django.utils import timezone, translation

from cases.models import (
    Case,
    Client,
    Contact,
    KeptFigures,
    Need,
    NeedCategory,
    ResidenceStatus,
    SpecialNeed,
)
from cases.models.imports import ImportRun
from caseworks.extensions.supervision import StatTable
from caseworks.models import Service, Team
from referrals.models import Referral
from visits.models import Accompaniment, Visit
from volunteers.models import Volunteer, VolunteerLanguage

Span = tuple[datetime.date, datetime.date | None]  # first and last day (None: still open)

# Records dated within a period: the path to their case and their date fields.
DATED: dict[type[models.Model], tuple[str, tuple[str, ...]]] = {
    Visit: ("case", ("date",)),
    Contact: ("case", ("date",)),
    Accompaniment: ("case", ("appointment_at",)),
    Referral: ("case", ("created_at",)),
    Need: ("case", ("opened_on", "finished_on")),
}
# Records that count in every period their case was open in: the path to their case.
CASE_WIDE: dict[type[models.Model], str] = {
    Case: "",
    Client: "case",
    ResidenceStatus: "client__case",
    SpecialNeed: "client__case",
}
# Records that count across teams: any change drops every kept figure.
EVERYWHERE: tuple[type[models.Model], ...] = (
    Volunteer,
    VolunteerLanguage,
    Service,
    NeedCategory,
    ImportRun,
)


def scope_key(scope: str, teams: Iterable[Team]) -> tuple[str, str]:
    """(scope, teams) as kept: the kind of statistic and the ids of every team counted."""
    ids = sorted({team.pk for team in teams})
    return f"{scope}:{','.join(map(str, ids))}", f",{','.join(map(str, ids))},"


def is_closed(end: datetime.date, today: datetime.date | None = None) -> bool:
    return end < (today or timezone.localdate())


def kept_statistics(
    *,
    scope: str,
    teams: list[Team],
    start: datetime.date,
    end: datetime.date,
    compute: Callable[[], list[StatTable]],
) -> list[StatTable]:
    """The statistics of `scope` over `teams` for the period: kept ones for a closed period
    (computed and kept on the first view), computed ones for a period not yet over."""
    if not is_closed(end):
        return compute()
    key, team_ids = scope_key(scope, teams)
    language = translation.get_language() or ""
    kept = KeptFigures.objects.filter(scope=key, start=start, end=end, language=language)
    found = [
        StatTable(k.table, k.title, k.order, [(label, n) for label, n in k.rows])
        for k in kept.order_by("order", "table")
    ]
    if found:
        return found
    tables = compute()
    try:
        with transaction.atomic():
            KeptFigures.objects.bulk_create(
                [
                    KeptFigures(
                        scope=key,
                        teams=team_ids,
                        start=start,
                        end=end,
                        language=language,
                        table=t.key,
                        title=str(t.title),
                        order=t.order,
                        rows=[[str(label), n] for label, n in t.rows],
                    )
                    for t in tables
                ]
            )
    except IntegrityError:
        pass  # another request kept the same figures first
    return tables


def _schedule(team_id: int | None, span: Span) -> None:
    """Drop at once, inside the changing transaction: if it rolls back, the kept figures come
    back with the records they were computed from."""
    if team_id is not None:
        drop(team_id, [span])


def drop(team_id: int, spans: Iterable[Span]) -> int:
    """Drop the kept figures of this team's periods that overlap any of the spans."""
    overlap = Q()
    for first, last in _merged(spans):
        overlap |= Q(end__gte=first) & (Q() if last is None else Q(start__lte=last))
    if not overlap:
        return 0
    deleted, _rows = (
        KeptFigures.objects.filter(teams__contains=f",{team_id},").filter(overlap).delete()
    )
    return deleted


def drop_all(**_kwargs: Any) -> None:
    KeptFigures.objects.all().delete()


def _merged(spans: Iterable[Span]) -> list[Span]:
    """Overlapping spans as one (a case's records all fall within the case's span)."""
    merged: list[Span] = []
    for first, last in sorted(spans, key=lambda s: s[0]):
        if merged:
            top_first, top_last = merged[-1]
            if top_last is None or first <= top_last:
                later = None if top_last is None or last is None else max(top_last, last)
                merged[-1] = (top_first, later)
                continue
        merged.append((first, last))
    return merged


def _day(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def _spans_of(model: type[models.Model], pk: Any) -> list[tuple[int | None, Span]]:
    """(team, span) of a stored record, as the statistics count it."""
    if pk is None:
        return []
    if model in DATED:
        path, dates = DATED[model]
        row = model._default_manager.filter(pk=pk).values(f"{path}__team_id", *dates).first()
        if row is None:
            return []
        team = row[f"{path}__team_id"]
        return [(team, (d, d)) for d in (_day(row[f]) for f in dates) if d is not None]
    path = CASE_WIDE[model]
    prefix = f"{path}__" if path else ""
    fields = [f"{prefix}team_id", f"{prefix}opened_on", f"{prefix}closed_on"]
    row = model._default_manager.filter(pk=pk).values(*fields).first()
    if row is None or row[fields[1]] is None:
        return []
    return [(row[fields[0]], (row[fields[1]], row[fields[2]]))]


def _case_span(model: type[models.Model], path: str, pk: Any) -> tuple[int | None, Span] | None:
    """(team, span) of the case a record about to be deleted belongs to (still stored: the
    signal comes before the deletion, also within a cascade)."""
    prefix = f"{path}__" if path else ""
    fields = [f"{prefix}team_id", f"{prefix}opened_on", f"{prefix}closed_on"]
    row = model._default_manager.filter(pk=pk).values_list(*fields).first()
    return None if row is None or row[1] is None else (row[0], (row[1], row[2]))


def _gone(sender: type[models.Model], instance: Any, **_kwargs: Any) -> None:
    """A record about to be deleted (alone, or with its case: retention)."""
    if sender is Case:
        if instance.opened_on is not None:
            _schedule(instance.team_id, (instance.opened_on, instance.closed_on))
        return
    if sender in DATED:
        _path, dates = DATED[sender]
        found = _case_span(Case, "", instance.case_id)
        if found is not None:
            for day in (_day(getattr(instance, f)) for f in dates):
                if day is not None:
                    _schedule(found[0], (day, day))
        return
    # A person (its case), a status or special need (its person's case).
    if sender is Client:
        found = _case_span(Case, "", instance.case_id)
    else:
        found = _case_span(Client, "case", instance.client_id)
    if found is not None:
        _schedule(*found)


def _changed(sender: type[models.Model], instance: models.Model, **_kwargs: Any) -> None:
    """The record as stored: before a change (pre_save), and after it (post_save)."""
    for team, span in _spans_of(sender, instance.pk):
        _schedule(team, span)


def _everywhere(**_kwargs: Any) -> None:
    drop_all()


def connect() -> None:
    """Called from SupervisionConfig.ready()."""
    for model in (*DATED, *CASE_WIDE):
        pre_save.connect(_changed, sender=model, dispatch_uid=f"kept-before-{model.__name__}")
        post_save.connect(_changed, sender=model, dispatch_uid=f"kept-after-{model.__name__}")
        pre_delete.connect(_gone, sender=model, dispatch_uid=f"kept-gone-{model.__name__}")
    for model in EVERYWHERE:
        post_save.connect(_everywhere, sender=model, dispatch_uid=f"kept-all-{model.__name__}")
        post_delete.connect(_everywhere, sender=model, dispatch_uid=f"kept-all-d-{model.__name__}")
    post_migrate.connect(drop_all, sender=apps.get_app_config("cases"), dispatch_uid="kept-migrate")
