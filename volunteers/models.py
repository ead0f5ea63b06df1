"""The volunteer network: the register (one record per volunteer login), onboarding with
expiring dates, requests for a volunteer and the offers made for them, tandems with a
household, and the hours volunteers record themselves."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case
from caseworks import languages
from caseworks.extensions.languages import LanguageField, register_language_field
from caseworks.fields import (
    ChoiceListField,
    EncryptedCharField,
    EncryptedTextField,
    LanguageCodeField,
)
from caseworks.models import Versioned
from visits.models import Accompaniment

# How long an extended police certificate (§ 30a BZRG) counts after its issue date; carriers
# commonly ask for a new one every 5 years.
DEFAULT_CERTIFICATE_YEARS = 5
EXPIRY_LOOKAHEAD_DAYS = 60


def certificate_years() -> int:
    return int(
        getattr(settings, "CASEWORKS_VOLUNTEER_CERTIFICATE_YEARS", DEFAULT_CERTIFICATE_YEARS)
    )


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def districts() -> list[tuple[str, str]]:
    names = getattr(settings, "CASEWORKS_DISTRICTS", ["Mitte", "Nord", "Ost", "Süd", "West"])
    return [(name, name) for name in names]


class Status(models.TextChoices):
    INTERESTED = "interested", _("interested")
    ONBOARDING = "onboarding", _("onboarding")
    ACTIVE = "active", _("active")
    PAUSED = "paused", _("paused")
    ENDED = "ended", _("ended")


class Task(models.TextChoices):
    AUTHORITY = "authority", _("accompaniment to authorities")
    DOCTOR = "doctor", _("accompaniment to doctors")
    INTERPRETING = "interpreting", _("interpreting")
    HOMEWORK = "homework", _("homework help")
    TANDEM = "tandem", _("tandem (Patenschaft)")


class Mobility(models.TextChoices):
    WALKING = "walking", _("on foot")
    BICYCLE = "bicycle", _("bicycle")
    PUBLIC = "public", _("public transport")
    CAR = "car", _("car")


class Level(models.TextChoices):
    BASIC = "basic", _("basic")
    GOOD = "good", _("good")
    FLUENT = "fluent", _("fluent")
    NATIVE = "native", _("native speaker")


LEVEL_WEIGHT: dict[str, int] = {Level.BASIC: 1, Level.GOOD: 2, Level.FLUENT: 3, Level.NATIVE: 3}


class VolunteerQuerySet(models.QuerySet["Volunteer"]):
    def eligible(self, on: datetime.date | None = None):
        """Who may be picked: active, pledge signed, training attended and a police
        certificate sighted whose issue date is within the renewal period on `on`."""
        on = on or timezone.localdate()
        oldest_issue = add_years(on, -certificate_years())
        return self.filter(
            status=Status.ACTIVE,
            user__is_active=True,
            pledge_signed_on__isnull=False,
            training_attended_on__isnull=False,
            certificate_sighted_on__isnull=False,
            certificate_issued_on__gt=oldest_issue,
        )

    def absent_on(self, day: datetime.date):
        return self.filter(absences__starts_on__lte=day, absences__ends_on__gte=day)


class Volunteer(Versioned, models.Model):
    """A volunteer's own record in the register: one per volunteer login."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="volunteer_profile",
        verbose_name=_("login"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.INTERESTED)
    # Contact data: encrypted like the clients'.
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True)
    email = EncryptedCharField(_("e-mail"), max_length=254, blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    districts = ChoiceListField(_("districts"), default=list, blank=True)
    mobility = ChoiceListField(
        _("mobility"), default=list, blank=True, item_choices=Mobility.choices
    )
    tasks = ChoiceListField(_("tasks wanted"), default=list, blank=True, item_choices=Task.choices)
    # Onboarding. Volunteers are not bound by § 203 StGB: they sign a confidentiality pledge.
    pledge_signed_on = models.DateField(
        _("confidentiality pledge signed on"), null=True, blank=True
    )
    # Extended police certificate (§ 30a BZRG): shown and its sighting recorded, no copy kept.
    certificate_sighted_on = models.DateField(
        _("police certificate sighted on"), null=True, blank=True
    )
    certificate_issued_on = models.DateField(
        _("police certificate issued on"), null=True, blank=True
    )
    training_attended_on = models.DateField(
        _("first-steps training attended on"), null=True, blank=True
    )
    started_on = models.DateField(_("engaged since"), null=True, blank=True)
    ended_on = models.DateField(_("engagement ended on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["user__last_name", "user__first_name", "id"]
        indexes = [models.Index(fields=["status"], name="volunteer_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="ended") | Q(ended_on__isnull=True),
                name="volunteer_ended_on_only_when_ended",
            ),
            models.CheckConstraint(
                condition=Q(certificate_issued_on__isnull=True)
                | Q(certificate_sighted_on__isnull=True)
                | Q(certificate_issued_on__lte=models.F("certificate_sighted_on")),
                name="volunteer_certificate_issued_before_sighted",
            ),
        ]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()

    @property
    def certificate_due_on(self) -> datetime.date | None:
        if self.certificate_issued_on is None:
            return None
        return add_years(self.certificate_issued_on, certificate_years())

    def missing_onboarding(self, on: datetime.date | None = None) -> list[str]:
        """What keeps the volunteer from being picked (empty when eligible)."""
        on = on or timezone.localdate()
        missing = []
        if self.status != Status.ACTIVE:
            missing.append(str(_("not active")))
        if self.pledge_signed_on is None:
            missing.append(str(_("confidentiality pledge")))
        if self.certificate_sighted_on is None or self.certificate_issued_on is None:
            missing.append(str(_("police certificate")))
        elif self.certificate_due_on is not None and self.certificate_due_on <= on:
            missing.append(str(_("police certificate expired")))
        if self.training_attended_on is None:
            missing.append(str(_("first-steps training")))
        return missing

    def is_eligible(self, on: datetime.date | None = None) -> bool:
        return not self.missing_onboarding(on)

    def get_district_labels(self) -> list[str]:
        return list(self.districts or [])

    def get_task_labels(self) -> list[str]:
        field = self._meta.get_field("tasks")
        assert isinstance(field, ChoiceListField)
        return field.labels(self.tasks)

    def get_mobility_labels(self) -> list[str]:
        field = self._meta.get_field("mobility")
        assert isinstance(field, ChoiceListField)
        return field.labels(self.mobility)


class VolunteerLanguage(models.Model):
    """A language the volunteer speaks, at a level: a row per language, so that the matching
    and the register's filter find speakers in the database (code__in=members(requested)).

    `code` is the ISO 639-3 code of the catalogue (caseworks.languages). A row from before the
    codes whose text named no language of the catalogue keeps that text in `language` with no
    code ("not yet assigned"), until the administrator assigns it (/manage/languages/)."""

    volunteer = models.ForeignKey(Volunteer, models.CASCADE, related_name="languages")
    code = models.CharField(_("language"), max_length=8, blank=True)
    language = models.CharField(_("language as typed"), max_length=60, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level, default=Level.GOOD)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["code", "language"]
        indexes = [models.Index(fields=["code"], name="volunteerlanguage_code")]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "code"],
                condition=~Q(code=""),
                name="volunteerlanguage_code_once",
            ),
            models.CheckConstraint(
                condition=~Q(code="") | ~Q(language=""), name="volunteerlanguage_code_or_text"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_level_display()})"

    @property
    def name(self) -> str:
        """The language's name; a text not yet assigned to a code says so."""
        if self.code:
            return languages.name(self.code)
        return str(_("not yet assigned: %(text)s") % {"text": self.language})


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class AvailabilitySlot(models.Model):
    """A weekly time the volunteer is usually free (Tuesday 9:00–13:00)."""

    volunteer = models.ForeignKey(Volunteer, models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availability")
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="slot_starts_before_end"
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def covers(self, at: datetime.datetime) -> bool:
        local = timezone.localtime(at)
        return local.weekday() == self.weekday and self.starts_at <= local.time() < self.ends_at


class Absence(models.Model):
    """Holidays or other times the volunteer cannot be asked."""

    volunteer = models.ForeignKey(Volunteer, models.CASCADE, related_name="absences")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["starts_on"]
        indexes = [models.Index(fields=["volunteer", "ends_on"], name="absence_volunteer_end")]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=models.F("ends_on")), name="absence_starts_before_end"
            )
        ]

    def __str__(self):
        return f"{self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"


class VolunteerRequest(Versioned, models.Model):
    """A caseworker asks for a volunteer for an accompaniment (instead of picking a name)."""

    class RequestStatus(models.TextChoices):
        OPEN = "open", _("open")
        OFFERED = "offered", _("offered")
        ASSIGNED = "assigned", _("assigned")
        WITHDRAWN = "withdrawn", _("withdrawn")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    accompaniment = models.ForeignKey(
        Accompaniment, models.CASCADE, related_name="volunteer_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    # An ISO 639-3 code (caseworks.languages); a text from before the codes that named no
    # language of the catalogue waits in language_other for the administrator.
    language = LanguageCodeField(_("language needed"), blank=True)
    language_other = models.CharField(
        _("language needed (not yet assigned)"), max_length=60, blank=True, editable=False
    )
    task = models.CharField(_("what is needed"), max_length=20, choices=Task)
    district = models.CharField(_("district"), max_length=60, blank=True)
    # What the volunteer should know to go along; free text can name a diagnosis: encrypted.
    needs = EncryptedTextField(_("notes for the volunteer"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus, default=RequestStatus.OPEN
    )
    assigned = models.ForeignKey(
        Volunteer,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_requests",
        verbose_name=_("assigned volunteer"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("volunteer request")
        verbose_name_plural = _("volunteer requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"], name="volunteerrequest_status")]
        constraints = [
            # One request at a time per accompaniment (a withdrawn one may be asked again).
            models.UniqueConstraint(
                fields=["accompaniment"],
                condition=Q(status__in=["open", "offered", "assigned"]),
                name="volunteerrequest_one_open_per_accompaniment",
            ),
            models.CheckConstraint(
                condition=Q(status="assigned", assigned__isnull=False)
                | ~Q(status="assigned") & Q(assigned__isnull=True),
                name="volunteerrequest_assigned_has_volunteer",
            ),
        ]

    def __str__(self):
        return f"{self.get_task_display()} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.RequestStatus.OPEN, self.RequestStatus.OFFERED)


class Offer(models.Model):
    """A request offered to one volunteer; they accept or decline it in their pages."""

    class OfferStatus(models.TextChoices):
        OFFERED = "offered", _("offered")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(VolunteerRequest, models.CASCADE, related_name="offers")
    volunteer = models.ForeignKey(Volunteer, models.CASCADE, related_name="offers")
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("offered by")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OfferStatus, default=OfferStatus.OFFERED
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "volunteer"], name="offer_once_per_request")
        ]

    def __str__(self):
        return f"{self.get_status_display()}"


class Tandem(Versioned, models.Model):
    """A long-term pairing (Patenschaft) of a volunteer with a household."""

    # Ending a tandem stays possible once the household's case is closed (the coordinator
    # winds it down): the closed-case guard of versioned_update lets it through.
    changes_on_closed_case = True

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    volunteer = models.ForeignKey(Volunteer, models.PROTECT, related_name="tandems")
    case = models.ForeignKey(Case, models.CASCADE, related_name="tandems")
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # The household agreed to the pairing and to what the volunteer may see (Art. 6/7 DSGVO).
    consent_on = models.DateField(_("household's consent recorded on"))
    may_see_phone = models.BooleanField(_("may see the main contact's phone"), default=True)
    may_see_address = models.BooleanField(_("may see the address"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tandem")
        verbose_name_plural = _("tandems")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="tandem_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.starts_on:%d.%m.%Y}"

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


class HoursEntry(models.Model):
    """Time a volunteer gave outside recorded accompaniments (a tandem afternoon)."""

    volunteer = models.ForeignKey(Volunteer, models.CASCADE, related_name="hours")
    date = models.DateField(_("date"), default=timezone.localdate)
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    task = models.CharField(_("activity"), max_length=20, choices=Task)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hours entry")
        verbose_name_plural = _("hours entries")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=720), name="hoursentry_minutes_1_to_720"
            )
        ]

    def __str__(self):
        return f"{self.date:%d.%m.%Y} {self.minutes} min"


def _assign_row(row: VolunteerLanguage, code: str, actor) -> None:
    """A volunteer's row not yet assigned gets its code; if the volunteer has a row of that
    language already, that row stands for it and this one goes (both with history)."""
    row._history_user = actor  # type: ignore[attr-defined]
    if VolunteerLanguage.objects.filter(volunteer_id=row.volunteer_id, code=code).exists():
        row.delete()
    else:
        row.code, row.language = code, ""
        row.save(update_fields=["code", "language"])


register_language_field(
    LanguageField(
        "volunteers.VolunteerLanguage.code",
        _("Volunteers: languages"),
        VolunteerLanguage,
        codes="code",
        other="language",
        many=False,
        assign=_assign_row,
    )
)
register_language_field(
    LanguageField(
        "volunteers.VolunteerRequest.language",
        _("Volunteer requests: language needed"),
        VolunteerRequest,
        codes="language",
        other="language_other",
        many=False,
    )
)


# The language mediators' pool lives in its own package; imported here so that Django finds
# its models as the volunteers app's.
from volunteers.mediators.models import (  # noqa: E402, F401
    MediationBooking,
    Mediator,
)
