"""The Art. 15 disclosure PDF as a background job: one row a request (cases.privacy.exports).

A person with 2,000 visits takes WeasyPrint seconds on a quiet machine and took 39 s under
load, past gunicorn's 30 s timeout; so the request only records who asked for whom, a
worker (`manage.py build_disclosures`) builds the PDF, and the requester downloads it. The
PDF is kept encrypted until it is downloaded (then the row is deleted) or expires.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.client import Client
from caseworks.fields import EncryptedBinaryField

KEEP_DAYS = 7  # a PDF not downloaded is deleted after this many days


class DisclosureExport(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        BUILDING = "building", _("being created")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(max_length=8)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pdf = EncryptedBinaryField(null=True, blank=True)

    class Meta:
        verbose_name = _("disclosure export")
        verbose_name_plural = _("disclosure exports")

    def __str__(self):
        return f"disclosure export {self.code}"

    @property
    def expires_at(self) -> datetime.datetime:
        return self.requested_at + datetime.timedelta(days=KEEP_DAYS)

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.BUILDING)
