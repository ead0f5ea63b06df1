"""A volunteer's Art. 15 DSGVO disclosure: their record, languages, availability, absences,
offers, tandems (by reference number), hours, language mediations (their metadata), and the
history of their record."""

from django.utils import timezone

from caseworks.audit.dataprotection import record
from caseworks.extensions.personal_data import volunteer_disclosure_sections_for
from volunteers.models import MediationBooking, Volunteer


def volunteer_disclosure(volunteer: Volunteer) -> dict:
    user = volunteer.user
    return {
        "created_at": timezone.now().isoformat(),
        "login": {
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
        },
        "volunteer": record(volunteer),
        "languages": [record(row, skip=("volunteer",)) for row in volunteer.languages.all()],
        "availability": [record(row, skip=("volunteer",)) for row in volunteer.slots.all()],
        "absences": [record(row, skip=("volunteer",)) for row in volunteer.absences.all()],
        "offers": [
            {
                "status": offer.get_status_display(),
                "offered_at": offer.created_at.isoformat(),
                "answered_at": offer.answered_at.isoformat() if offer.answered_at else None,
                "case": offer.request.accompaniment.case.reference,
            }
            for offer in volunteer.offers.select_related("request__accompaniment__case")
        ],
        "tandems": [
            {
                "case": t.case.reference,
                "starts_on": t.starts_on.isoformat(),
                "ends_on": t.ends_on.isoformat() if t.ends_on else None,
            }
            for t in volunteer.tandems.select_related("case")
        ],
        "hours": [record(row, skip=("volunteer",)) for row in volunteer.hours.all()],
        # As a language mediator: the bookings' metadata, nothing of the case or its record.
        "language_mediations": [
            {
                "reference": b.reference,
                "starts_at": b.starts_at.isoformat(),
                "duration_minutes": b.duration_minutes,
                "language": b.language,
                "mode": b.get_mode_display(),
                "status": b.get_status_display(),
                "minutes": b.minutes,
            }
            for b in MediationBooking.objects.filter(mediator__volunteer=volunteer).order_by(
                "starts_at"
            )
        ],
        **volunteer_disclosure_sections_for(user),
        "history": [
            {
                "at": h.history_date.isoformat(),
                "type": h.history_type,
                "by": h.history_user.get_username() if h.history_user else None,
                "status": h.status,
            }
            for h in volunteer.history.select_related("history_user").order_by("history_date")
        ],
    }
