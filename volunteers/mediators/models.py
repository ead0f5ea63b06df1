"""The mediators and their bookings. Languages are ISO 639-3 codes (caseworks.languages)."""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Appointment, Case, Contact
from caseworks import languages
from caseworks.fields import (
    ChoiceListField,
    EncryptedCharField,
    LanguageCodeField,
    LanguageCodesField,
)
from caseworks.models import Versioned
from visits.models import Accompaniment, Visit
from volunteers.models import Volunteer

MAX_BOOKING_MINUTES = 12 * 60


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    PHONE = "phone", _("by phone")
    VIDEO = "video", _("by video")


class MediatorKind(models.TextChoices):
    VOLUNTEER = "volunteer", _("volunteer")
    FREELANCE = "freelance", _("paid mediator")
    AGENCY = "agency", _("agency")


class Mediator(Versioned, models.Model):
    """One entry of the pool: a volunteer of the register who interprets, or a paid mediator or
    agency with its own contact, rate and funder."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=MediatorKind)
    volunteer = models.OneToOneField(
        Volunteer,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="mediator",
        verbose_name=_("volunteer"),
    )
    # A paid mediator's or agency's name and contact (a volunteer's are in the register).
    name = EncryptedCharField(_("name"), max_length=200, blank=True)
    email = EncryptedCharField(_("e-mail"), max_length=254, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True)
    languages = LanguageCodesField(_("languages"), default=list)
    modes = ChoiceListField(_("modes"), default=list, item_choices=Mode.choices)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    hourly_rate = models.DecimalField(
        _("rate per hour (EUR)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    funder = models.CharField(_("funder"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("language mediator")
        verbose_name_plural = _("language mediators")
        ordering = ["-is_active", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="volunteer", volunteer__isnull=False)
                | (~Q(kind="volunteer") & Q(volunteer__isnull=True)),
                name="mediator_volunteer_iff_kind_volunteer",
            ),
            models.CheckConstraint(
                condition=Q(hourly_rate__isnull=True) | Q(hourly_rate__gte=0),
                name="mediator_rate_not_negative",
            ),
        ]

    def __str__(self) -> str:
        if self.volunteer_id is not None:
            return str(self.volunteer)
        return self.name or str(self.get_kind_display())

    @property
    def is_paid(self) -> bool:
        return self.kind != MediatorKind.VOLUNTEER

    @property
    def mail_address(self) -> str:
        """Where the booking mail goes: the paid mediator's address, the volunteer's own."""
        if self.volunteer is not None:
            return self.volunteer.email or self.volunteer.user.email
        return self.email

    def get_language_labels(self) -> list[str]:
        return [languages.name(code) for code in self.languages or ()]

    def get_mode_labels(self) -> list[str]:
        field = self._meta.get_field("modes")
        assert isinstance(field, ChoiceListField)
        return field.labels(self.modes)

    def speaks(self, requested: str) -> bool:
        return any(languages.covers(requested, spoken) for spoken in self.languages or ())


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    BOOKED = "booked", _("booked")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


# The records a mediator can be requested for: exactly one of them per booking.
RECORD_FIELDS = ("visit", "accompaniment", "contact", "appointment")


def _exactly_one_record() -> Q:
    condition = Q()
    for name in RECORD_FIELDS:
        only = Q(**{f"{name}__isnull": False})
        for other in RECORD_FIELDS:
            if other != name:
                only &= Q(**{f"{other}__isnull": True})
        condition |= only
    return condition


def new_reference() -> str:
    """The booking's own number: what the mediator (an outside agency too) is told and
    invoices against, instead of the case's reference number."""
    return "SM-" + uuid.uuid4().hex[:8].upper()


class MediationBooking(Versioned, models.Model):
    """A mediator asked for one record of a case: language, mode, time, place (none by phone
    or video); requested → booked → done (hours and cost recorded) or cancelled."""

    # Hours and costs are recorded after the appointment, also once the case is closed.
    changes_on_closed_case = True

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(
        _("reference number"), max_length=16, unique=True, default=new_reference, editable=False
    )
    case = models.ForeignKey(Case, models.CASCADE, related_name="mediation_bookings")
    visit = models.ForeignKey(
        Visit, models.CASCADE, null=True, blank=True, related_name="mediation_bookings"
    )
    accompaniment = models.ForeignKey(
        Accompaniment, models.CASCADE, null=True, blank=True, related_name="mediation_bookings"
    )
    contact = models.ForeignKey(
        Contact, models.CASCADE, null=True, blank=True, related_name="mediation_bookings"
    )
    appointment = models.ForeignKey(
        Appointment, models.CASCADE, null=True, blank=True, related_name="mediation_bookings"
    )
    language = LanguageCodeField(_("language"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode)
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    # An address can name a practice or an authority: encrypted. Empty by phone or video.
    place = EncryptedCharField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus, default=BookingStatus.REQUESTED
    )
    mediator = models.ForeignKey(
        Mediator,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("language mediator"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    booked_at = models.DateTimeField(_("booked at"), null=True, blank=True)
    # Recorded afterwards: the time interpreted and what it cost (for the funder), and the
    # funder as it was when booked (a later change of the pool does not rewrite the figures).
    minutes = models.PositiveSmallIntegerField(_("minutes interpreted"), null=True, blank=True)
    cost = models.DecimalField(
        _("cost (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    funder = models.CharField(_("funder"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("language mediation")
        verbose_name_plural = _("language mediations")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="mediation_status_start"),
            models.Index(fields=["case", "starts_at"], name="mediation_case_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one_record(), name="mediation_exactly_one_record"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "cancelled"]) | Q(mediator__isnull=False),
                name="mediation_booked_has_mediator",
            ),
            models.CheckConstraint(
                condition=Q(status="done") | Q(minutes__isnull=True, cost__isnull=True),
                name="mediation_hours_only_when_done",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=MAX_BOOKING_MINUTES)
                & (Q(minutes__isnull=True) | Q(minutes__lte=MAX_BOOKING_MINUTES)),
                name="mediation_minutes_1_to_720",
            ),
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="mediation_cost_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_status_display()})"

    @property
    def record(self) -> models.Model | None:
        for name in RECORD_FIELDS:
            found = getattr(self, name)
            if found is not None:
                return found
        return None

    @property
    def record_kind(self) -> str:
        return next((n for n in RECORD_FIELDS if getattr(self, f"{n}_id") is not None), "")

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def language_name(self) -> str:
        return languages.name(self.language)

    @property
    def is_open(self) -> bool:
        return self.status in (BookingStatus.REQUESTED, BookingStatus.BOOKED)

    def planned_cost(self) -> Decimal | None:
        """The cost a paid mediator's rate gives for the time interpreted (a suggestion)."""
        if self.mediator is None or self.mediator.hourly_rate is None:
            return None
        minutes = self.minutes if self.minutes is not None else self.duration_minutes
        return (self.mediator.hourly_rate * minutes / 60).quantize(Decimal("0.01"))
