"""What the visits app stores about a person (see caseworks.audit.dataprotection)."""

from django.utils.translation import gettext_lazy as _

from caseworks.extensions.personal_data import (
    Source,
    register_not_person_data,
    register_person_data,
)

register_person_data(
    # The person the appointment is for, and the household members who went along.
    Source(
        "visits.Accompaniment",
        "accompaniments",
        _("Accompaniments"),
        ("client", "others"),
        "case",
        order=30,
    ),
    Source("visits.Visit", "visits", _("Visits"), "present", "case", order=50),
    Source("visits.ArrivalCheck", "arrival_checks", _("Arrival checklist"), "", "case", order=60),
)
# Staff's calendar secrets and the reminder bookkeeping: no client data.
register_not_person_data("visits.CalendarToken", "visits.ReminderSent")
