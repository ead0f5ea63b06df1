"""The case plan: needs and goals of a household or a person (from a catalogue the admin
extends), the special protection needs of a person (Art. 21 Directive 2013/33/EU, Art. 24 ff.
Directive (EU) 2024/1346), and the schooling, training and work a person is in (which the
residence perspectives in cases.law.perspectives read).

Imported by cases.models, so these are models of the cases app.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from caseworks.fields import EncryptedCharField, EncryptedTextField
from caseworks.models import Service, Versioned


class NeedCategory(Versioned, models.Model):
    """A line of the needs catalogue (housing, health, school/Kita …). Seeded by a data
    migration; the admin adds, renames and deactivates lines (never deletes: needs point to
    them)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # The directory category a need of this kind is usually referred to (a shortcut).
    referral_category = models.CharField(
        _("usual referral"), max_length=30, choices=Service.Category, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("need category")
        verbose_name_plural = _("need categories")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class NeedStatus(models.TextChoices):
    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    REACHED = "reached", _("reached")
    DROPPED = "dropped", _("dropped")


# The statuses a need is finished in (reached or given up).
FINISHED = (NeedStatus.REACHED, NeedStatus.DROPPED)


class WhoActs(models.TextChoices):
    PERSON = "person", _("the person themselves")
    CASEWORKER = "caseworker", _("the caseworker")
    REFERRAL = "referral", _("a specialised service (referral)")
    VOLUNTEER = "volunteer", _("a volunteer")


class DropReason(models.TextChoices):
    NOT_NEEDED = "not_needed", _("no longer needed")
    DECLINED = "declined", _("the person does not want it any more")
    NOT_POSSIBLE = "not_possible", _("not achievable")
    MOVED = "moved", _("moved away / case ends")
    OTHER = "other", _("other reason")


class NeedQuerySet(models.QuerySet):
    def unfinished(self):
        return self.exclude(status__in=FINISHED)


class Need(Versioned, models.Model):
    """A need and the goal agreed for it, for the whole household (client empty) or one
    person, with who acts and by when. Reached or dropped (with a reason), never deleted."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", models.CASCADE, related_name="needs")
    client = models.ForeignKey(
        "cases.Client",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("person (empty: the household)"),
    )
    category = models.ForeignKey(
        NeedCategory, models.PROTECT, related_name="needs", verbose_name=_("need")
    )
    # Free text about a person's situation: encrypted.
    goal = EncryptedCharField(_("goal"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=NeedStatus, default=NeedStatus.OPEN
    )
    due_on = models.DateField(_("due by"), null=True, blank=True)
    who_acts = models.CharField(
        _("who acts"), max_length=12, choices=WhoActs, default=WhoActs.CASEWORKER
    )
    notes = EncryptedTextField(_("notes"), blank=True)
    drop_reason = models.CharField(
        _("reason for dropping"), max_length=20, choices=DropReason, blank=True
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    # The day it was reached or dropped.
    finished_on = models.DateField(_("finished on"), null=True, blank=True)
    # The contacts (counselling, calls) that served it; visits and accompaniments link
    # themselves from their side (visits.Visit.needs, visits.Accompaniment.needs).
    contacts = models.ManyToManyField(
        "cases.Contact", blank=True, related_name="needs", verbose_name=_("contacts that served it")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[contacts])

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["due_on", "opened_on", "id"]
        indexes = [models.Index(fields=["case", "status"], name="need_case_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=FINISHED, finished_on__isnull=False)
                | (~Q(status__in=FINISHED) & Q(finished_on__isnull=True)),
                name="need_finished_on_iff_finished",
            ),
            models.CheckConstraint(
                condition=Q(status=NeedStatus.DROPPED) | Q(drop_reason=""),
                name="need_drop_reason_only_when_dropped",
            ),
        ]

    def __str__(self):
        return str(self.category)

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return not self.is_finished and self.due_on is not None and self.due_on < today


class SpecialNeedKind(models.TextChoices):
    """Special protection needs of Art. 21 Directive 2013/33/EU (Art. 24 ff. of the recast,
    Directive (EU) 2024/1346). Stored encrypted: the code itself is Art. 9 data."""

    UNACCOMPANIED_MINOR = "unaccompanied_minor", _("unaccompanied minor")
    PREGNANCY = "pregnancy", _("pregnancy")
    DISABILITY = "disability", _("disability")
    SERIOUS_ILLNESS = "serious_illness", _("serious illness")
    MENTAL_ILLNESS = "mental_illness", _("mental disorder")
    TORTURE_TRAUMA = "torture_trauma", _("survivor of torture, rape or serious violence")
    TRAFFICKING = "trafficking", _("survivor of human trafficking")
    GENDER_VIOLENCE = "gender_violence", _("survivor of gender-based violence / FGM")
    LGBTIQ = "lgbtiq", _("LGBTIQ*")
    ELDERLY = "elderly", _("elderly person")
    SINGLE_PARENT = "single_parent", _("single parent with minor children")


class SpecialNeed(Versioned, models.Model):
    """A person's special protection need. Visible to the caseworkers of the case and the
    team's supervisors only (cases.plan.selectors), never to office, volunteers, the
    coordinator or the admin; the kind, the note and the volunteer's hint are all encrypted,
    so the database does not say who is, say, LGBTIQ*."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "cases.Client", models.CASCADE, related_name="special_needs", verbose_name=_("person")
    )
    kind = EncryptedCharField(_("special protection need"), max_length=40, choices=SpecialNeedKind)
    note = EncryptedTextField(_("note"), blank=True)
    # What a volunteer going along should know, in the caseworker's words (no diagnosis).
    volunteer_hint = EncryptedTextField(_("hint for volunteers"), blank=True)
    noted_on = models.DateField(_("noted on"), default=timezone.localdate)
    ended_on = models.DateField(_("no longer applies since"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    # Not a field: the plan page (cases.plan.overview.plan_context) sets each record's referral
    # shortcut (a referral_suggestions entry) for its template.
    referral: dict[str, Any]

    class Meta:
        verbose_name = _("special protection need")
        verbose_name_plural = _("special protection needs")
        ordering = ["noted_on", "id"]

    def __str__(self):
        return str(SpecialNeedKind(self.kind).label) if self.kind in SpecialNeedKind.values else ""

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class ActivityKind(models.TextChoices):
    SCHOOL = "school", _("school attendance")
    QUALIFICATION = "qualification", _("school or vocational qualification obtained")
    TRAINING = "training", _("vocational training (Ausbildung)")
    EMPLOYMENT = "employment", _("employment")


class Activity(Versioned, models.Model):
    """Schooling, training or work of a person, from when (to when): what the residence
    perspectives (§§ 25a, 25b, 60c, 60d AufenthG) read. Plain, like nationality and languages:
    it is planning data, not a special category."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "cases.Client", models.CASCADE, related_name="activities", verbose_name=_("person")
    )
    kind = models.CharField(_("what"), max_length=20, choices=ActivityKind)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week"), null=True, blank=True, help_text=_("for employment")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("school, training or work")
        verbose_name_plural = _("school, training and work")
        ordering = ["since", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="activity_until_after_since",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True) | Q(hours_per_week__lte=80),
                name="activity_hours_max_80",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()
