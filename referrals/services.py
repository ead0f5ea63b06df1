"""Consents, referrals and letters. The letter rule: no letter to a service without a valid
consent of the person covering it — checked when the referral is made ready and again when
the letter is issued (a consent may be revoked or expire in between)."""

import datetime
import hashlib
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Client
from cases.services import case_accepts_records, require_household_member, require_open
from caseworks.audit import log_access, save_audited
from caseworks.concurrency import lock_versioned
from caseworks.models import Service
from caseworks.pdf import merge_pdfs
from referrals.letters import covering_consent, default_body, default_subject, render_letter
from referrals.models import Consent, Letter, Referral


@transaction.atomic
def consent_record(
    *,
    actor: User,
    client: Client,
    purpose: str,
    signed_on: datetime.date,
    services: Iterable[Service] = (),
    category: str = "",
    valid_until: datetime.date | None = None,
    note: str = "",
    shared_data: Iterable[str] = (),
) -> Consent:
    require_open(client.case)
    services = list(services)
    errors: dict[str, list[str]] = {}
    if not services and not category:
        errors["services"] = [_("Name at least one service or a category.")]
    if signed_on > timezone.localdate():
        errors["signed_on"] = [_("A consent cannot be signed in the future.")]
    if valid_until is not None and valid_until < signed_on:
        errors["valid_until"] = [_("A consent cannot end before it was signed.")]
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        client=client,
        purpose=purpose,
        signed_on=signed_on,
        category=category,
        valid_until=valid_until,
        note=note,
        # Stored in the order of the choices, each once, whatever order the form sent.
        shared_data=[c for c in Consent.SharedData.values if c in set(shared_data)],
        recorded_by=actor,
    )
    save_audited(consent, actor)
    consent.services.set(services)
    return consent


@transaction.atomic
def consent_revoke(*, actor: User, consent: Consent) -> Consent:
    """Revoked today, with effect for the future; letters already sent stay as they were."""
    current = Consent.objects.select_for_update().get(pk=consent.pk)
    if current.revoked_on is None:
        current.revoked_on = max(timezone.localdate(), current.signed_on)
        save_audited(current, actor)
    return current


REFERRAL_FIELDS = (
    "client",
    "service",
    "reason",
    "urgency",
    "follow_up_on",
    "letter_subject",
    "letter_body",
)


def _check_referral(referral: Referral) -> None:
    require_household_member(referral.client, referral.case_id)
    if not referral.service.is_active:
        raise ValidationError({"service": _("This service is no longer in the directory.")})


@transaction.atomic
def referral_create(*, actor: User, case: Case, data: dict[str, Any]) -> Referral:
    require_open(case)
    referral = Referral(
        case=case, created_by=actor, **{k: v for k, v in data.items() if k in REFERRAL_FIELDS}
    )
    _check_referral(referral)
    if not referral.letter_subject:
        referral.letter_subject = default_subject(referral, referral.client)
    if not referral.letter_body:
        referral.letter_body = default_body(referral.service, referral.client)
    save_audited(referral, actor)
    return referral


EDITABLE = (Referral.Status.DRAFT, Referral.Status.READY)


def referral_accepts_edits(referral: Referral) -> bool:
    """The rule for changing a referral's content, written once: its case is open and no
    letter has gone out (the view shows the form by it; referral_update enforces it)."""
    return case_accepts_records(referral.case) and referral.status in EDITABLE


@transaction.atomic
def referral_update(
    *, actor: User, referral: Referral, expected_version: int, data: dict[str, Any]
) -> Referral:
    require_open(referral.case)
    current = lock_versioned(referral, expected_version)
    if not referral_accepts_edits(current):
        raise ValidationError(_("The letter has been sent: the referral cannot be changed."))
    for field in REFERRAL_FIELDS:
        if field in data:
            setattr(current, field, data[field])
    _check_referral(current)
    if current.status == Referral.Status.READY:  # changed text: check the consent again
        current.status = Referral.Status.DRAFT
    current.version += 1
    save_audited(current, actor)
    return current


def _consent_missing(referral: Referral) -> ValidationError:
    return ValidationError(
        _(
            "No valid consent (release from confidentiality) of %(name)s covers %(service)s. "
            "Record the consent first."
        )
        % {"name": referral.client.first_name, "service": referral.service.name},
        code="consent_missing",
    )


@transaction.atomic
def referral_transition(
    *, actor: User, referral: Referral, to: str, expected_version: int | None = None
) -> Referral:
    current = (
        lock_versioned(referral, expected_version)
        if expected_version is not None
        else Referral.objects.select_for_update().get(pk=referral.pk)
    )
    if to not in current.allowed_transitions():
        raise ValidationError(
            _("A referral cannot go from “%(from)s” to “%(to)s”.")
            % {
                "from": current.get_status_display(),
                "to": dict(Referral.Status.choices).get(to, to),
            },
            code="illegal_transition",
        )
    if to == Referral.Status.READY and covering_consent(current) is None:
        raise _consent_missing(current)
    if to == Referral.Status.SENT and not Letter.objects.filter(referral=current).exists():
        raise ValidationError(_("Print the letter before marking it as sent."))
    current.status = to
    current.version += 1
    save_audited(current, actor)
    return current


@transaction.atomic
def letter_issue(
    *, actor: User, referral: Referral, rendered: tuple[int, int, bytes] | None = None
) -> Letter:
    """Issue the letter once: render, hash, archive encrypted. Later calls return it as it is.

    Race: the office prints a batch while the caseworker prints the same letter; the row lock
    on the referral makes the second wait and find the first one's letter.

    `rendered` (referral version, consent id, PDF) is a rendering made before the lock
    (letters_issue_batch): it is used when the referral and its covering consent are still
    those it was made from, and made again otherwise.
    """
    current = Referral.objects.select_for_update().get(pk=referral.pk)
    existing = Letter.objects.filter(referral=current).first()
    if existing is not None:
        return existing
    if current.status != Referral.Status.READY:
        raise ValidationError(_("Only a referral that is ready to print gets a letter."))
    consent = covering_consent(current)
    if consent is None:
        raise _consent_missing(current)
    if rendered is not None and rendered[:2] == (current.version, consent.pk):
        pdf = rendered[2]
    else:
        pdf = render_letter(current, consent)
    letter = Letter(
        referral=current,
        consent=consent,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        printed_by=actor,
    )
    save_audited(letter, actor)
    log_access(
        user=actor,
        action="letter.printed",
        obj=current.case,
        label=current.case.reference,
        detail={"referral": str(current.code)},
    )
    return letter


def _render_ahead(referral: Referral) -> tuple[int, int, bytes] | None:
    """Render a ready referral's letter outside any transaction (rendering takes ~0.1 s a
    letter: inside the transaction it would hold SQLite's one write lock meanwhile)."""
    if Letter.objects.filter(referral=referral).exists():
        return None
    if referral.status != Referral.Status.READY:
        raise ValidationError(_("Only a referral that is ready to print gets a letter."))
    consent = covering_consent(referral)
    if consent is None:
        raise _consent_missing(referral)
    return (referral.version, consent.pk, render_letter(referral, consent))


def letters_issue_batch(
    *, actor: User, referrals: Iterable[Referral]
) -> tuple[list[Letter], bytes, list[tuple[Referral, ValidationError]]]:
    """The office's batch: issue every letter that may be printed and merge them into one
    PDF. Returns (letters, merged PDF, refused with the reason).

    All or nothing: the letters are rendered first, outside any transaction; then one short
    transaction locks each referral, checks it again, archives the letters, logs them and
    merges the batch. A crash, a kill or an error anywhere leaves no letter "printed" that
    nobody received. A referral refused by the rules (no consent any more) is left out
    with its reason; the others go ahead.
    """
    refused: list[tuple[Referral, ValidationError]] = []
    ahead: list[tuple[Referral, tuple[int, int, bytes] | None]] = []
    for referral in referrals:
        try:
            ahead.append((referral, _render_ahead(referral)))
        except ValidationError as error:
            refused.append((referral, error))
    with transaction.atomic():
        letters: list[Letter] = []
        for referral, rendered in ahead:
            try:
                letters.append(letter_issue(actor=actor, referral=referral, rendered=rendered))
            except ValidationError as error:  # changed since it was rendered
                refused.append((referral, error))
        if not letters:
            return [], b"", refused
        pdf = merge_pdfs([letter.pdf for letter in letters])
        for letter in letters:
            log_access(
                user=actor,
                action="letter.downloaded",
                obj=letter.referral.case,
                label=letter.referral.case.reference,
                detail={"referral": str(letter.referral.code), "sha256": letter.sha256},
            )
    return letters, pdf, refused


def letter_preview(*, referral: Referral) -> bytes:
    """A draft rendering for the caseworker: not archived, marked ENTWURF, needs a consent."""
    consent = covering_consent(referral)
    if consent is None:
        raise _consent_missing(referral)
    return render_letter(referral, consent, draft=True)


def letter_verify(letter: Letter) -> bool:
    return hashlib.sha256(letter.pdf).hexdigest() == letter.sha256


def services_for_referral() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True).order_by("name")
