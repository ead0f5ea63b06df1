"""What the volunteers app stores about a person (see caseworks.audit.dataprotection)."""

from django.utils.translation import gettext_lazy as _

from caseworks.extensions.personal_data import (
    Source,
    register_not_person_data,
    register_person_data,
)

register_person_data(
    # A request's notes can name a client's need; deleted (with their history) before the
    # accompaniment they belong to.
    Source(
        "volunteers.VolunteerRequest",
        "volunteer_requests",
        _("Requests for a volunteer"),
        "accompaniment__client",
        "accompaniment__case",
        order=25,
    ),
    # A tandem pairs a volunteer with the whole household.
    Source("volunteers.Tandem", "tandems", _("Tandems"), "case__clients", "case", order=25),
    # A language mediation for a record of the household: its language and place concern the
    # household's members (deleted before the visits, contacts and appointments).
    Source(
        "volunteers.MediationBooking",
        "language_mediations",
        _("Language mediations"),
        "case__clients",
        "case",
        order=25,
    ),
)
# The volunteer's own record is personal data of the volunteer, a member of the house, not of
# a client: their Art. 15 export is volunteers.export, their retention volunteers.retention
# (after the engagement ends). Offers name a volunteer and a request, nothing of the client.
register_not_person_data(
    "volunteers.Volunteer",
    "volunteers.VolunteerLanguage",
    "volunteers.AvailabilitySlot",
    "volunteers.Absence",
    "volunteers.Offer",
    "volunteers.HoursEntry",
    # The pool: volunteers of the register and paid mediators or agencies (staff-like data
    # of the mediator, never of a client; the volunteer's in their own export).
    "volunteers.Mediator",
)
