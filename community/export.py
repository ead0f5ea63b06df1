"""A person's community data for their Art. 15 DSGVO disclosure: event registrations and
the newsletter subscription with its consent proof (never the other subscribers')."""

from caseworks.audit.dataprotection import record
from caseworks.extensions.personal_data import register_disclosure_section
from community.models import Registration, Subscriber


def person_disclosure(user) -> dict:
    registrations = Registration.objects.filter(user=user).select_related("event")
    subscriber = Subscriber.objects.filter(user=user).first()
    return {
        "event_registrations": [
            {
                "event": r.event.title,
                "starts_at": r.event.starts_at.isoformat(),
                "status": r.get_status_display(),
                "attended": r.attended,
                "registered_at": r.registered_at.isoformat(),
            }
            for r in registrations
        ],
        "newsletter": None
        if subscriber is None
        else {
            **record(subscriber, skip=("confirm_token_hash", "email_index", "user")),
            "consents": [
                record(c, skip=("subscriber", "source_index")) for c in subscriber.consents.all()
            ],
        },
    }


# A volunteer's Art. 15 export (volunteers.export) carries these sections too.
register_disclosure_section(person_disclosure)
