"""Moving in: the spreadsheet rows an import has already made into persons."""

from django.conf import settings
from django.db import models

from cases.models.case import Case
from cases.models.client import Client


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

    def __str__(self) -> str:
        return self.key[:12]
