"""Cases (households), clients and their residence status history."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from cases.law.topics import Topic
from cases.plan.models import Activity, Need, NeedCategory, SpecialNeed  # noqa: F401  (the case plan)
from caseworks.crypto.search import fold, name_rows
from caseworks.fields import (
    BlindIndexField,
    ChoiceListField,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedEmailField,
    EncryptedTextField,
    normalise_identifier,
    phonetic,
)
from caseworks.models import Service, Team

# Blind indexes are derived from the encrypted values: keep them out of the history tables.
NAME_INDEXES = [
    "first_name_bidx",
    "last_name_bidx",
    "full_name_bidx",
    "birth_date_bidx",
    "first_name_phon",
    "last_name_phon",
]


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


class CaseQuerySet(models.QuerySet):
    def expiring(self, today: datetime.date | None = None):
        """Cases in which a person's current document or a reference has expired or expires
        within the warning window (see ClientQuerySet.expiring)."""
        return self.filter(Exists(Client.objects.expiring(today).filter(case=OuterRef("pk"))))


class Case(models.Model):
    """The unit of accompaniment: usually a household. Addressed by `code`, never by id."""

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
    # Optimistic locking: every change increments it; a form posting an older one is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
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

    def __str__(self):
        return self.reference

    @property
    def organisation(self):
        return self.team.organisation

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def next_visit_overdue(self) -> bool:
        return self.next_visit_due is not None and self.next_visit_due < timezone.localdate()


class CaseShare(models.Model):
    """A case explicitly shared with a colleague, who then works on it like the assignee."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="shared_cases",
        verbose_name=_("shared with"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case share")
        verbose_name_plural = _("case shares")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="caseshare_unique_user")
        ]

    def __str__(self):
        return f"{self.case} → {self.user}"


# django-guardian with direct foreign keys (fast joins instead of generic object_pk strings).
class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, models.CASCADE)


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


class ClientQuerySet(models.QuerySet):
    def with_current_status(self, field: str, *, on: datetime.date | None = None):
        """Annotate `current_<field>`: `field` of each person's current residence status (on
        `on`: the latest begun by that day). One correlated subquery down the status index."""
        latest = ResidenceStatus.objects.latest_of(OuterRef("pk"), on=on)
        return self.annotate(**{f"current_{field}": Subquery(latest.values(field)[:1])})

    def expiring(self, today: datetime.date | None = None):
        """Persons whose current residence document or any reference (passport, eAT,
        Wohnsitzauflage …) has expired or expires within the warning window."""
        statuses = ResidenceStatus.objects.current().expiring(today)
        references = ClientReference.objects.expiring(today)
        return self.filter(
            Q(Exists(statuses.filter(client=OuterRef("pk"))))
            | Q(Exists(references.filter(client=OuterRef("pk"))))
        )


def household_sorted(clients) -> list:
    """A household as every page lists it: the main contact first, then in order of entry."""
    return sorted(clients, key=lambda c: (not c.is_main_contact, c.pk))


class Client(models.Model):
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
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True)
    email = EncryptedEmailField(_("e-mail"), max_length=254, blank=True)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender, default=Gender.NOT_STATED)
    nationality = CountryField(_("nationality"), blank=True)
    languages = models.CharField(
        _("languages"), max_length=200, blank=True, help_text=_("e.g. Arabic, Kurdish (Kurmanji)")
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

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=NAME_INDEXES)

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

    def __str__(self):
        # Used in templates and the history tab; never in logs or error messages.
        return f"{self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        NameToken.objects.rebuild([self])  # the search tokens follow the names

    @property
    def is_main_contact(self) -> bool:
        return self.relationship == Relationship.MAIN_CONTACT

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def current_status(self):
        """The latest residence status (prefetched `statuses` are ordered NEWEST_FIRST)."""
        statuses = list(self.statuses.all())
        return statuses[0] if statuses else None


class NameTokenQuerySet(models.QuerySet):
    def rebuild(self, clients) -> None:
        """Replace the search rows of these persons (after their names or case changed; bulk
        inserts, which skip save(), call this themselves)."""
        clients = list(clients)
        self.filter(client__in=[c.pk for c in clients]).delete()
        self.add_for(clients)

    def add_for(self, clients) -> None:
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

    def __str__(self):
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


def expiry_horizon(today: datetime.date | None = None) -> datetime.date:
    """The last day of the warning window: a document valid until this day or earlier is
    'expiring' (or expired)."""
    today = today or timezone.localdate()
    return today + datetime.timedelta(days=settings.CASEWORKS_EXPIRY_WARNING_DAYS)


class ExpiringDocumentQuerySet(models.QuerySet):
    def expiring(self, today: datetime.date | None = None):
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


class ResidenceStatusQuerySet(ExpiringDocumentQuerySet):
    def latest_of(self, client, *, on: datetime.date | None = None):
        """`client`'s statuses (an id, instance or OuterRef), newest first: the first is the
        current one. With `on`, only those begun by that day (the status on a past day)."""
        statuses = self.filter(client=client)
        if on is not None:
            statuses = statuses.filter(valid_from__lte=on)
        return statuses.order_by(*NEWEST_FIRST)

    def current(self, *, on: datetime.date | None = None):
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

    def __str__(self):
        return self.get_kind_display()


class ReferenceCounter(models.Model):
    """Yearly sequence for case reference numbers (2026-0001, …)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


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


class ClientReference(ExpiringDocument):
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
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["number_bidx"])

    objects = ExpiringDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("reference number")
        verbose_name_plural = _("reference numbers")
        ordering = ["kind", "id"]

    def __str__(self):
        return self.get_kind_display()


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

    def __str__(self):
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


class DeadlineQuerySet(models.QuerySet):
    def escalated(self, today: datetime.date | None = None):
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

    def __str__(self):
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


COVER_HOURS = 12


class CoverAccess(models.Model):
    """A caseworker covering for an absent colleague opens a case of their own team that is
    not theirs — only with a reason, for a limited time, logged and shown to supervisors."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="cover_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    reason = EncryptedTextField(_("reason"))
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # Beyond CASEWORKS_COVER_ACCESSES_PER_DAY a day, an access waits for a supervisor.
    awaiting_approval = models.BooleanField(_("awaiting approval"), default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("cover access")
        verbose_name_plural = _("cover accesses")
        ordering = ["-granted_at"]

    def __str__(self):
        return f"{self.user} → {self.case}"


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

    def __str__(self):
        return f"{self.case} {self.acknowledged_at:%d.%m.%Y}"


# --- contacts, tasks and appointments ----------------------------------------------------------

MAX_CONTACT_MINUTES = 12 * 60


class ContactKind(models.TextChoices):
    OFFICE = "office", _("counselling in the office")
    PHONE = "phone", _("phone call")
    MESSAGE = "message", _("message (e-mail, messenger, letter)")
    FILE_NOTE = "file_note", _("file note")


class Contact(models.Model):
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
    version = models.PositiveIntegerField(default=1, editable=False)
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

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%d.%m.%Y}"

    def get_topic_labels(self) -> list[str]:
        field = self._meta.get_field("topics")
        assert isinstance(field, ChoiceListField)
        return field.labels(self.topics)


class TaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_on__isnull=True)


class Task(models.Model):
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
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]
        # "My week": a user's open tasks by due date.
        indexes = [models.Index(fields=["assigned_to", "done_on", "due_on"], name="task_week")]

    def __str__(self):
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


class AppointmentQuerySet(models.QuerySet):
    def planned(self):
        return self.filter(cancelled_at__isnull=True)


class Appointment(models.Model):
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
    version = models.PositiveIntegerField(default=1, editable=False)
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

    def __str__(self):
        return f"{self.get_kind_display()} {timezone.localtime(self.starts_at):%d.%m.%Y %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


# --- moving in and moving on: import, hand-over, anonymised residue (issue 22) ---------------


class ImportedRow(models.Model):
    """A spreadsheet row imported as a person (cases.intake.importing), known by a keyed hash of the
    row's source id or of its identifying content, so that importing the same file again
    creates nothing twice. Derived like the blind indexes (no value can be read back from
    it); deleted with the person."""

    key = models.CharField(max_length=64, unique=True)
    # Keyed hash of the household key: later rows of the same household join its case.
    household = models.CharField(max_length=64, db_index=True)
    case = models.ForeignKey(Case, models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, models.CASCADE, related_name="+")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key[:12]


class CaseTransfer(models.Model):
    """A hand-over of a case to another team (of this or another organisation of the
    house): asked for by a supervisor of one side, agreed by a supervisor of the other
    (cases.services.case_transfer_request / case_transfer_decide)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        DONE = "done", _("handed over")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, models.CASCADE, related_name="transfers")
    from_team = models.ForeignKey(Team, models.PROTECT, related_name="+", verbose_name=_("from"))
    to_team = models.ForeignKey(Team, models.PROTECT, related_name="+", verbose_name=_("to team"))
    # Which side asked: the other side's supervisor agrees.
    asked_by_receiving = models.BooleanField(default=False)
    # Why the family moves on (redistribution, residence obligation …): the history says why.
    reason = EncryptedTextField(_("reason"))
    status = models.CharField(max_length=12, choices=Status, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="requested"), name="transfer_one_pending"
            )
        ]

    def __str__(self):
        return f"{self.case} → {self.to_team}"


class StatisticsResidue(models.Model):
    """What deleted cases (retention) still add to a year's statistics: counts per team,
    table and row, with no link to any person (cases.privacy.residue)."""

    year = models.PositiveSmallIntegerField()
    team = models.ForeignKey(Team, models.PROTECT, related_name="+")
    table = models.CharField(max_length=60)
    # The row as the statistics label it, in `language` (the tables are labelled, not keyed).
    label = models.CharField(max_length=200)
    language = models.CharField(max_length=10)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "team", "table", "language", "label"], name="residue_unique_cell"
            )
        ]

    def __str__(self):
        return f"{self.year} {self.table} {self.label}: {self.count}"
