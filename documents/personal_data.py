"""What the documents app stores about a person (see caseworks.audit.dataprotection): the documents
and their file versions are disclosed (the files themselves in the disclosure ZIP,
documents.disclosure) and deleted with the case by retention."""

from django.utils.translation import gettext_lazy as _

from caseworks.extensions.personal_data import (
    Source,
    register_not_person_data,
    register_person_data,
)

register_person_data(
    # Deleted before the documents they belong to (and before the deadlines, statuses and
    # reference numbers a document points to), each with its blob (CASCADE).
    Source(
        "documents.DocumentFile",
        "document_files",
        _("Document files"),
        "document__client",
        "document__case",
        order=8,
    ),
    Source(
        "documents.Document",
        "documents",
        _("Documents"),
        "client",
        "case",
        order=9,
        household_rows=True,
    ),
)
# The encrypted bytes of a DocumentFile and their wrapped key: disclosed as the file itself
# (the ZIP) and through their DocumentFile row, deleted with it (CASCADE). Listed here so the
# disclosure does not put megabytes of ciphertext into its JSON.
register_not_person_data("documents.DocumentBlob")
