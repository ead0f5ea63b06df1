"""Moving in: households of an existing caseload, one at a time (case_import) or a whole
file in bulk (CaseImportBatch, for cases.intake.importing)."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cases.models import (
    Case,
    Client,
    ClientReference,
    DuplicateCheck,
    NameToken,
    ReferenceCounter,
    Relationship,
    ResidenceStatus,
)
from cases.selectors import teams_supervised_by
from cases.services.case import (
    caseworkers_of,
    check_caseworker,
    grant_new_cases,
    open_case,
)
from cases.services.clients import (
    CLIENT_FIELDS,
    STATUS_FIELDS,
    only,
)
from cases.services.guard import require_open
from caseworks.access.roles import Role, has_role
from caseworks.models import Team


def _may_import(actor: User, team: Team) -> bool:
    return has_role(actor, Role.ADMIN) or teams_supervised_by(actor).filter(pk=team.pk).exists()


def _refuse_team() -> ValidationError:
    return ValidationError({"team": _("You cannot import cases into this team.")})


def check_import_rights(actor: User, teams: Iterable[Team]) -> None:
    """Refuse before anything is written when the actor may not import into one of the
    teams (a batched import checks this once, before its first batch)."""
    for team in {t.pk: t for t in teams}.values():
        if not _may_import(actor, team):
            raise _refuse_team()


def import_publish(cases: Iterable[Case]) -> None:
    """The last step of a batched import (cases.intake.importing), in its one small
    transaction: the assignees are granted the run's new cases, which until then no
    caseworker could see (batches are written with finish(grant=False))."""
    grant_new_cases(cases)


def import_undo(cases: Iterable[Case], persons: Iterable[Client]) -> None:
    """Delete what an unfinished import wrote (one batch of it): the cases it opened, with
    their persons, and the persons it added to earlier cases. Each deletion is recorded in
    the history like any other."""
    for obj in [*cases, *persons]:
        obj.delete()


@transaction.atomic
def case_import(
    *,
    actor: User,
    team: Team,
    client: dict[str, Any],
    status: dict[str, Any] | None = None,
    assigned_to: User | None = None,
    opened_on: datetime.date | None = None,
    allocated_on: datetime.date | None = None,
    accommodation_address: str = "",
    references: Iterable[tuple[str, str]] = (),
    duplicates_seen: bool = False,
) -> Case:
    """A household of an existing caseload (cases.intake.importing): case_create's case, opened
    by the house's administrator or a supervisor of the team rather than at an intake. The
    duplicate check ran in the import's dry run; importing after it means the user
    confirmed the possible matches as different persons, which the case records."""
    if not _may_import(actor, team):
        raise _refuse_team()
    return open_case(
        actor=actor,
        team=team,
        client=client,
        status=status,
        assigned_to=assigned_to,
        opened_on=opened_on,
        allocated_on=allocated_on,
        accommodation_address=accommodation_address,
        references=references,
        matches_dismissed=duplicates_seen,
    )


class CaseImportBatch:
    """case_import, client_create, residence_status_add and client_reference_save for a
    whole file (cases.intake.importing), inside the caller's one transaction, writing the
    same rows: each object validated (clean_fields and clean), saved with its history row
    naming the actor, blind indexes and search rows, and the new cases' permissions granted
    as sync_permissions would (grant_new_cases: the assignee of an open case; no shares yet).

    What makes it fast: the objects are collected and written by finish() in bulk (history
    with simple_history's bulk_create_with_history, search rows with NameToken.add_for);
    what cannot change within the batch is checked once (the right to import into a team,
    who is a caseworker of it); foreign keys are not looked up again for rows loaded or
    created here, and uniqueness is left to the database's constraints (references are
    drawn from the counter, locked once per year); a case created in this batch is not
    locked again for each person added to it. Call finish() before the transaction ends."""

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self._may_import: dict[int, bool] = {}
        self._caseworkers: dict[int, set[int]] = {}
        self._counters: dict[int, ReferenceCounter] = {}
        self._locked: dict[int, Case] = {}  # earlier cases, checked open in this batch
        self._objects: dict[type[models.Model], list[Any]] = {
            Case: [],
            Client: [],
            ResidenceStatus: [],
            ClientReference: [],
        }

    def _check_team(self, team: Team, assigned_to: User | None) -> None:
        if team.pk not in self._may_import:
            self._may_import[team.pk] = _may_import(self.actor, team)
        if not self._may_import[team.pk]:
            raise _refuse_team()
        if team.pk not in self._caseworkers:
            self._caseworkers[team.pk] = set(caseworkers_of(team).values_list("pk", flat=True))
        if assigned_to is not None and assigned_to.pk not in self._caseworkers[team.pk]:
            check_caseworker(team, assigned_to)  # raises with the message

    def _reference(self, opened_on: datetime.date) -> str:
        counter = self._counters.get(opened_on.year)
        if counter is None:
            counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
                year=opened_on.year
            )
            self._counters[opened_on.year] = counter
        counter.last += 1
        return f"{opened_on.year}-{counter.last:04d}"

    def _add(self, obj: models.Model, *relations: str) -> None:
        # full_clean without the per-row queries: the related rows were loaded or made
        # here (relations), uniqueness is the database's constraints' (one transaction).
        obj.clean_fields(exclude=relations)
        obj.clean()
        self._objects[type(obj)].append(obj)

    def case(
        self,
        *,
        team: Team,
        client: dict[str, Any],
        status: dict[str, Any] | None = None,
        assigned_to: User | None = None,
        opened_on: datetime.date | None = None,
        allocated_on: datetime.date | None = None,
        accommodation_address: str = "",
        references: Iterable[tuple[str, str]] = (),
        duplicates_seen: bool = False,
    ) -> tuple[Case, Client]:
        """case_import's case and main contact (saved by finish())."""
        self._check_team(team, assigned_to)
        opened_on = opened_on or timezone.localdate()
        case = Case(
            reference=self._reference(opened_on),
            team=team,
            assigned_to=assigned_to,
            opened_on=opened_on,
            allocated_on=allocated_on,
            accommodation_address=accommodation_address,
            duplicate_check=(
                DuplicateCheck.DISMISSED if duplicates_seen else DuplicateCheck.NONE_FOUND
            ),
        )
        self._add(case, "team", "assigned_to")
        first = self._person(
            case,
            {**client, "relationship": Relationship.MAIN_CONTACT},
            status,
            references,
        )
        return case, first

    def person(
        self,
        *,
        case: Case,
        data: dict[str, Any],
        status: dict[str, Any] | None = None,
        references: Iterable[tuple[str, str]] = (),
    ) -> Client:
        """client_create with the person's status and reference numbers (saved by
        finish()). A case saved before the batch is locked and checked open once."""
        if case.pk is not None:
            if case.pk not in self._locked:
                self._locked[case.pk] = require_open(case)
            case = self._locked[case.pk]
        return self._person(case, data, status, references)

    def _person(
        self,
        case: Case,
        data: dict[str, Any],
        status: dict[str, Any] | None,
        references: Iterable[tuple[str, str]],
    ) -> Client:
        client = Client(case=case, **only(data, CLIENT_FIELDS))
        self._add(client, "case")
        if status:
            self._add(ResidenceStatus(client=client, **only(status, STATUS_FIELDS)), "client")
        for kind, number in references:
            self._add(ClientReference(client=client, kind=kind, number=number), "client")
        return client

    def finish(self, *, grant: bool = True) -> None:
        """Write what was collected; `grant=False` leaves the permissions to import_publish
        (a batched import's cases stay invisible to caseworkers until it is complete)."""
        for counter in self._counters.values():
            counter.save(update_fields=["last"])
        # In this order, each model's rows after those they refer to (bulk_create takes
        # the ids the related objects got meanwhile).
        for model, objects in self._objects.items():
            bulk_create_with_history(objects, model, batch_size=500, default_user=self.actor)
            if model is Client:
                NameToken.objects.add_for(objects)
        if grant:
            grant_new_cases(self._objects[Case])
        for objects in self._objects.values():
            objects.clear()
