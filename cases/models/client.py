"""The persons of a case: their data, search rows, residence status history and reference
numbers (the documents whose expiry raises alerts)."""

import datetime
import uuid
from collections.abc import Iterable
from typing import Any, Self, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from cases.models.case import Case
from caseworks.crypto.search import fold, name_rows
from caseworks.extensions.languages import LanguageField, register_language_field
from caseworks.fields import (
    BlindIndexField,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedEmailField,
    LanguageCodesField,
    normalise_identifier,
    phonetic,
)
from caseworks.models import Versioned

# Blind indexes are derived from the encrypted values: keep them out of the history tables.
NAME_INDEXES = [
    "first_name_bidx",
    "last_name_bidx",
    "full_name_bidx",
    "birth_date_bidx",
    "first_name_phon",
    "last_name_phon",
]


class Gender(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    DIVERSE = "diverse", _("diverse")
    NOT_STATED = "not_stated", _("not stated")


class Relationship(models.TextChoices):
    MAIN_CONTACT = "main_contact", _("main contact")
    SPOUSE = "spouse", _("spouse / partner")
    CHILD = "child", _("child")
    PARENT = "parent", _("parent")
    SIBLING = "sibling", _("sibling")
    OTHER_RELATIVE = "other_relative", _("other relative")
    OTHER = "other", _("other")


class ClientQuerySet(models.QuerySet["Client"]):
    def with_current_status(
        self, field: str, *, on: datetime.date | None = None
    ) -> "models.QuerySet[Any]":
        """Annotate `current_<field>`: `field` of each person's current residence status (on
        `on`: the latest begun by that day). One correlated subquery down the status index.
        (Typed as rows of Any: the annotation's name depends on `field`.)"""
        latest = ResidenceStatus.objects.latest_of(OuterRef("pk"), on=on)
        return self.annotate(**{f"current_{field}": Subquery(latest.values(field)[:1])})

    def expiring(self, today: datetime.date | None = None) -> Self:
        """Persons whose current residence document or any reference (passport, eAT,
        Wohnsitzauflage …) has expired or expires within the warning window."""
        return self.filter(expiring(today))


def expiring(today: datetime.date | None = None) -> Q:
    """ClientQuerySet.expiring as a condition (a dashboard counts it with other figures)."""
    statuses = ResidenceStatus.objects.current().expiring(today)
    references = ClientReference.objects.expiring(today)
    return Q(Exists(statuses.filter(client=OuterRef("pk")))) | Q(
        Exists(references.filter(client=OuterRef("pk")))
    )


def household_sorted(clients: Iterable["Client"]) -> list["Client"]:
    """A household as every page lists it: the main contact first, then in order of entry."""
    return sorted(clients, key=lambda c: (not c.is_main_contact, c.pk))


class YearOfField(models.PositiveSmallIntegerField):
    """The year of a date field of the same row, kept with it whenever the row is saved or
    inserted (bulk inserts too: Django asks every field's pre_save then). Not editable."""

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> int | None:
        day = getattr(model_instance, self.source)
        year = day.year if day is not None else None
        setattr(model_instance, self.attname, year)
        return year


class Client(Versioned):
    """A person in a case. Identifying data is encrypted; statistics fields are plain."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, models.CASCADE, related_name="clients")
    relationship = models.CharField(
        _("relationship to the main contact"),
        max_length=20,
        choices=Relationship,
        default=Relationship.MAIN_CONTACT,
    )
    first_name = EncryptedCharField(_("first name(s)"), max_length=150)
    last_name = EncryptedCharField(_("last name"), max_length=150)
    birth_date = EncryptedDateField(_("date of birth"), null=True, blank=True)
    # The year alone, in the clear, for the age groups of the statistics (no statistic
    # decrypts a person's data): docs/statistics.md says what it reveals.
    birth_year = YearOfField(source="birth_date")
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True)
    email = EncryptedEmailField(_("e-mail"), max_length=254, blank=True)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender, default=Gender.NOT_STATED)
    nationality = CountryField(_("nationality"), blank=True)
    # ISO 639-3 codes (caseworks.languages). What was typed before the codes and names no
    # language of the catalogue waits in languages_other until the administrator assigns it
    # (/manage/languages/); it is shown beside the codes, never dropped.
    languages = LanguageCodesField(_("languages"), default=list, blank=True)
    languages_other = models.CharField(
        _("languages (not yet assigned)"), max_length=255, blank=True, editable=False
    )
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)

    # Names fold as search does (caseworks.crypto.search.fold): "Aydın", "AYDIN" and "Aydin" share
    # a digest, so the duplicate check at intake and the search never disagree.
    first_name_bidx = BlindIndexField(sources=["first_name"], purpose="name", normaliser=fold)
    last_name_bidx = BlindIndexField(sources=["last_name"], purpose="name", normaliser=fold)
    full_name_bidx = BlindIndexField(
        sources=["first_name", "last_name"], purpose="name", normaliser=fold
    )
    birth_date_bidx = BlindIndexField(sources=["birth_date"], purpose="birth_date")
    # Spelling variants of transliterated names (duplicate check at intake), keyed like the
    # blind indexes so the codes reveal nothing without the key.
    first_name_phon = BlindIndexField(
        sources=["first_name"], purpose="phonetic", normaliser=phonetic
    )
    last_name_phon = BlindIndexField(sources=["last_name"], purpose="phonetic", normaliser=phonetic)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The birth year is derived from the birth date like the indexes: not history of its own.
    history = HistoricalRecords(excluded_fields=[*NAME_INDEXES, "birth_year"])

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(relationship="main_contact"),
                name="client_one_main_contact",
            )
        ]

    def __str__(self) -> str:
        # Used in templates and the history tab; never in logs or error messages.
        return f"{self.first_name} {self.last_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        NameToken.objects.rebuild([self])  # the search tokens follow the names

    @property
    def is_main_contact(self) -> bool:
        return self.relationship == Relationship.MAIN_CONTACT

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def current_status(self) -> "ResidenceStatus | None":
        """The latest residence status (prefetched `statuses` are ordered NEWEST_FIRST)."""
        statuses = list(self.statuses.all())
        return statuses[0] if statuses else None


class NameTokenQuerySet(models.QuerySet["NameToken"]):
    def rebuild(self, clients: Iterable["Client"]) -> None:
        """Replace the search rows of these persons (after their names or case changed; bulk
        inserts, which skip save(), call this themselves)."""
        clients = list(clients)
        self.filter(client__in=[c.pk for c in clients]).delete()
        self.add_for(clients)

    def add_for(self, clients: Iterable["Client"]) -> None:
        """Search rows for persons who have none yet (new rows, e.g. after a bulk insert);
        the clients need pk, case_id, first_name and last_name."""
        self.bulk_create(
            [
                NameToken(
                    client_id=c.pk, case_id=c.case_id, token=token, verifier=verifier, whole=whole
                )
                for c in clients
                for token, verifier, whole in name_rows(c.pk, c.first_name, c.last_name)
            ],
            batch_size=2000,
        )


class NameToken(models.Model):
    """One search row of a person's name part or prefix (caseworks.crypto.search): a short keyed
    token that many names share, and the person's own keyed verifier of that text. The table
    narrows a search to candidates and checks them without decrypting a name, and tells
    nobody which names are stored. Derived data: rebuilt from the names, never disclosed."""

    client = models.ForeignKey(Client, models.CASCADE, related_name="+")
    # The case again, so that the index narrows to the cases a user may see by itself.
    case = models.ForeignKey(Case, models.CASCADE, related_name="+")
    token = models.PositiveIntegerField()
    verifier = models.BigIntegerField()
    # A whole name part, not only the start of one (ranks "Ahmad" above "Ahmadi").
    whole = models.BooleanField(default=False)

    objects = NameTokenQuerySet.as_manager()

    class Meta:
        indexes = [
            # Covering: a search reads the index only. The case comes after the client: the
            # cases in scope filter the rows of a token, they must not drive thousands of seeks.
            models.Index(
                fields=["token", "client", "case", "verifier", "whole"], name="name_token_search"
            )
        ]

    def __str__(self) -> str:
        return str(self.token)


class StatusKind(models.TextChoices):
    """Residence status kinds (DOMAIN.md), German labels through the catalogue."""

    ARRIVAL_CERTIFICATE = "arrival_certificate", _("Arrival certificate (§ 63a AsylG)")
    PERMISSION_TO_RESIDE = "permission_to_reside", _("Permission to reside (§ 55, § 63 AsylG)")
    TOLERATION = "toleration", _("Toleration (§ 60a AufenthG)")
    TOLERATION_UNCLEAR_IDENTITY = (
        "toleration_unclear_identity",
        _("Toleration for persons with unclear identity (§ 60b AufenthG)"),
    )
    TRAINING_TOLERATION = "training_toleration", _("Training toleration (§ 60c AufenthG)")
    EMPLOYMENT_TOLERATION = "employment_toleration", _("Employment toleration (§ 60d AufenthG)")
    BORDER_CROSSING_CERTIFICATE = (
        "border_crossing_certificate",
        _("Border crossing certificate (§ 50 AufenthG)"),
    )
    FICTIONAL_CERTIFICATE = "fictional_certificate", _("Fictional certificate (§ 81 AufenthG)")
    RESIDENCE_PERMIT_ASYLUM = (
        "residence_permit_asylum",
        _("Residence permit (asylum/refugee/subsidiary protection, § 25 (1), (2) AufenthG)"),
    )
    RESIDENCE_PERMIT_DEPORTATION_BAN = (
        "residence_permit_deportation_ban",
        _("Residence permit (ban on deportation, § 25 (3) AufenthG)"),
    )
    RESIDENCE_PERMIT_HUMANITARIAN = (
        "residence_permit_humanitarian",
        _("Residence permit (humanitarian/admission, §§ 22, 23, 25 (4), (5) AufenthG)"),
    )
    TEMPORARY_PROTECTION = (
        "temporary_protection",
        _("Residence permit (temporary protection, § 24 AufenthG)"),
    )
    INTEGRATION_PERMIT = (
        "integration_permit",
        _("Residence permit (integration, §§ 25a, 25b AufenthG)"),
    )
    OPPORTUNITY_RESIDENCE = (
        "opportunity_residence",
        _("Opportunity residence right (§ 104c AufenthG)"),
    )
    SETTLEMENT_PERMIT = "settlement_permit", _("Settlement permit (§ 26 (3), (4) AufenthG)")
    OTHER = "other", _("other status")
    UNKNOWN = "unknown", _("status unclear")


# Kinds whose document has no expiry to track (the card's expiry is tracked separately).
KINDS_WITHOUT_EXPIRY = {StatusKind.SETTLEMENT_PERMIT, StatusKind.OTHER, StatusKind.UNKNOWN}


class FictionSubtype(models.TextChoices):
    """§ 81 AufenthG: the sub-type decides what the holder may do (only Abs. 4 allows travel)."""

    PERMISSION = "81_3_1", _("§ 81 (3) sentence 1: deemed permitted (Erlaubnisfiktion)")
    TOLERATION = "81_3_2", _("§ 81 (3) sentence 2: deemed tolerated (Duldungsfiktion)")
    CONTINUATION = "81_4", _("§ 81 (4): deemed continued (Fortgeltungsfiktion)")


# ResidenceStatus or ClientReference (ExpiringDocument's concrete models).
_Document = TypeVar("_Document", bound="ExpiringDocument")


def expiry_horizon(today: datetime.date | None = None) -> datetime.date:
    """The last day of the warning window: a document valid until this day or earlier is
    'expiring' (or expired)."""
    today = today or timezone.localdate()
    return today + datetime.timedelta(days=settings.CASEWORKS_EXPIRY_WARNING_DAYS)


class ExpiringDocumentQuerySet(models.QuerySet[_Document]):
    def expiring(self, today: datetime.date | None = None) -> Self:
        """Documents expired or expiring within the warning window (ExpiringDocument.expiry_state
        'expired' or 'expiring')."""
        return self.filter(valid_until__lte=expiry_horizon(today))


class ExpiringDocument(models.Model):
    """A document with an optional end date; residence documents and reference numbers
    (passport, eAT, Wohnsitzauflage) raise the same alerts in the same window."""

    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        abstract = True

    def days_left(self, today: datetime.date | None = None) -> int | None:
        if self.valid_until is None:
            return None
        return (self.valid_until - (today or timezone.localdate())).days

    def expiry_state(self, today: datetime.date | None = None) -> str:
        """'expired', 'expiring' (within the warning window), 'valid' or '' (no expiry)."""
        today = today or timezone.localdate()
        if self.valid_until is None:
            return ""
        if self.valid_until < today:
            return "expired"
        if self.valid_until <= expiry_horizon(today):
            return "expiring"
        return "valid"


# "The current status" is a person's latest: the newest valid_from, then the latest recorded.
NEWEST_FIRST = ["-valid_from", "-id"]


class ResidenceStatusQuerySet(ExpiringDocumentQuerySet["ResidenceStatus"]):
    def latest_of(self, client: Any, *, on: datetime.date | None = None) -> Self:
        """`client`'s statuses (an id, instance or OuterRef), newest first: the first is the
        current one. With `on`, only those begun by that day (the status on a past day)."""
        statuses = self.filter(client=client)
        if on is not None:
            statuses = statuses.filter(valid_from__lte=on)
        return statuses.order_by(*NEWEST_FIRST)

    def current(self, *, on: datetime.date | None = None) -> Self:
        """Each person's current status only (on `on`, see latest_of)."""
        latest = ResidenceStatus.objects.latest_of(OuterRef("client"), on=on)
        return self.filter(pk=Subquery(latest.values("pk")[:1]))


class ResidenceStatus(ExpiringDocument):
    """One document in a client's status history. The current status is the latest one."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="statuses")
    kind = models.CharField(_("residence status"), max_length=40, choices=StatusKind)
    fiction_subtype = models.CharField(
        _("type of fictional certificate"),
        max_length=10,
        choices=FictionSubtype,
        blank=True,
        help_text=_("Only for a fictional certificate: § 81 (4) alone allows travel."),
    )
    document_number = EncryptedCharField(_("document number"), max_length=60, blank=True)
    document_number_bidx = BlindIndexField(
        sources=["document_number"], purpose="document", normaliser=normalise_identifier
    )
    valid_from = models.DateField(_("valid from"))
    # ExpiringDocument's field, declared again to keep its place in forms and exports.
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issuing_authority = models.CharField(_("issuing authority"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["document_number_bidx"])

    objects = ResidenceStatusQuerySet.as_manager()

    class Meta:
        verbose_name = _("residence status")
        verbose_name_plural = _("residence statuses")
        ordering = NEWEST_FIRST
        # "The current status" is the latest a person: one index step, not a scan.
        indexes = [models.Index(fields=["client", *NEWEST_FIRST], name="status_client_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="status_valid_until_after_from",
            ),
            models.CheckConstraint(
                condition=Q(kind="fictional_certificate") | Q(fiction_subtype=""),
                name="status_subtype_only_for_fiction",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class ReferenceKind(models.TextChoices):
    BAMF = "bamf", _("BAMF file number (Aktenzeichen)")
    AZR = "azr", _("AZR number")
    JOBCENTER = "jobcenter", _("Jobcenter BG number")
    CHILD_BENEFIT = "child_benefit", _("child benefit number (Kindergeld)")
    HEALTH_INSURANCE = "health_insurance", _("health insurance number")
    PASSPORT = "passport", _("passport / travel document (Reiseausweis)")
    EAT_CARD = "eat_card", _("electronic residence permit card (eAT)")
    RESIDENCE_OBLIGATION = (
        "residence_obligation",
        _("residence obligation (Wohnsitzauflage, § 12a AufenthG)"),
    )


class ClientReference(Versioned, ExpiringDocument):
    """A file or document number of a person, encrypted and searchable through its blind
    index; an expiry feeds the same alerts as residence documents. A Wohnsitzauflage has an
    end date and usually no number."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, models.CASCADE, related_name="references")
    kind = models.CharField(_("kind"), max_length=30, choices=ReferenceKind)
    number = EncryptedCharField(_("number"), max_length=80, blank=True)
    number_bidx = BlindIndexField(
        sources=["number"], purpose="document", normaliser=normalise_identifier
    )
    valid_until = models.DateField(_("valid until / ends on"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["number_bidx"])

    objects = ExpiringDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("reference number")
        verbose_name_plural = _("reference numbers")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


register_language_field(
    LanguageField(
        "cases.Client.languages",
        _("Clients and household members: languages"),
        Client,
        codes="languages",
        other="languages_other",
    )
)
