"""What the cases app stores about a person, for the disclosure (Art. 15) and retention
(registered with caseworks.dataprotection when the app is ready)."""

from django.utils.translation import gettext_lazy as _

from caseworks.dataprotection import (
    Source,
    register_not_person_data,
    register_person_data,
    register_reference_lookup,
)

register_person_data(
    Source(
        "cases.Deadline",
        "deadlines",
        _("Deadlines"),
        "client",
        "case",
        order=70,
        household_rows=True,
    ),
    Source(
        "cases.BamfDecision",
        "bamf_decisions",
        _("BAMF decisions"),
        "client",
        "client__case",
        order=80,
    ),
    Source(
        "cases.ClientReference",
        "reference_numbers",
        _("Reference numbers"),
        "client",
        "client__case",
        order=90,
    ),
    Source(
        "cases.ResidenceStatus",
        "residence_statuses",
        _("Residence status"),
        "client",
        "client__case",
        order=100,
    ),
    Source(
        "cases.CoverAccess", "cover_accesses", _("Cover access by colleagues"), "", "case", order=5
    ),
    Source("cases.CaseShare", "shares", _("Shared with"), "", "case", order=6),
    Source("cases.Client", "persons", _("The person"), "pk", "case", order=200),
    Source(
        "cases.Contact",
        "contacts",
        _("Contacts and file notes"),
        "persons",
        "case",
        order=40,
    ),
    Source(
        "cases.Appointment",
        "appointments",
        _("Appointments"),
        "persons",
        "case",
        order=45,
    ),
    Source("cases.Task", "tasks", _("Tasks"), "", "case", order=75),
    Source(
        "cases.ClosingAcknowledgement",
        "closing_acknowledgements",
        _("Still open when the case was closed"),
        "",
        "case",
        order=7,
    ),
)
# The case itself is disclosed as "case" and deleted last by purge_case; the counter holds
# only yearly numbers.
register_not_person_data("cases.Case", "cases.ReferenceCounter")
# Keyed, truncated tokens of name parts (caseworks.search): derived like the blind indexes,
# which the disclosure leaves out too; deleted with the person (CASCADE).
register_not_person_data("cases.NameToken")


@register_reference_lookup
def codes_of_case(reference: str) -> list:
    """A case reference finds the log entries about the case and each of its persons."""
    from cases.models import Case

    case = Case.objects.filter(reference=reference).first()
    if case is None:
        return []
    return [case.code, *case.clients.values_list("code", flat=True)]
