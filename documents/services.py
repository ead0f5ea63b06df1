"""Writing documents: upload, replace, delete with a reason, and the § 74 AsylG deadlines of
an uploaded BAMF decision. Each takes the acting user (the history user), validates, and runs
in one transaction: a refused upload leaves nothing behind.

Files arrive here only as documents.sanitise.Sanitised: the (slow) sanitising runs in the
form, before the transaction, so SQLite's write lock is not held while an image is decoded.
"""

import datetime
import hashlib

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Client, ClientReference, Deadline, ResidenceStatus
from cases.services import bamf_decision_record, require_household_member, require_open
from caseworks.audit.log import save_audited
from caseworks.web.concurrency import versioned_update
from documents.models import Document, DocumentBlob, DocumentFile, DocumentKind
from documents.sanitise import Sanitised


def _store_file(*, actor: User, document: Document, upload: Sanitised, number: int) -> None:
    file = DocumentFile(
        document=document,
        number=number,
        content_type=upload.content_type,
        size=len(upload.data),
        pages=upload.pages,
        sha256=hashlib.sha256(upload.data).hexdigest(),
        uploaded_by=actor,
    )
    blob = DocumentBlob.seal(file, upload.data)
    file.full_clean()
    file.save()
    blob.file = file
    blob.save()


def _check_links(
    *,
    case: Case,
    client: Client | None,
    status: ResidenceStatus | None,
    reference: ClientReference | None,
    deadline: Deadline | None,
) -> Client | None:
    """What a document belongs to must be of this case (and of its person, if one is
    named); the person follows from a status or reference entry when none is named."""
    require_household_member(client, case.pk)
    for field, entry in (("status", status), ("reference", reference)):
        if entry is None:
            continue
        if entry.client.case_id != case.pk or (client is not None and entry.client_id != client.pk):
            raise ValidationError({field: _("This entry belongs to another person.")})
        client = client or entry.client
    if deadline is not None and deadline.case_id != case.pk:
        raise ValidationError({"deadline": _("This deadline belongs to another case.")})
    return client


@transaction.atomic
def document_upload(
    *,
    actor: User,
    case: Case,
    upload: Sanitised,
    kind: str,
    title: str,
    dated_on: datetime.date | None = None,
    client: Client | None = None,
    status: ResidenceStatus | None = None,
    reference: ClientReference | None = None,
    deadline: Deadline | None = None,
    served_on: datetime.date | None = None,
    decision_type: str = "",
) -> Document:
    case = require_open(case)
    client = _check_links(
        case=case, client=client, status=status, reference=reference, deadline=deadline
    )
    today = timezone.localdate()
    if dated_on is not None and dated_on > today:
        raise ValidationError({"dated_on": _("A document cannot be dated in the future.")})
    if kind == DocumentKind.BAMF_DECISION:
        if client is None:
            raise ValidationError(
                {"client": _("A BAMF decision concerns one person: choose them.")}
            )
        if served_on is not None and served_on > today:
            raise ValidationError({"served_on": _("A decision cannot be served in the future.")})
    else:
        served_on, decision_type = None, ""
    document = Document(
        case=case,
        client=client,
        kind=kind,
        title=title,
        dated_on=dated_on,
        status=status,
        reference=reference,
        deadline=deadline,
        served_on=served_on,
        decision_type=decision_type,
        uploaded_by=actor,
    )
    save_audited(document, actor)
    _store_file(actor=actor, document=document, upload=upload, number=1)
    return document


def _require_present(document: Document) -> None:
    if document.is_deleted:
        raise ValidationError(_("This document was deleted."))


@transaction.atomic
def document_replace(
    *, actor: User, document: Document, upload: Sanitised, expected_version: int
) -> Document:
    """A new version of the file (a better scan, the second page forgotten); the previous
    versions are kept, and deleted with the case by retention."""
    current = versioned_update(
        document,
        actor=actor,
        expected_version=expected_version,
        data={},
        fields=(),
        clean=_require_present,
    )
    # Under the document's lock, in the same transaction as its new version number.
    latest = current.files.order_by("-number").values_list("number", flat=True).first() or 0
    # DocumentFile has no history of its own (its rows are never changed but for this mark).
    current.files.filter(replaced_at__isnull=True).update(replaced_at=timezone.now())
    _store_file(actor=actor, document=current, upload=upload, number=latest + 1)
    return current


@transaction.atomic
def document_delete(
    *, actor: User, document: Document, reason: str, expected_version: int
) -> Document:
    """Delete every version of the file; the document's row stays, saying what was deleted,
    when, by whom and why (the history shows it in the case file)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the document is deleted.")})

    def mark_deleted(current: Document) -> None:
        _require_present(current)  # as stored: deleted_at is set here, after the check
        current.deleted_at = timezone.now()
        current.deleted_by = actor

    current = versioned_update(
        document,
        actor=actor,
        expected_version=expected_version,
        data={"deletion_reason": reason},
        fields=("deletion_reason",),
        clean=mark_deleted,
    )
    current.files.all().delete()  # their blobs with them (CASCADE)
    return current


@transaction.atomic
def document_record_deadlines(
    *,
    actor: User,
    document: Document,
    decision_type: str,
    served_on: datetime.date,
    expected_version: int,
) -> list[Deadline]:
    """The § 74 AsylG deadlines of an uploaded BAMF decision, from the day of service and
    the decision the user confirmed (cases.services.bamf_decision_record computes them).

    One transaction, case row first (bamf_decision_record locks it), then the document's:
    a refusal below rolls the deadlines back."""
    # Kind and person are fixed when the document is uploaded (no form changes them).
    if document.kind != DocumentKind.BAMF_DECISION or document.client is None:
        raise ValidationError(_("Deadlines are created from a BAMF decision of one person."))
    deadlines: list[Deadline] = bamf_decision_record(
        actor=actor, client=document.client, decision_type=decision_type, served_on=served_on
    )

    def link_decision(current: Document) -> None:
        _require_present(current)
        if current.decision_id is not None:  # as stored: the link is set here
            raise ValidationError(_("The deadlines of this decision were already created."))
        current.decision = deadlines[0].decision

    versioned_update(
        document,
        actor=actor,
        expected_version=expected_version,
        data={"served_on": served_on, "decision_type": decision_type},
        fields=("served_on", "decision_type"),
        clean=link_decision,
    )
    return deadlines
