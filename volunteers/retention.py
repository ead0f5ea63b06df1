"""Retention for volunteers: a record is deleted CASEWORKS_VOLUNTEER_RETENTION_YEARS after the
engagement ended, with its languages, availability, absences, hours, its entry in the language
mediators' pool and history rows. Offers, tandems and language mediations stay as long as the
cases they belong to (their volunteer is PROTECTed): such a record is deleted once its cases
are gone."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from caseworks.audit.dataprotection import retention_cutoff
from volunteers.models import (
    Absence,
    AvailabilitySlot,
    HoursEntry,
    MediationBooking,
    Mediator,
    Offer,
    Tandem,
    Volunteer,
    VolunteerLanguage,
    VolunteerRequest,
)


def due(today: datetime.date | None = None):
    years = int(getattr(settings, "CASEWORKS_VOLUNTEER_RETENTION_YEARS", 3))
    cutoff = retention_cutoff(years, today or timezone.localdate())
    return Volunteer.objects.filter(status="ended", ended_on__lt=cutoff).exclude(
        Exists(Tandem.objects.filter(volunteer=OuterRef("pk")))
        | Exists(VolunteerRequest.objects.filter(assigned=OuterRef("pk")))
        | Exists(MediationBooking.objects.filter(mediator__volunteer=OuterRef("pk")))
    )


def apply_volunteer_retention(*, dry_run: bool = False, today=None) -> int:
    volunteers = list(due(today))
    if dry_run:
        return len(volunteers)
    for volunteer in volunteers:
        with transaction.atomic():
            ids = {
                model: list(model.objects.filter(volunteer=volunteer).values_list("pk", flat=True))
                for model in (
                    VolunteerLanguage,
                    AvailabilitySlot,
                    Absence,
                    HoursEntry,
                    Offer,
                    Mediator,
                )
            }
            pk = volunteer.pk
            for model, pks in ids.items():
                model.objects.filter(pk__in=pks).delete()
            volunteer.delete()
            for model, pks in ids.items():
                model.history.filter(id__in=pks).delete()
            Volunteer.history.filter(id=pk).delete()
    return len(volunteers)
