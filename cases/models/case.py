"""The case (a household): its lifecycle fields, reference numbers and what was still open at
closing. Persons are in cases.models.client, shares and cover in cases.models.access."""

import datetime
import uuid
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from caseworks.fields import EncryptedTextField
from caseworks.models import Organisation, Team, Versioned


class ClosingReason(models.TextChoices):
    MOVED_AWAY = "moved_away", _("moved away")
    OUT_OF_SCOPE = "out_of_scope", _("status changed, no longer in scope")
    RETURNED = "returned", _("returned to country of origin / departed")
    DECEASED = "deceased", _("deceased")
    OTHER = "other", _("other")


class DuplicateCheck(models.TextChoices):
    NONE_FOUND = "none_found", _("no possible match found")
    DISMISSED = "dismissed", _("possible matches checked: a different person")


class ReopeningReason(models.TextChoices):
    RETURNED = "returned", _("moved back / returned to the municipality")
    NEW_NEED = "new_need", _("new need for accompaniment")
    CLOSED_BY_MISTAKE = "mistake", _("closed by mistake")
    OTHER = "other", _("other")


class CaseQuerySet(models.QuerySet["Case"]):
    def expiring(self, today: datetime.date | None = None) -> Self:
        """Cases in which a person's current document or a reference has expired or expires
        within the warning window (see ClientQuerySet.expiring)."""
        # Here, not at the top: cases.models.client imports this module (Client points to Case).
        from cases.models.client import Client

        return self.filter(Exists(Client.objects.expiring(today).filter(case=OuterRef("pk"))))


class Case(Versioned):
    """The unit of accompaniment: usually a household. Addressed by `code`, never by id.
    Versioned: every change increments `version`; a form posting an older one is refused."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference number"), max_length=20, unique=True)
    team = models.ForeignKey(Team, models.PROTECT, related_name="cases", verbose_name=_("team"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assigned caseworker"),
    )
    # The app's local day (Europe/Berlin), not the host's: an intake at 00:30 is opened today.
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    allocated_on = models.DateField(
        _("allocated to the municipality on"),
        null=True,
        blank=True,
        help_text=_("Date of the allocation (Zuweisung) to the town."),
    )
    accommodation_address = EncryptedTextField(_("accommodation address"), blank=True)
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_reason = models.CharField(
        _("closing reason"), max_length=20, choices=ClosingReason, blank=True
    )
    reopening_reason = models.CharField(
        _("reopening reason"), max_length=20, choices=ReopeningReason, blank=True
    )
    duplicate_check = models.CharField(
        _("duplicate check at intake"), max_length=20, choices=DuplicateCheck, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-id"]
        # Caseloads: open cases of a caseworker / of a team, newest first.
        indexes = [
            models.Index(fields=["assigned_to", "closed_on", "opened_on"], name="case_caseload"),
            models.Index(fields=["team", "closed_on", "assigned_to"], name="case_team_open"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, closing_reason="")
                | Q(closed_on__isnull=False) & ~Q(closing_reason=""),
                name="case_closed_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def organisation(self) -> Organisation:
        return self.team.organisation

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def next_visit_overdue(self) -> bool:
        return self.next_visit_due is not None and self.next_visit_due < timezone.localdate()


class ReferenceCounter(models.Model):
    """Yearly sequence for case reference numbers (2026-0001, …)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ClosingAcknowledgement(models.Model):
    """What was still open when a case was closed (deadlines, tasks, planned accompaniments,
    referrals …), one a line, as the closing supervisor acknowledged it. The lines name
    persons and dates: encrypted. Kept apart from the case row so that lists of cases never
    load it."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="closing_acknowledgements")
    items = EncryptedTextField(_("still open at closing, acknowledged"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    acknowledged_at = models.DateTimeField(_("at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("acknowledgement at closing")
        verbose_name_plural = _("acknowledgements at closing")
        ordering = ["-acknowledged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case} {self.acknowledged_at:%d.%m.%Y}"
