"""What the cases app stores about a person, for the disclosure (Art. 15) and retention
(registered with caseworks.audit.dataprotection when the app is ready)."""

from django.utils.translation import gettext_lazy as _

from cases.models import Case
from caseworks.extensions.personal_data import (
    Source,
    register_held_in_bulk,
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
# Keyed, truncated tokens of name parts (caseworks.crypto.search): derived like the blind indexes,
# which the disclosure leaves out too; deleted with the person (CASCADE).
register_not_person_data("cases.NameToken")


@register_reference_lookup
def codes_of_case(reference: str) -> list:
    """A case reference finds the log entries about the case and each of its persons."""
    case = Case.objects.filter(reference=reference).first()
    if case is None:
        return []
    return [case.code, *case.clients.values_list("code", flat=True)]


# Issue 22. A hand-over names the case and says why the family moves on (free text):
# disclosed and deleted with the case.
register_person_data(
    Source("cases.CaseTransfer", "transfers", _("Hand-overs"), "", "case", order=8)
)
# The import's row keys are keyed hashes of a source id or of name and birth date, derived
# like the blind indexes (nothing can be read back without the key): deleted with the person.
register_not_person_data("cases.ImportedRow")
# Issue 35. An import run keeps the uploaded file (names, birth dates, statuses of every row),
# encrypted, for resuming it: client data in bulk, which no lookup finds by person or case. The
# run empties it when it is finished or undone (cases.intake.importing); an interrupted run
# keeps it until then, and the import page shows that run until someone finishes or undoes it.
# The persons it made are disclosed and deleted as their own rows.
register_held_in_bulk("cases.ImportRun")
# Issue 31. The sending carrier's record of a hand-over to another carrier: a reference
# number, two organisations, team names, counts and consent codes, no name and no link to
# the case — accountability bookkeeping like the access log, meant to outlive the file.
register_not_person_data("cases.TransferRecord")
# The anonymised residue holds counts per year, team, statistics table and row label (a
# status, a nationality, an age group, a topic …) summed over deleted cases, with no key to a
# case or person; the statistics page suppresses small counts of the sums as of any count.
register_not_person_data("cases.StatisticsResidue")
# Issue 37. Kept statistics of closed periods: per scope (teams), period, language and table,
# the rows' labels and counts as computed, before suppression (the page suppresses on every
# view, as for fresh ones), with no key to a case or person; dropped when a record changes.
register_not_person_data("cases.KeptFigures")

# Issue 23, the case plan. Needs of the household (no person) are in every member's
# disclosure; a special protection need only in its person's (Art. 9 data); the catalogue
# holds no personal data.
register_person_data(
    Source(
        "cases.Need", "needs", _("Needs and goals"), "client", "case", order=50, household_rows=True
    ),
    Source(
        "cases.SpecialNeed",
        "special_protection_needs",
        _("Special protection needs"),
        "client",
        "client__case",
        order=95,
    ),
    Source(
        "cases.Activity",
        "school_training_work",
        _("School, training and work"),
        "client",
        "client__case",
        order=96,
    ),
)
register_not_person_data("cases.NeedCategory")

# Issue 35. A disclosure PDF being built or waiting for its download (cases.privacy.exports):
# client data (the person's whole disclosure), held for the one who asked for it — a copy of
# what the disclosure finds, not a record of its own: disclosing it would disclose the
# disclosure. Deleted on download, after 7 days (`manage.py build_disclosures`) or with the
# person (CASCADE).
register_held_in_bulk("cases.DisclosureExport")
