"""BAMF decisions and the deadlines on a case (§ 74 AsylG computed, others entered)."""

import datetime
import uuid
from typing import Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models.case import Case
from cases.models.client import Client
from caseworks.fields import EncryptedCharField


class DecisionType(models.TextChoices):
    REJECTED = "rejected", _("rejected (unfounded)")
    MANIFESTLY_UNFOUNDED = (
        "manifestly_unfounded",
        _("rejected as manifestly unfounded (offensichtlich unbegründet)"),
    )
    DUBLIN = "dublin", _("Dublin decision (another state responsible)")
    PARTLY_GRANTED = "partly_granted", _("partly granted (e.g. subsidiary protection only)")
    OTHER = "other", _("other decision")


class BamfDecision(models.Model):
    """A BAMF decision and the day it was served: the start of the § 74 AsylG deadlines."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        Client, models.CASCADE, related_name="bamf_decisions", verbose_name=_("person")
    )
    decision_type = models.CharField(_("decision"), max_length=30, choices=DecisionType)
    served_on = models.DateField(_("served on (Zustellung)"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("BAMF decision")
        verbose_name_plural = _("BAMF decisions")

    def __str__(self) -> str:
        return self.get_decision_type_display()


class DeadlineKind(models.TextChoices):
    LAWSUIT = "lawsuit", _("lawsuit deadline (§ 74 (1) AsylG)")
    GROUNDS = "grounds", _("grounds deadline (§ 74 (2) AsylG)")
    MANUAL = "manual", _("deadline")


ESCALATION_DAYS = 3


def escalation_horizon(today: datetime.date | None = None) -> datetime.date:
    """A deadline not done and due on this day or earlier is escalated."""
    today = today or timezone.localdate()
    return today + datetime.timedelta(days=ESCALATION_DAYS)


class DeadlineQuerySet(models.QuerySet["Deadline"]):
    def escalated(self, today: datetime.date | None = None) -> Self:
        """Not done and due within ESCALATION_DAYS (or missed): Deadline.is_escalated in SQL."""
        return self.filter(done_on__isnull=True, due_on__lte=escalation_horizon(today))


class Deadline(models.Model):
    """A due date that cannot be undone. Not done ESCALATION_DAYS before it ends, it is
    escalated to the team's supervisors."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, models.CASCADE, related_name="deadlines")
    client = models.ForeignKey(
        Client,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name=_("person"),
    )
    decision = models.ForeignKey(
        BamfDecision, models.CASCADE, null=True, blank=True, related_name="deadlines"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=DeadlineKind, default=DeadlineKind.MANUAL
    )
    # Free text can say a lot about a person: encrypted.
    title = EncryptedCharField(_("what"), max_length=200, blank=True)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    # When and by whom it was marked done: the mark can be taken back for a while
    # (CASEWORKS_DEADLINE_UNDO_HOURS), a tap on the wrong row being easy on a phone.
    done_at = models.DateTimeField(_("marked done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked done by"),
    )
    history = HistoricalRecords()

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["done_on", "due_on"])]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def label(self) -> str:
        return (
            self.title
            if self.kind == DeadlineKind.MANUAL and self.title
            else str(self.get_kind_display())
        )

    def is_escalated(self, today: datetime.date | None = None) -> bool:
        """DeadlineQuerySet.escalated for one deadline already loaded."""
        return self.done_on is None and self.due_on <= escalation_horizon(today)
