"""The case file's documents panel and history entries (see caseworks.extensions.casefile)."""

from django.utils.translation import gettext as _

from caseworks.extensions.casefile import Panel, register_history, register_panel
from documents.models import Document, DocumentKind
from documents.selectors import documents_for_case

# How many documents the panel lists; the documents page lists them all.
PANEL_DOCUMENTS = 8


@register_panel
def documents_panel(case, *, user):
    """The newest documents the user may see (medical ones only for the assigned caseworker
    and the team's supervisors), in two queries."""
    documents = list(documents_for_case(case=case, user=user)[: PANEL_DOCUMENTS + 1])
    return Panel(
        25,
        "documents/panel.html",
        {
            "case": case,
            "documents": documents[:PANEL_DOCUMENTS],
            "more_documents": len(documents) > PANEL_DOCUMENTS,
            "household": list(case.clients.only("id", "code", "first_name", "case_id")),
        },
    )


@register_history
def document_history(case):
    """Uploads, new versions and deletions. The history tab is open to everyone who sees the
    case, so medical documents are left out of it (their own page shows who did what)."""
    rows = list(
        Document.history.filter(case_id=case.pk)
        .exclude(kind=DocumentKind.MEDICAL)
        .select_related("history_user")
    )
    return [
        (Document, rows, lambda row: _("Document: %(kind)s") % {"kind": row.get_kind_display()})
    ]
