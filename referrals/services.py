"""Consents, referrals and letters. The letter rule: no letter to a service without a valid
consent of the person covering it — checked when the referral is made ready and again when
the letter is issued (a consent may be revoked or expire in between)."""

import datetime
import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Client, TransferScope
from cases.services import case_accepts_records, require_household_member, require_open
from caseworks.audit.insider import subject_code
from caseworks.audit.log import log_access, save_audited
from caseworks.models import Organisation, Service
from caseworks.web.concurrency import versioned_update
from caseworks.web.pdf import merge_pdfs
from referrals import printouts, printtexts
from referrals.letters import (
    LETTER_RELATED,
    covering_consent,
    covering_consents,
    default_body,
    default_subject,
    render_letter,
    render_letters_batch,
)
from referrals.models import Consent, InfoSheetHandout, Letter, LetterText, PrintText, Referral
from referrals.placeholders import LETTER_PLACEHOLDERS, check_placeholders


@transaction.atomic
def consent_record(
    *,
    actor: User,
    client: Client,
    purpose: str,
    signed_on: datetime.date | None,
    services: Iterable[Service] = (),
    category: str = "",
    valid_until: datetime.date | None = None,
    note: str = "",
    shared_data: Iterable[str] = (),
    organisation: Organisation | None = None,
    transfer_scope: Iterable[str] = (),
) -> Consent:
    """Record a consent: towards named services or a category (letters, packets), or,
    instead, towards a carrier of the house taking the case over, with what may move there
    (cases.services.transfers)."""
    require_open(client.case)
    services = list(services)
    scope = [item for item in TransferScope.values if item in set(transfer_scope)]
    errors: dict[str, list[str]] = {}
    if organisation is not None:
        if services or category:
            errors["organisation"] = [
                _("A consent names either services or a carrier of the house taking the case over.")
            ]
        if organisation.teams.filter(pk=client.case.team_id).exists():
            errors["organisation"] = [_("The case is already with this carrier.")]
        if TransferScope.MASTER_DATA not in scope:
            errors["transfer_scope"] = [
                _("Without the master data nothing can move: tick it, or record no carrier.")
            ]
    elif scope:
        errors["organisation"] = [_("Name the carrier the case may move to.")]
    elif not services and not category:
        errors["services"] = [_("Name at least one service or a category.")]
    if signed_on is not None and signed_on > timezone.localdate():
        errors["signed_on"] = [_("A consent cannot be signed in the future.")]
    if valid_until is not None and signed_on is not None and valid_until < signed_on:
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
        organisation=organisation,
        transfer_scope=scope,
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
        current.revoked_on = max(timezone.localdate(), current.signed_on or timezone.localdate())
        save_audited(current, actor)
    return current


@transaction.atomic
def consent_sign(*, actor: User, consent: Consent, signed_on: datetime.date) -> Consent:
    """Record the day the person signed the printed form; from then on it covers letters."""
    require_open(consent.client.case)
    current = Consent.objects.select_for_update().get(pk=consent.pk)
    if current.revoked_on is not None:
        raise ValidationError(_("This consent was revoked."))
    if current.signed_on is not None:
        raise ValidationError(_("The signature has already been recorded."))
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": [_("A consent cannot be signed in the future.")]})
    if current.valid_until is not None and current.valid_until < signed_on:
        raise ValidationError(
            {"signed_on": [_("The consent ends before this day: record a new one.")]}
        )
    current.signed_on = signed_on
    save_audited(current, actor)
    return current


def consent_form_print(*, actor: User, consent: Consent, language: str) -> bytes:
    """The bilingual form for signing; remembers when it was printed."""
    pdf = printouts.consent_form_pdf(consent, language=language)
    with transaction.atomic():
        current = Consent.objects.select_for_update().get(pk=consent.pk)
        current.printed_at = timezone.now()
        save_audited(current, actor)
        log_access(
            user=actor,
            action="consent.form_printed",
            obj=consent.client.case,
            label=consent.client.case.reference,
            detail={"consent": str(consent.code), "language": language or "de"},
        )
    return pdf


@transaction.atomic
def info_sheet_hand_out(
    *, actor: User, client: Client, language: str, handed_out_on: datetime.date | None = None
) -> tuple[InfoSheetHandout, bytes]:
    """Print the information on data processing for a person and record that (and in which
    language) it was handed out. Rendered before the row is written, inside the
    transaction: a rendering error records nothing."""
    case = client.case
    require_open(case)
    organisation = case.team.organisation
    pdf, texts = printouts.info_sheet_pdf(organisation, language=language, client=client)
    handout = InfoSheetHandout(
        client=client,
        handed_out_on=handed_out_on or timezone.localdate(),
        language=texts.language or "de",
        protection_law=organisation.protection_law,
        translation_reviewed=bool(texts.language) and texts.reviewed,
        recorded_by=actor,
    )
    save_audited(handout, actor)
    log_access(
        user=actor,
        action="info_sheet.handed_out",
        obj=case,
        label=case.reference,
        detail={"handout": str(handout.code), "language": handout.language},
    )
    return handout, pdf


def slip_print(
    *, actor: User, case: Case, record: Any, pdf_maker: Callable[[str], bytes], language: str
) -> bytes:
    """An appointment slip for the client (nothing is stored; the access log says it)."""
    pdf = pdf_maker(language)
    log_access(
        user=actor,
        action="appointment.slip_printed",
        obj=case,
        label=case.reference,
        detail={"appointment": str(record.code), "language": language or "de"},
    )
    return pdf


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
        referral.letter_subject = default_subject(
            referral.service, referral.client, case=case, author=actor
        )
    if not referral.letter_body:
        referral.letter_body = default_body(
            referral.service, referral.client, case=case, author=actor
        )
    save_audited(referral, actor)
    return referral


EDITABLE = (Referral.Status.DRAFT, Referral.Status.READY)


def referral_accepts_edits(referral: Referral) -> bool:
    """The rule for changing a referral's content, written once: its case is open and no
    letter has gone out (the view shows the form by it; referral_update enforces it)."""
    return case_accepts_records(referral.case) and referral.status in EDITABLE


@transaction.atomic
def referral_update(
    *,
    actor: User,
    referral: Referral,
    expected_version: int,
    data: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Referral:
    """Change a draft or ready referral: `data` or the changed fields as keywords
    (VersionedForm.update)."""

    def check(current: Referral) -> None:
        if not referral_accepts_edits(current):
            raise ValidationError(_("The letter has been sent: the referral cannot be changed."))
        _check_referral(current)
        if current.status == Referral.Status.READY:  # changed text: check the consent again
            current.status = Referral.Status.DRAFT

    return versioned_update(
        referral,
        actor=actor,
        expected_version=expected_version,
        data={**(data or {}), **changes},
        fields=REFERRAL_FIELDS,
        clean=check,
    )


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
    """Move a referral along Referral.TRANSITIONS. Without `expected_version` the version
    the caller loaded counts (the office's queue, loaded in the same request)."""

    def move(current: Referral) -> None:
        # The move is checked from the stored status, then made here (status is no field a
        # caller sends).
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

    return versioned_update(
        referral,
        actor=actor,
        expected_version=referral.version if expected_version is None else expected_version,
        data={},
        fields=(),
        clean=move,
    )


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
    if current.case_id == referral.case_id and current.service_id == referral.service_id:
        # What the caller loaded with it (a batch loads them all in one query).
        current.case, current.service = referral.case, referral.service
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


def _check_printable(referral: Referral, consent: Consent | None, printed: bool) -> Consent | None:
    """The consent a ready referral's letter would name (None: it has a letter already)."""
    if printed:
        return None
    if referral.status != Referral.Status.READY:
        raise ValidationError(_("Only a referral that is ready to print gets a letter."))
    if consent is None:
        raise _consent_missing(referral)
    return consent


def letters_issue_batch(
    *, actor: User, referrals: Iterable[Referral]
) -> tuple[list[Letter], bytes, list[tuple[Referral, ValidationError]]]:
    """The office's batch: issue every letter that may be printed and merge them into one
    PDF. Returns (letters, merged PDF, refused with the reason).

    All or nothing: the letters are rendered first, outside any transaction (rendering takes
    a while: inside the transaction it would hold SQLite's one write lock meanwhile), all in
    one go (letters.render_letters_batch: fonts loaded and embedded once); then one short
    transaction locks each referral, checks it again, archives each letter's own PDF, logs
    them and hands out the batch. A crash, a kill or an error anywhere leaves no letter
    "printed" that nobody received. A referral refused by the rules (no consent any more) is
    left out with its reason; the others go ahead.
    """
    refused: list[tuple[Referral, ValidationError]] = []
    chosen: list[tuple[Referral, Consent | None]] = []
    # Everything the letters need in a few queries, whatever the caller loaded (the print
    # queue lists only the fields it shows).
    wanted = [r.pk for r in referrals]
    loaded = Referral.objects.select_related(*LETTER_RELATED).in_bulk(wanted)
    batch = [loaded[pk] for pk in wanted if pk in loaded]
    consents = covering_consents(batch)
    printed = set(Letter.objects.filter(referral__in=batch).values_list("referral_id", flat=True))
    for referral in batch:
        try:
            consent = _check_printable(referral, consents[referral.pk], referral.pk in printed)
            chosen.append((referral, consent))
        except ValidationError as error:
            refused.append((referral, error))
    to_render = [(r, c) for r, c in chosen if c is not None]
    batch_pdf, parts = render_letters_batch(to_render)
    rendered = {
        r.pk: (r.version, c.pk, part) for (r, c), part in zip(to_render, parts, strict=True)
    }
    with transaction.atomic():
        letters: list[Letter] = []
        for referral, _consent in chosen:
            try:
                letters.append(
                    letter_issue(actor=actor, referral=referral, rendered=rendered.get(referral.pk))
                )
            except ValidationError as error:  # changed since it was rendered
                refused.append((referral, error))
        if not letters:
            return [], b"", refused
        # The batch as rendered when every letter in it is the one just archived, in order;
        # otherwise (an archived letter reprinted, one rendered again) the archived bytes.
        fresh = [rendered[r.pk][2] for r, c in to_render]
        if [letter.pdf for letter in letters] == fresh and len(fresh) == len(letters):
            pdf = batch_pdf
        else:
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


# --- texts the administrator edits (referrals.manage_views) -----------------------------------


@dataclass(frozen=True)
class _Ref:
    """What the access log names for a row without a public code of its own."""

    _meta: Any
    code: uuid.UUID


def _log_manage(actor: User, action: str, obj: Any, label: str, **detail: Any) -> None:
    log_access(
        user=actor,
        action=action,
        obj=_Ref(obj._meta, subject_code(obj)),
        label=label[:60],
        detail=detail,
    )


LETTER_TEXT_FIELDS = ("organisation", "category", "subject", "body")


@transaction.atomic
def letter_text_save(
    *,
    actor: User,
    text: LetterText,
    organisation: Any,
    category: str,
    subject: str,
    body: str,
    expected_version: int | None = None,
) -> LetterText:
    """Create an organisation's letter text, or change one (then `expected_version`, the
    version the form was loaded with: two administrators editing one text must not overwrite
    each other unseen). Placeholders from the fixed list only."""
    errors: dict[str, list[str]] = {}
    for field, value in (("subject", subject), ("body", body)):
        try:
            check_placeholders(value, LETTER_PLACEHOLDERS)
        except ValidationError as e:
            errors[field] = e.messages
    if errors:
        raise ValidationError(errors)
    values = {"organisation": organisation, "category": category, "subject": subject, "body": body}
    if text.pk is None:
        for name, value in values.items():
            setattr(text, name, value)
        text.changed_by = actor
        save_audited(text, actor)
        _log_manage(actor, "manage.letter_text.created", text, str(text), category=category)
        return text
    if expected_version is None:
        raise TypeError("changing a letter text needs the version the form was loaded with")
    before = LetterText.objects.values_list("subject", "body", "category").get(pk=text.pk)

    def sign(current: LetterText) -> None:
        current.changed_by = actor

    current = versioned_update(
        text,
        actor=actor,
        expected_version=expected_version,
        data=values,
        fields=LETTER_TEXT_FIELDS,
        clean=sign,
    )
    if before != (subject, body, category):
        _log_manage(actor, "manage.letter_text.changed", current, str(current), category=category)
    return current


@transaction.atomic
def letter_text_delete(*, actor: User, text: LetterText) -> None:
    """Back to the built-in default text for this organisation and category."""
    _log_manage(actor, "manage.letter_text.deleted", text, str(text), category=text.category)
    text._history_user = actor  # type: ignore[attr-defined]
    text.delete()


@transaction.atomic
def print_texts_save(
    *,
    actor: User,
    printout: str,
    language: str,
    texts: dict[str, str],
    reviewed: bool,
    reviewed_by: str = "",
) -> list[PrintText]:
    """Replace the texts of one printout in one language. A changed text loses its review
    unless the administrator confirms the whole set as reviewed by a qualified translator
    (named). German is the original: always counted as reviewed."""
    keys = list(printtexts.DEFAULTS["de"][printout])
    if printout == printtexts.COMMON:
        keys = ["notice"]
    errors: dict[str, list[str]] = {}
    for key in keys:
        try:
            check_placeholders(texts.get(key, ""), printtexts.allowed_placeholders(printout, key))
        except ValidationError as e:
            errors[key] = e.messages
        if not texts.get(key, "").strip():
            errors.setdefault(key, []).append(_("This text cannot be empty."))
    if reviewed and language != "de" and not reviewed_by.strip():
        errors["reviewed_by"] = [_("Name the translator who reviewed the texts.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    existing = {
        row.key: row
        for row in PrintText.objects.select_for_update().filter(
            printout=printout, language=language
        )
    }
    saved, changed = [], []
    for key in keys:
        row = existing.get(key) or PrintText(printout=printout, key=key, language=language)
        new_text = texts[key].strip()
        dirty = row.pk is None or row.text != new_text
        if language == "de" or reviewed:
            who = "Originaltext" if language == "de" else reviewed_by.strip()
            if dirty or not row.is_reviewed or row.reviewed_by != who:
                row.review, row.reviewed_at, row.reviewed_by = PrintText.Review.REVIEWED, now, who
                dirty = True
        elif dirty:
            row.review, row.reviewed_at, row.reviewed_by = PrintText.Review.MACHINE, None, ""
        if dirty:
            row.text = new_text
            row.changed_by = actor
            save_audited(row, actor)
            changed.append(key)
        saved.append(row)
    if changed:
        _log_manage(
            actor,
            "manage.print_text.reviewed" if reviewed else "manage.print_text.changed",
            saved[0],
            f"{printout} [{language}]",
            printout=printout,
            language=language,
            keys=changed,
        )
    return saved
