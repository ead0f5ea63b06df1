"""First and follow-up visits, the arrival checklist, and accompaniments (Begleitungen)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.law.topics import Topic
from cases.models import Case, Client
from caseworks.extensions.languages import LanguageField, register_language_field
from caseworks.fields import (
    ChoiceListField,
    EncryptedCharField,
    EncryptedTextField,
    LanguageCodeField,
)
from caseworks.models import Service, Versioned

MAX_VISIT_MINUTES = 12 * 60


# Topics are shared with contacts (cases): one list, defined there.


class Place(models.TextChoices):
    ACCOMMODATION = "accommodation", _("accommodation")
    OFFICE = "office", _("office")
    REMOTE = "remote", _("phone / video")
    ELSEWHERE = "elsewhere", _("elsewhere")


class CancelReason(models.TextChoices):
    """Why a visit or accompaniment is cancelled instead of deleted (it stays in the history)."""

    MISTAKE = "mistake", _("recorded by mistake")
    DID_NOT_TAKE_PLACE = "did_not_take_place", _("did not take place")
    CLIENT_ABSENT = "client_absent", _("client did not come")
    OTHER = "other", _("other")


# What a volunteer may report about an accompaniment they were to go along to.
VOLUNTEER_CANCEL_REASONS = (CancelReason.DID_NOT_TAKE_PLACE, CancelReason.CLIENT_ABSENT)
CANCEL_NOTE_MAX = 300
# The volunteer's note is a few lines (meeting point, what to bring), not a report.
VOLUNTEER_NOTE_MAX = 500


class Cancellable(models.Model):
    """Cancelled, never deleted: who cancelled when and why stays on the row and in the
    history; statistics, "last visit", my week, reminders and the calendar leave it out."""

    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("cancelled by"),
    )
    cancel_reason = models.CharField(
        _("reason for cancelling"), max_length=20, choices=CancelReason, blank=True
    )
    # A short free text can name a person or a diagnosis: encrypted like the notes.
    cancel_note = EncryptedCharField(
        _("note on cancelling"), max_length=CANCEL_NOTE_MAX, blank=True
    )

    class Meta:
        abstract = True


class VisitQuerySet(models.QuerySet):
    def held(self):
        """Visits that took place: not cancelled. Everything that counts visits uses this."""
        return self.filter(cancelled_at__isnull=True)

    def cancelled(self):
        return self.filter(cancelled_at__isnull=False)


class Visit(Versioned, Cancellable):
    class Kind(models.TextChoices):
        FIRST = "first", _("first visit")
        FOLLOW_UP = "follow_up", _("follow-up visit")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, models.CASCADE, related_name="visits")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    date = models.DateField(_("date"), default=timezone.localdate)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    place = models.CharField(_("place"), max_length=20, choices=Place, default=Place.ACCOMMODATION)
    present = models.ManyToManyField(
        Client, blank=True, related_name="visits", verbose_name=_("household members present")
    )
    # An ISO 639-3 code (caseworks.languages); a text from before the codes naming no language
    # of the catalogue waits in interpreter_language_other for the administrator.
    interpreter_language = LanguageCodeField(_("interpreting: language"), blank=True)
    interpreter_language_other = models.CharField(
        _("interpreting: language (not yet assigned)"), max_length=80, blank=True, editable=False
    )
    # A third person's name (often a community member): encrypted like the clients' names.
    interpreter_name = EncryptedCharField(_("interpreting: by whom"), max_length=120, blank=True)
    topics = ChoiceListField(_("topics"), default=list, blank=True, item_choices=Topic.choices)
    # § 53 StPO gives no right to refuse testimony: the form nudges towards topics over prose.
    notes = EncryptedTextField(_("notes"), blank=True)
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    # The needs of the case plan this visit served (cases.plan.models.Need).
    needs = models.ManyToManyField(
        "cases.Need", blank=True, related_name="visits", verbose_name=_("needs it served")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[present, needs])

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "-id"]
        # The supervision figures: last visit a case, visits in a period.
        indexes = [models.Index(fields=["case", "date"], name="visit_case_date")]
        constraints = [
            # A first visit recorded by mistake is cancelled, and the real one recorded.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(kind="first", cancelled_at__isnull=True),
                name="visit_one_held_first_per_case",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True, cancel_reason="")
                | Q(cancelled_at__isnull=False) & ~Q(cancel_reason=""),
                name="visit_cancelled_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=MAX_VISIT_MINUTES),
                name="visit_duration_1_to_720",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%d.%m.%Y}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def get_topic_labels(self) -> list[str]:
        field = self._meta.get_field("topics")
        assert isinstance(field, ChoiceListField)
        return field.labels(self.topics)


class ChecklistItem(models.TextChoices):
    """The arrival checklist walked through at the first visit."""

    REGISTRATION = "registration", _("registration at the residents' office")
    HEALTH_INSURANCE = "health_insurance", _("health insurance / health card")
    BENEFITS = "benefits", _("benefits (AsylbLG / SGB II)")
    SCHOOL_KITA = "school_kita", _("school / Kita place")
    DOCTOR = "doctor", _("family doctor")
    LANGUAGE_COURSE = "language_course", _("language course")


class ArrivalCheck(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="arrival_checks")
    item = models.CharField(_("item"), max_length=20, choices=ChecklistItem)
    is_done = models.BooleanField(_("done"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("arrival checklist point")
        verbose_name_plural = _("arrival checklist")
        constraints = [
            models.UniqueConstraint(fields=["case", "item"], name="arrivalcheck_unique_item"),
            models.CheckConstraint(
                condition=Q(is_done=False) | Q(done_on__isnull=False),
                name="arrivalcheck_done_has_date",
            ),
        ]

    def __str__(self):
        return self.get_item_display()


class AccompanimentQuerySet(models.QuerySet):
    def held(self):
        """Planned or done: not cancelled."""
        return self.exclude(status=Accompaniment.Status.CANCELLED)

    def cancelled(self):
        return self.filter(status=Accompaniment.Status.CANCELLED)


class Accompaniment(Versioned, Cancellable):
    # The same values as Service.Kind: a directory entry's kind is the destination's kind
    # (an advice service is not an authority).
    class DestinationKind(models.TextChoices):
        AUTHORITY = "authority", _("authority")
        INSTITUTION = "institution", _("institution")
        DOCTOR = "doctor", _("doctor")
        COUNSELLING = "counselling", _("advice service")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, models.CASCADE, related_name="accompaniments")
    # The person whose appointment it is (the one a volunteer calls) ...
    client = models.ForeignKey(
        Client, models.PROTECT, related_name="accompaniments", verbose_name=_("appointment for")
    )
    # ... and the household members going along (a parent with a child).
    others = models.ManyToManyField(
        Client,
        blank=True,
        related_name="accompaniments_along",
        verbose_name=_("also going along from the household"),
    )
    destination_kind = models.CharField(
        _("destination type"), max_length=20, choices=DestinationKind
    )
    service = models.ForeignKey(
        Service,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="accompaniments",
        verbose_name=_("destination (directory)"),
    )
    # Free text can reveal health details (a named practice): encrypted.
    destination_text = EncryptedTextField(_("destination (free text)"), blank=True)
    appointment_at = models.DateTimeField(_("appointment"))
    # The case notes' view of the appointment: the caseworker's only, never the volunteer's.
    purpose = EncryptedTextField(_("purpose"))
    # What the volunteer reads (meeting point, what to bring), written for them: the form
    # warns against health, residence status and case details. Encrypted all the same, as
    # free text can name anything.
    volunteer_note = EncryptedTextField(
        _("note for the accompaniment"), max_length=VOLUNTEER_NOTE_MAX, blank=True
    )
    outcome = EncryptedTextField(_("outcome"), blank=True)
    # A staff member, a volunteer, or both together; a new accompaniment has at least one.
    # (Not a CheckConstraint: older records may name nobody.)
    accompanied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="accompaniments",
        verbose_name=_("staff member going along"),
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer_accompaniments",
        verbose_name=_("volunteer going along"),
    )
    # An ISO 639-3 code (caseworks.languages); a text from before the codes naming no language
    # of the catalogue waits in interpreter_language_other for the administrator.
    interpreter_language = LanguageCodeField(_("interpreting: language"), blank=True)
    interpreter_language_other = models.CharField(
        _("interpreting: language (not yet assigned)"), max_length=80, blank=True, editable=False
    )
    # A third person's name (often a community member): encrypted like the clients' names.
    interpreter_name = EncryptedCharField(_("interpreting: by whom"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PLANNED)
    # The needs of the case plan this accompaniment served (cases.plan.models.Need).
    needs = models.ManyToManyField(
        "cases.Need",
        blank=True,
        related_name="accompaniments",
        verbose_name=_("needs it served"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[others, needs])

    objects = AccompanimentQuerySet.as_manager()

    class Meta:
        verbose_name = _("accompaniment")
        verbose_name_plural = _("accompaniments")
        ordering = ["appointment_at", "id"]
        indexes = [
            models.Index(fields=["accompanied_by", "status", "appointment_at"]),
            models.Index(fields=["status", "appointment_at"], name="accompaniment_status_time"),
            models.Index(
                fields=["volunteer", "status", "appointment_at"], name="accompaniment_volunteer"
            ),
        ]
        constraints = [
            # A reason only on a cancelled accompaniment (older cancelled ones have none).
            models.CheckConstraint(
                condition=Q(cancel_reason="") | Q(status="cancelled", cancelled_at__isnull=False),
                name="accompaniment_reason_only_when_cancelled",
            ),
        ]
        # "A directory entry or a free-text destination" cannot be a CheckConstraint: the free
        # text is ciphertext. The service and the form enforce it.

    def __str__(self):
        return f"{self.get_destination_kind_display()} {self.appointment_at:%d.%m.%Y %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def kind_label(self) -> str:
        """The destination's real kind: the directory's for a directory entry."""
        if self.service is not None:
            return str(self.service.get_kind_display())
        return str(self.get_destination_kind_display())

    @property
    def destination(self) -> str:
        """The place, as a caseworker or volunteer would say it."""
        if self.service is None:
            return self.destination_text
        if self.destination_text:
            return f"{self.service.name}, {self.destination_text}"
        return self.service.name


class CalendarToken(models.Model):
    """The secret of a personal calendar feed. Only its SHA-256 is stored: a leaked database
    does not open anyone's calendar. Renewing replaces it, and the old URL stops working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="calendar_token"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"calendar feed of {self.user}"


class ReminderSent(models.Model):
    """One digest per user and day: running send_reminders twice sends nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="remindersent_once_a_day")
        ]

    def __str__(self):
        return f"{self.user_id} {self.day}"


for _model, _label in (
    (Visit, _("Visits: interpreting language")),
    (Accompaniment, _("Accompaniments: interpreting language")),
):
    register_language_field(
        LanguageField(
            f"visits.{_model.__name__}.interpreter_language",
            _label,
            _model,
            codes="interpreter_language",
            other="interpreter_language_other",
            many=False,
        )
    )
