"""Case views, by subject: thin — scope through selectors, write through services (each form
page through cases.page.case_form_page), render. cases.urls reaches them here."""

from cases.views.assignment import (
    case_assign,
    case_close,
    case_cover,
    case_reopen,
    case_share,
    case_unshare,
)
from cases.views.case_file import case_detail, case_edit, case_history_view
from cases.views.caseload import case_create, case_list
from cases.views.contacts import (
    appointment_cancel,
    appointment_edit,
    appointment_new,
    contact_edit,
    contact_new,
    task_done,
    task_edit,
    task_new,
)
from cases.views.deadlines import case_deadlines, deadline_done, deadline_undo
from cases.views.household import (
    client_add,
    client_edit,
    client_references,
    household_defaults,
    status_add,
)

__all__ = [
    "appointment_cancel",
    "appointment_edit",
    "appointment_new",
    "case_assign",
    "case_close",
    "case_cover",
    "case_create",
    "case_deadlines",
    "case_detail",
    "case_edit",
    "case_history_view",
    "case_list",
    "case_reopen",
    "case_share",
    "case_unshare",
    "client_add",
    "client_edit",
    "client_references",
    "contact_edit",
    "contact_new",
    "deadline_done",
    "deadline_undo",
    "household_defaults",
    "status_add",
    "task_done",
    "task_edit",
    "task_new",
]
