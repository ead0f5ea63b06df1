"""Documents: the papers a family brings (decisions, residence documents, letters), attached
to a case or one of its persons, stored sanitised and encrypted in the database.

Three tables, so that each job touches only what it needs:
- Document: what the paper is (kind, title, date, what it belongs to), audited with history;
- DocumentFile: one stored version of its file (type, size, pages, SHA-256) and the key its
  bytes are encrypted with, itself encrypted with the field keys (MultiFernet,
  caseworks.fields); the newest is the current one, a replaced version is kept until
  retention deletes the case;
- DocumentBlob: the file's bytes, encrypted with that key (AES-256-GCM). Nothing is read
  from this table but to show or download one file, to back up, or to restore.

Why a key a file instead of Fernet over the bytes: key rotation (caseworks.crypto.keys) re-encrypts
every encrypted column in batches of 500 rows read into memory; with the files themselves in
such a column, a batch could be gigabytes and a rotation would rewrite every megabyte. With
a wrapped key it rewrites ~150 bytes a file, and reads no file at all. Backup, restore and
retention still cover the bytes, in the same transaction as the rest of the case (the rows
are in the database like the archived letters), and app servers stay stateless.
"""

import hashlib
import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import (
    BamfDecision,
    Case,
    Client,
    ClientReference,
    Deadline,
    DecisionType,
    ResidenceStatus,
)
from caseworks.fields import DecryptionError, EncryptedBinaryField, EncryptedCharField
from caseworks.models import Versioned


class DocumentKind(models.TextChoices):
    BAMF_DECISION = "bamf_decision", _("BAMF decision")
    RESIDENCE = "residence", _("residence document")
    IDENTITY = "identity", _("ID or passport copy")
    CONSENT = "consent", _("signed consent")
    AUTHORITY_LETTER = "authority_letter", _("letter from an authority")
    # Art. 9 DSGVO (health): only the assigned caseworker and the team's supervisors.
    MEDICAL = "medical", _("medical document")
    OTHER = "other", _("other")


class Document(Versioned, models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, models.CASCADE, related_name="documents")
    client = models.ForeignKey(
        Client,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("person"),
        help_text=_("Leave empty for a paper about the whole household."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind)
    # A title can say a lot ("Befund Psychiatrie"): encrypted.
    title = EncryptedCharField(_("title"), max_length=120)
    dated_on = models.DateField(_("date of the document"), null=True, blank=True)
    # What the paper belongs to (each optional; SET_NULL: the paper outlives a removed entry).
    status = models.ForeignKey(
        ResidenceStatus,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("residence status entry"),
    )
    reference = models.ForeignKey(
        ClientReference,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("reference number"),
    )
    deadline = models.ForeignKey(
        Deadline,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("deadline"),
    )
    # A BAMF decision: the day of service the user read off the envelope or the stamp
    # (never guessed from the image), and the decision the § 74 deadlines were created from.
    served_on = models.DateField(_("served on (Zustellung)"), null=True, blank=True)
    decision_type = models.CharField(_("decision"), max_length=30, choices=DecisionType, blank=True)
    decision = models.ForeignKey(
        BamfDecision,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("recorded BAMF decision"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # Deleted with a reason: the files are gone, this row says what was deleted, when, by whom.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deleted by"),
    )
    deletion_reason = EncryptedCharField(_("reason for deleting"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "kind"])]

    def __str__(self):
        # Templates and the history tab only; never logs or error messages.
        return str(self.get_kind_display())

    @property
    def is_medical(self) -> bool:
        return self.kind == DocumentKind.MEDICAL

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class DocumentFile(models.Model):
    """One stored version of a document's file (the bytes are in its DocumentBlob)."""

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"
        WEBP = "image/webp", "WebP"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(Document, models.CASCADE, related_name="files")
    number = models.PositiveIntegerField(_("version"))
    content_type = models.CharField(_("file type"), max_length=30, choices=ContentType)
    size = models.PositiveIntegerField(_("size in bytes"))
    pages = models.PositiveIntegerField(_("pages"), default=1)
    # Of the stored (sanitised) file: a damaged row or a wrong restore is noticed.
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    # The key of the blob's AES-GCM encryption (32 random bytes), under the field keys.
    key = EncryptedBinaryField(_("data key (encrypted)"))

    class Meta:
        verbose_name = _("document file")
        verbose_name_plural = _("document files")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_file_number"),
        ]

    def __str__(self):
        return f"{_('version')} {self.number}"

    @property
    def is_image(self) -> bool:
        return self.content_type != self.ContentType.PDF


EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
}


def neutral_filename(document: Document, file: DocumentFile) -> str:
    """A name that says nothing about the person or the content: kind, date, version. (The
    name the file had on the phone is never stored.)"""
    day = document.dated_on or timezone.localtime(document.created_at).date()
    return f"dokument-{document.kind}-{day:%Y-%m-%d}-v{file.number}.{EXTENSIONS[file.content_type]}"


class FileCorrupted(DecryptionError):
    """The stored bytes fail their authentication tag or their SHA-256 (damaged, or moved
    from another row). The message names the row, never its content."""


class DocumentBlob(models.Model):
    """A file's bytes: AES-256-GCM under the DocumentFile's own key. The file's code is
    authenticated with the bytes, so bytes copied into another row do not decrypt there."""

    file = models.OneToOneField(DocumentFile, models.CASCADE, related_name="blob")
    data = models.BinaryField(_("encrypted file"))

    class Meta:
        verbose_name = _("document file content")
        verbose_name_plural = _("document file contents")

    def __str__(self):
        return str(_("document file content"))

    @staticmethod
    def _aad(file: DocumentFile) -> bytes:
        return b"caseworks-document\x00" + str(file.code).encode()

    @classmethod
    def seal(cls, file: DocumentFile, plaintext: bytes) -> "DocumentBlob":
        """The encrypted bytes for `file`, whose key is generated here (save the file
        after this, then the blob)."""
        file.key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        data = nonce + AESGCM(file.key).encrypt(nonce, plaintext, cls._aad(file))
        return cls(file=file, data=data)

    def open(self) -> bytes:
        data = bytes(self.data)
        try:
            key = bytes(self.file.key)
            plaintext = AESGCM(key).decrypt(data[:12], data[12:], self._aad(self.file))
        except (InvalidTag, ValueError):
            raise FileCorrupted(
                f"Document file {self.file.code} cannot be decrypted: damaged or not its own."
            ) from None
        if hashlib.sha256(plaintext).hexdigest() != self.file.sha256:
            raise FileCorrupted(f"Document file {self.file.code} does not match its SHA-256.")
        return plaintext
