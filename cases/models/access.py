"""Who else reaches a case besides its assignee: shares, the guardian permission rows, cover
for an absent colleague, and hand-overs to another team — and, when that team belongs to
another carrier, the sending carrier's record of the transfer (TransferRecord)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from cases.models.case import Case
from caseworks.fields import EncryptedTextField
from caseworks.models import Organisation, Team


class CaseShare(models.Model):
    """A case explicitly shared with a colleague, who then works on it like the assignee."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
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

    def __str__(self) -> str:
        return f"{self.case} → {self.user}"


# django-guardian with direct foreign keys (fast joins instead of generic object_pk strings).
class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, models.CASCADE)


COVER_HOURS = 12


class CoverAccess(models.Model):
    """A caseworker covering for an absent colleague opens a case of their own team that is
    not theirs — only with a reason, for a limited time, logged and shown to supervisors."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
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

    def __str__(self) -> str:
        return f"{self.user} → {self.case}"


class TransferScope(models.TextChoices):
    """What a hand-over to another carrier may take along: the person's consent for that
    carrier names these (referrals.Consent.transfer_scope; cases.services.transfers says which
    tables each covers). The persons' master data is the file itself: without it nothing
    moves."""

    MASTER_DATA = (
        "master_data",
        _(
            "the persons' master data, residence status, reference numbers, BAMF decisions and "
            "deadlines"
        ),
    )
    RECORDS = (
        "records",
        _(
            "the case's records: contacts and file notes, visits, appointments, tasks, needs, "
            "accompaniments and referrals"
        ),
    )
    DOCUMENTS = "documents", _("documents")


class CaseTransfer(models.Model):
    """A hand-over of a case to another team (of this or another organisation of the
    house): asked for by a supervisor of one side, agreed by a supervisor of the other
    (cases.services.case_transfer_request / case_transfer)."""

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
    # A hand-over to a team of another carrier (a transfer between controllers): what the
    # persons' consents cover (TransferScope values), as found when asked and again when agreed.
    crosses_carriers = models.BooleanField(_("to another carrier"), default=False)
    scope = models.JSONField(_("what moves"), default=list, blank=True)
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

    def __str__(self) -> str:
        return f"{self.case} → {self.to_team}"


class TransferRecord(models.Model):
    """The sending carrier's record of a hand-over to another carrier: what moved, when, to
    whom, on which basis (the consents' codes). No link to the case: it outlives the moved
    file, which the receiving carrier's retention deletes with its CaseTransfer rows. It names
    no person — the reference number, two organisations, counts — like the access log."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    transfer_code = models.UUIDField(_("hand-over"), unique=True)
    reference = models.CharField(_("reference"), max_length=20)
    from_organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="+", verbose_name=_("sending carrier")
    )
    to_organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="+", verbose_name=_("receiving carrier")
    )
    from_team = models.CharField(_("from"), max_length=100)
    to_team = models.CharField(_("to team"), max_length=100)
    persons = models.PositiveSmallIntegerField(_("persons"))
    scope = models.JSONField(_("what moved"), default=list)
    # Rows of the file the consents did not cover, by kind (personal-data source key): erased
    # before the file moved (cases.services.transfers). Counts only.
    left_out = models.JSONField(_("erased, not covered"), default=dict, blank=True)
    # [{"code": consent code, "signed_on": "YYYY-MM-DD", "valid_until": … or None}], one per
    # person: the legal basis.
    consents = models.JSONField(_("consents"), default=list)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("agreed by")
    )
    transferred_at = models.DateTimeField(_("handed over at"))

    class Meta:
        verbose_name = _("transfer to another carrier")
        verbose_name_plural = _("transfers to other carriers")
        ordering = ["-transferred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} → {self.to_organisation}"

    def scope_labels(self) -> list[str]:
        return [str(TransferScope(item).label) for item in self.scope]
