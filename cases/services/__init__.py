"""Writing cases, by subject in this package: every public name is importable from
`cases.services` as before (`from cases import services; services.case_create(...)`).

- guard: the closed-case rule and the guard of every versioned change (case row first)
- case: a case's lifecycle — the only place that grants or revokes its object permissions
- intake: the duplicate check and the teams a user may open cases in
- clients: persons, residence statuses, reference numbers
- deadlines, records (contacts, tasks, appointments), cover, transfers, imports

Every function takes the acting user, records them as the history user, validates with
full_clean() and runs in one transaction: nothing is half-saved. A record edited in a form
changes only through caseworks.web.concurrency.versioned_update.
"""

# cases.moving.views catches `services.ValidationError`, which the single module exported.
from django.core.exceptions import ValidationError

from cases.services.case import (
    CASE_EDITABLE,
    CASE_PERMISSIONS,
    case_assign,
    case_close,
    case_create,
    case_open_items,
    case_reopen,
    case_set_next_visit_due,
    case_share,
    case_unshare,
    case_update,
    caseworkers_of,
)
from cases.services.clients import (
    CLIENT_FIELDS,
    REFERENCE_FIELDS,
    STATUS_FIELDS,
    client_create,
    client_reference_save,
    client_update,
    residence_status_add,
)
from cases.services.cover import cover_access_approve, cover_access_grant
from cases.services.deadlines import (
    bamf_decision_record,
    deadline_add,
    deadline_done,
    deadline_may_undo,
    deadline_undo,
    deadline_undo_hours,
    deadline_undo_until,
)
from cases.services.guard import (
    _case_id_of,
    case_accepts_records,
    guard_open_case,
    lock_case,
    lock_record,
    require_household_member,
    require_open,
    save_transition,
)
from cases.services.imports import CaseImportBatch, case_import
from cases.services.intake import (
    DUPLICATE_CHECK,
    PossibleDuplicates,
    duplicate_check_run,
    teams_for_intake,
)
from cases.services.records import (
    APPOINTMENT_FIELDS,
    CONTACT_FIELDS,
    TASK_FIELDS,
    appointment_cancel,
    appointment_create,
    appointment_update,
    contact_record,
    contact_update,
    task_assignees,
    task_create,
    task_done,
    task_reopen,
    task_update,
)
from cases.services.transfers import (
    case_transfer,
    case_transfer_may_decide,
    case_transfer_request,
    case_transfer_withdraw,
)

__all__ = [
    "APPOINTMENT_FIELDS",
    "CASE_EDITABLE",
    "CASE_PERMISSIONS",
    "CLIENT_FIELDS",
    "CONTACT_FIELDS",
    "DUPLICATE_CHECK",
    "REFERENCE_FIELDS",
    "STATUS_FIELDS",
    "TASK_FIELDS",
    "CaseImportBatch",
    "PossibleDuplicates",
    "ValidationError",
    "_case_id_of",
    "appointment_cancel",
    "appointment_create",
    "appointment_update",
    "bamf_decision_record",
    "case_accepts_records",
    "case_assign",
    "case_close",
    "case_create",
    "case_import",
    "case_open_items",
    "case_reopen",
    "case_set_next_visit_due",
    "case_share",
    "case_transfer",
    "case_transfer_may_decide",
    "case_transfer_request",
    "case_transfer_withdraw",
    "case_unshare",
    "case_update",
    "caseworkers_of",
    "client_create",
    "client_reference_save",
    "client_update",
    "contact_record",
    "contact_update",
    "cover_access_approve",
    "cover_access_grant",
    "deadline_add",
    "deadline_done",
    "deadline_may_undo",
    "deadline_undo",
    "deadline_undo_hours",
    "deadline_undo_until",
    "duplicate_check_run",
    "guard_open_case",
    "lock_case",
    "lock_record",
    "require_household_member",
    "require_open",
    "residence_status_add",
    "save_transition",
    "task_assignees",
    "task_create",
    "task_done",
    "task_reopen",
    "task_update",
    "teams_for_intake",
]
