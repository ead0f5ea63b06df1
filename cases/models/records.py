"""What is recorded on a case between visits: contacts and file notes, tasks
(Wiedervorlagen) and the clients' own appointments."""

import datetime
import uuid
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.law.topics import Topic
from cases.models.case import Case
from cases.models.client import Client
from caseworks.fields import ChoiceListField, EncryptedCharField, EncryptedTextField
from caseworks.models import Service, Versioned

MAX_CONTACT_MINUTES = 12 * 60


class ContactKind(models.TextChoices):
    OFFICE = "office", _("counselling in the office")
    PHONE = "phone", _("phone call")
    MESSAGE = "message", _("message (e-mail, messenger, letter)")
    FILE_NOTE = "file_note", _("file note")


class Contact(Versioned):
    """A short record of case-related counselling (einzelfallbezogene Beratung) outside the
    visits: in the office, on the phone, by message — or a file note. Counted in the
    statistics (contacts, hours)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind)
    date = models.DateField(_("date"), default=timezone.localdate)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=15)
    persons = models.ManyToManyField(
        Client, blank=True, related_name="contacts", verbose_name=_("persons")
    )
    topics = ChoiceListField(_("topics"), default=list, blank=True, item_choices=Topic.choices)
    # § 53 StPO gives no right to refuse testimony: the form nudges towards topics over prose.
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[persons])

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["case", "date"], name="contact_case_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__lte=MAX_CONTACT_MINUTES),
                name="contact_duration_max_720",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d.%m.%Y}"

    def get_topic_labels(self) -> list[str]:
        field = self._meta.get_field("topics")
        assert isinstance(field, ChoiceListField)
        return field.labels(self.topics)


class TaskQuerySet(models.QuerySet["Task"]):
    def open(self) -> Self:
        return self.filter(done_on__isnull=True)


class Task(Versioned):
    """A to-do on a case with a due date (Wiedervorlage)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, models.CASCADE, related_name="tasks")
    # Free text can say a lot about a person: encrypted.
    title = EncryptedCharField(_("what"), max_length=200)
    due_on = models.DateField(_("due on"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="case_tasks",
        verbose_name=_("who"),
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]
        # "My week": a user's open tasks by due date.
        indexes = [models.Index(fields=["assigned_to", "done_on", "due_on"], name="task_week")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.done_on is None and self.due_on < (today or timezone.localdate())


class AppointmentKind(models.TextChoices):
    BAMF_HEARING = "bamf_hearing", _("BAMF hearing (Anhörung)")
    IMMIGRATION_OFFICE = "immigration_office", _("immigration office (Ausländerbehörde)")
    BENEFITS_OFFICE = "benefits_office", _("Jobcenter / social welfare office")
    COURT = "court", _("court")
    SCHOOL = "school", _("school / Kita")
    DOCTOR = "doctor", _("doctor / clinic")
    COUNSELLING = "counselling", _("counselling service")
    OTHER = "other", _("other appointment")


class AppointmentQuerySet(models.QuerySet["Appointment"]):
    def planned(self) -> Self:
        return self.filter(cancelled_at__isnull=True)


class Appointment(Versioned):
    """A client's appointment nobody of the house goes along to (a BAMF hearing, the
    Ausländerbehörde, school): known, so that it is in the caseworker's week. Called off with
    a reason, never deleted."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, models.CASCADE, related_name="appointments")
    persons = models.ManyToManyField(
        Client, blank=True, related_name="appointments", verbose_name=_("persons")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=AppointmentKind)
    starts_at = models.DateTimeField(_("date and time"))
    service = models.ForeignKey(
        Service,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("where (directory)"),
    )
    # A named practice says something about health: encrypted.
    place = EncryptedCharField(_("where (free text)"), max_length=200, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = EncryptedCharField(_("reason for cancelling"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[persons])

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["case", "cancelled_at", "starts_at"], name="appointment_case")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.starts_at):%d.%m.%Y %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None
