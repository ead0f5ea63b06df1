"""Moving in: the spreadsheet rows an import has already made into persons, and the import
runs that write them in short batches."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from cases.models.client import Client
from caseworks.fields import EncryptedBinaryField


class ImportRun(models.Model):
    """One confirmed import of a file (cases.intake.importing). Its rows are written in short
    transactions, a batch at a time, so that no import holds SQLite's write lock for more
    than a moment; the run stays `running` until its last batch is written, and only the
    commit of the run (one small transaction) grants the caseworkers their new cases. A run
    interrupted half-way (a killed worker, an error) is resumed — each source row is
    imported once (ImportedRow.key) — or undone (its rows deleted). The file is kept,
    encrypted, until the run is finished or undone, for resuming it."""

    class State(models.TextChoices):
        RUNNING = "running", _("running or interrupted")
        DONE = "done", _("imported")
        UNDONE = "undone", _("undone")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=10, choices=State, default=State.RUNNING)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    filename = models.CharField(max_length=100)
    # The file until the run is finished or undone (emptied then); Fernet-encrypted.
    data = EncryptedBinaryField(null=True, blank=True)
    persons = models.PositiveIntegerField(default=0)  # to be created by the run
    persons_done = models.PositiveIntegerField(default=0)
    batches = models.PositiveIntegerField(default=0)
    longest_batch_ms = models.PositiveIntegerField(default=0)
    # A worker writing the run holds it until then (renewed after each batch); a run that is
    # running past its lease was interrupted.
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One unfinished import at a time: a second would read the first one's rows as
            # "imported before" and leave them unpublished.
            models.UniqueConstraint(
                fields=["state"], condition=Q(state="running"), name="import_one_running"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.state})"

    @property
    def cases_opened(self) -> int:
        return ImportedRow.objects.filter(run=self, opened_case=True).count()


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
    # The run that wrote it (none for rows imported before runs existed), and whether this
    # row opened its case (undoing the run deletes the case) or joined an earlier one.
    run = models.ForeignKey(ImportRun, models.SET_NULL, null=True, blank=True, related_name="+")
    opened_case = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.key[:12]
