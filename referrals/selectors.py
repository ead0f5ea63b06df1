"""Reading referrals. Caseworkers and supervisors reach them through cases they may see;
office staff reach only the print queue of their teams, with the fields a letter needs."""

import datetime
import uuid
from collections.abc import Collection
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import Case
from cases.selectors import LIST_DEFERRED, case_list_for_user
from caseworks.access.roles import Role, has_role
from caseworks.models import Team
from referrals import printtexts
from referrals.models import Consent, InfoSheetHandout, Letter, PrintText, Referral


def referral_list_for_user(*, user: User) -> QuerySet[Referral]:
    return Referral.objects.filter(case__in=case_list_for_user(user=user).values("pk"))


def consent_get_for_case(*, case: Case, code: uuid.UUID) -> Consent:
    consent = (
        Consent.objects.filter(client__case=case, code=code)
        .select_related("client")
        .prefetch_related("services")
        .first()
    )
    if consent is None:
        raise Http404("No such consent")
    return consent


def referral_get_for_case(*, case: Case, code: uuid.UUID) -> Referral:
    referral = (
        case.referrals.select_related("client", "service", "created_by").filter(code=code).first()
    )
    if referral is None:
        raise Http404("No such referral")
    return referral


def referrals_awaiting_answer(*, user: User) -> QuerySet[Referral]:
    """Sent referrals whose follow-up date has passed: ask the service."""
    return (
        referral_list_for_user(user=user)
        .filter(status=Referral.Status.SENT, follow_up_on__lt=timezone.localdate())
        .select_related("case", "client", "service")
        .defer("reason", "letter_body", *LIST_DEFERRED)
    )


def print_queue_for_user(
    *, user: User, statuses: Collection[str] = (Referral.Status.READY,)
) -> QuerySet[Referral]:
    """Referrals of the office user's teams, with only what a letter needs.

    `reason` and the letter text are deferred: the queue never decrypts them.
    """
    if not has_role(user, Role.OFFICE):
        return Referral.objects.none()
    teams = Team.objects.filter(members=user).values("pk")
    return (
        Referral.objects.filter(
            status__in=statuses, case__team__in=teams, case__closed_on__isnull=True
        )
        .select_related("client", "service", "case")
        .only(
            "code",
            "status",
            "urgency",
            "created_at",
            "client__first_name",
            "client__last_name",
            "client__case_id",
            "service__name",
            "service__address",
            "case__reference",
            "case__accommodation_address",
            "case__closed_on",
            "case__team_id",
        )
        .order_by("-urgency", "created_at")
    )


def letter_get_for_user(*, user: User, code: uuid.UUID) -> Letter:
    """The archived letter of a referral, for its case's caseworkers/supervisors or the
    office of its team; 404 for everyone else and when no letter was issued."""
    referral = referral_list_for_user(user=user).filter(code=code).first()
    if referral is None:
        referral = (
            print_queue_for_user(user=user, statuses=(Referral.Status.READY, Referral.Status.SENT))
            .filter(code=code)
            .first()
        )
    letter = (
        Letter.objects.filter(referral=referral).select_related("referral__case").first()
        if referral is not None
        else None
    )
    if letter is None:
        raise Http404("No letter")
    return letter


# The archive shows what the print queue shows of a letter, and when and by whom it was printed.
ARCHIVE_FIELDS = (
    "code",
    "sha256",
    "printed_at",
    "printed_by__username",
    "printed_by__first_name",
    "printed_by__last_name",
    "referral__code",
    "referral__status",
    "referral__client__first_name",
    "referral__client__last_name",
    "referral__service__name",
    "referral__case__reference",
)
ARCHIVE_STATUSES = (Referral.Status.READY, Referral.Status.SENT)


def letter_archive_for_user(
    *,
    user: User,
    status: str = "",
    printed_from: datetime.date | None = None,
    printed_until: datetime.date | None = None,
) -> QuerySet[Letter]:
    """Printed letters of the office user's teams (scoped by the print queue, so the archive
    and the letters the office may download are the same set), newest first. The PDF bytes
    are deferred: the list never decrypts a letter."""
    statuses = [status] if status in ARCHIVE_STATUSES else ARCHIVE_STATUSES
    referrals = print_queue_for_user(user=user, statuses=statuses)
    letters = Letter.objects.filter(referral__in=referrals.values("pk"))
    if printed_from is not None:
        letters = letters.filter(printed_at__date__gte=printed_from)
    if printed_until is not None:
        letters = letters.filter(printed_at__date__lte=printed_until)
    return (
        letters.select_related(
            "printed_by", "referral__client", "referral__service", "referral__case"
        )
        .only(*ARCHIVE_FIELDS)
        .order_by("-printed_at", "-id")
    )


# --- client printouts ----------------------------------------------------------------------

# Art. 8 DSGVO: from 16 a person gets the information themselves; for younger children the
# parents' sheet covers them.
INFO_SHEET_AGE = 16


def _age(birth_date: datetime.date | None, today: datetime.date) -> int | None:
    if birth_date is None:
        return None
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def info_sheet_status(case: Case, *, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """Per person of the household: the latest handout of the information on data processing,
    and whether it is missing (persons of 16 or older, or of unknown age, without one)."""
    today = today or timezone.localdate()
    latest: dict[int, InfoSheetHandout] = {}
    for handout in InfoSheetHandout.objects.filter(client__case=case).order_by(
        "handed_out_on", "id"
    ):
        latest[handout.client_id] = handout
    rows = []
    for client in case.clients.only(
        "id",
        "code",
        "case_id",
        "first_name",
        "last_name",
        "birth_date",
        "languages",
        "relationship",
    ):
        age = _age(client.birth_date, today)
        latest_handout = latest.get(client.pk)
        rows.append(
            {
                "client": client,
                "handout": latest_handout,
                "missing": latest_handout is None and (age is None or age >= INFO_SHEET_AGE),
            }
        )
    return rows


def printout_languages() -> dict[str, set[str]]:
    """Per printout, the client languages that have every text (else it prints German only)."""
    counts: dict[tuple[str, str], int] = {}
    for row in PrintText.objects.values("printout", "language").annotate(n=Count("id")):
        counts[(row["printout"], row["language"])] = row["n"]
    complete: dict[str, set[str]] = {}
    for printout in (printtexts.CONSENT, printtexts.INFO_SHEET, printtexts.SLIP):
        needed = len(printtexts.DEFAULTS["de"][printout])
        complete[printout] = {
            lang
            for lang in printtexts.CLIENT_LANGUAGES
            if counts.get((printout, lang), 0) >= needed
            and counts.get((printtexts.COMMON, lang), 0) >= 1
        }
    return complete
