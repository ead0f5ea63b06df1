"""Referral, consent, letter and print-queue views: scoped by selectors, written by services."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cases.models import Case
from cases.page import SignedInRequest, case_context, case_form_page
from cases.selectors import (
    LIST_DEFERRED,
    case_get_for_user,
    open_case_get_for_user,
)
from caseworks.access.permissions import CASE_ROLES, page_required, role_required
from caseworks.access.roles import Role
from caseworks.audit.log import log_access
from caseworks.web.concurrency import ConcurrentEdit
from caseworks.web.forms import CodeListField, error_text
from referrals import services
from referrals.forms import ConsentForm, LetterArchiveFilter, ReferralForm, TransitionForm
from referrals.letters import covering_consent
from referrals.models import Letter, Referral
from referrals.selectors import (
    consent_get_for_case,
    letter_archive_for_user,
    letter_get_for_user,
    print_queue_for_user,
    referral_get_for_case,
    referral_list_for_user,
    referrals_awaiting_answer,
)

CHANGED_MEANWHILE = _lazy(
    "Someone changed this referral meanwhile. Nothing was saved; please check the current state."
)


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@role_required(*CASE_ROLES)
def consent_new(request: SignedInRequest, code: uuid.UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    form = ConsentForm(
        request.POST or None,
        case=case,
        initial={
            "signed_on": timezone.localdate(),
            "client": request.GET.get("client") or case.clients.first(),
            "services": request.GET.getlist("service"),
        },
    )
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.consent_record(actor=request.user, **form.cleaned_data),
        success=_("Consent recorded. Print the form for signing here."),
        done=reverse("referrals_case:printouts", args=[case.code]),
        creates=True,
        template="referrals/consent_new.html",
        extra={"form": form},
    )


@role_required(*CASE_ROLES)
def consent_revoke(request, code, consent_code):
    case = open_case_get_for_user(user=request.user, code=code)
    consent = consent_get_for_case(case=case, code=consent_code)
    if request.method == "POST":
        services.consent_revoke(actor=request.user, consent=consent)
        messages.success(request, _("Consent revoked. No new letters can be printed with it."))
        return redirect("cases:detail", code=case.code)
    return render(
        request, "referrals/consent_revoke.html", case_context(request, case, consent=consent)
    )


@role_required(*CASE_ROLES)
def referral_new(request: SignedInRequest, code: uuid.UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    # A shortcut (the case plan's suggested referral) may preselect the person and the
    # service; the form's choices are limited to the case's persons and active services.
    initial = {
        "client": request.GET.get("client") or case.clients.first(),
        "service": request.GET.get("service"),
    }
    form = ReferralForm(request.POST or None, case=case, initial=initial)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.referral_create(actor=request.user, case=case, data=form.changes()),
        success=_("Referral saved as a draft."),
        done=lambda referral: _referral_url(case, referral),
        creates=True,
        template="referrals/referral_form.html",
        extra={"form": form, "new": True},
    )


def _referral_url(case: Case, referral: Referral) -> str:
    return reverse("referrals_case:referral_detail", args=[case.code, referral.code])


def _offered_moves(
    referral: Referral, *, consent: object, letter: Letter | None
) -> list[tuple[str, str, str]]:
    """The status moves the page offers: (status, its button's label, what is missing). A
    move services.referral_transition would refuse for something missing (a consent before
    "ready to print", a printed letter before "sent") says so instead of a button that fails
    after the tap."""
    missing: dict[str, str] = {
        Referral.Status.READY: "" if consent else _("Ready to print once a consent is recorded."),
        Referral.Status.SENT: ""
        if letter
        else _("Can be marked as sent once the letter is printed."),
    }
    return [(to, label, missing.get(to, "")) for to, label in referral.transition_choices()]


@role_required(*CASE_ROLES)
def referral_detail(
    request: SignedInRequest, code: uuid.UUID, referral_code: uuid.UUID
) -> HttpResponse:
    case = case_get_for_user(user=request.user, code=code)
    referral = referral_get_for_case(case=case, code=referral_code)
    log_access(user=request.user, action="referral.viewed", obj=case, label=case.reference)
    consent = covering_consent(referral)
    letter = Letter.objects.filter(referral=referral).only("sha256", "printed_at").first()
    extra = {
        "referral": referral,
        "consent": consent,
        "letter": letter,
        "moves": _offered_moves(referral, consent=consent, letter=letter),
    }
    if not services.referral_accepts_edits(referral):  # the letter went out, or case closed
        return render(
            request, "referrals/referral_detail.html", case_context(request, case, **extra)
        )
    form = ReferralForm(request.POST or None, case=case, instance=referral)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: form.update(services.referral_update, actor=request.user, referral=referral),
        success=_("Referral saved."),
        done=_referral_url(case, referral),
        template="referrals/referral_detail.html",
        extra={**extra, "form": form},
    )


@role_required(*CASE_ROLES, methods=["POST"])
def referral_transition(
    request: SignedInRequest, code: uuid.UUID, referral_code: uuid.UUID
) -> HttpResponse:
    case = open_case_get_for_user(user=request.user, code=code)
    referral = referral_get_for_case(case=case, code=referral_code)
    form = TransitionForm(request.POST, instance=referral)
    if not form.is_valid():
        raise Http404("Bad transition request")
    try:
        form.update(services.referral_transition, actor=request.user, referral=referral)
    except ValidationError as e:
        messages.error(request, error_text(e))
    except ConcurrentEdit:
        messages.error(request, CHANGED_MEANWHILE)
    else:
        messages.success(
            request,
            _("Status changed: %(status)s")
            % {"status": dict(Referral.Status.choices)[form.cleaned_data["to"]]},
        )
    return redirect("referrals_case:referral_detail", code=case.code, referral_code=referral.code)


@role_required(*CASE_ROLES)
def referral_preview(request, code, referral_code):
    case = case_get_for_user(user=request.user, code=code)
    referral = referral_get_for_case(case=case, code=referral_code)
    try:
        pdf = services.letter_preview(referral=referral)
    except ValidationError as e:
        messages.error(request, error_text(e))
        return redirect(
            "referrals_case:referral_detail", code=case.code, referral_code=referral.code
        )
    return _pdf_response(pdf, f"entwurf-{case.reference}.pdf")


@role_required(*CASE_ROLES, methods=["POST"])
def referral_print(request, code, referral_code):
    """The caseworker prints the letter themselves (no office, or in a hurry)."""
    case = open_case_get_for_user(user=request.user, code=code)
    referral = referral_get_for_case(case=case, code=referral_code)
    try:
        letter = services.letter_issue(actor=request.user, referral=referral)
    except ValidationError as e:
        messages.error(request, error_text(e))
        return redirect(
            "referrals_case:referral_detail", code=case.code, referral_code=referral.code
        )
    return _pdf_response(letter.pdf, f"vermittlung-{case.reference}.pdf")


@role_required(*CASE_ROLES, Role.OFFICE, methods=["GET"])
def letter_pdf(request, code):
    """The archived letter, byte for byte as issued."""
    letter = letter_get_for_user(user=request.user, code=code)
    case = letter.referral.case
    log_access(
        user=request.user,
        action="letter.downloaded",
        obj=case,
        label=case.reference,
        detail={"referral": str(letter.referral.code), "sha256": letter.sha256},
    )
    return _pdf_response(letter.pdf, f"vermittlung-{case.reference}.pdf")


@page_required("referrals:list")
def referral_list(request):
    referrals = (
        referral_list_for_user(user=request.user)
        .filter(status__in=Referral.OPEN)
        .select_related("case", "client", "service")
        .defer("reason", "letter_body", *LIST_DEFERRED)
        .order_by("follow_up_on", "-created_at")
    )
    return render(
        request,
        "referrals/referral_list.html",
        {
            "referrals": referrals,
            "awaiting": referrals_awaiting_answer(user=request.user),
            "today": timezone.localdate(),
        },
    )


@page_required("referrals:print_queue")
def print_queue(request):
    queue = print_queue_for_user(user=request.user)
    if request.method == "POST":
        try:  # the ticked letters' codes, each a UUID before the query sees it
            codes = CodeListField(required=False).clean(request.POST.getlist("referral"))
        except ValidationError as e:
            messages.error(request, error_text(e))
            return redirect("referrals:print_queue")
        chosen = list(queue.filter(code__in=codes))
        if not chosen:
            messages.error(request, _("Choose at least one letter."))
            return redirect("referrals:print_queue")
        if request.POST.get("action") == "sent":
            return _mark_sent(request, chosen)
        return _print_batch(request, chosen)
    printed = print_queue_for_user(user=request.user).filter(letter__isnull=False)
    return render(
        request,
        "referrals/print_queue.html",
        {
            "queue": queue,
            "printed_codes": {r.code for r in printed},
            # "Select all" without script: the page comes back with every box ticked.
            "select_all": request.GET.get("select") == "all",
        },
    )


ARCHIVE_PAGE_SIZE = 50


@role_required(Role.OFFICE, methods=["GET"])
def letter_archive(request):
    """Printed and sent letters of the office's teams; each reprints its archived bytes
    (letter_pdf, which logs the download)."""
    filters = LetterArchiveFilter(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    letters = letter_archive_for_user(
        user=request.user,
        status=criteria.get("status") or "",
        printed_from=criteria.get("printed_from"),
        printed_until=criteria.get("printed_until"),
    )
    page = Paginator(letters, ARCHIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/letter_archive.html",
        {"filters": filters, "page": page, "query": query.urlencode()},
    )


def _print_batch(request, chosen):
    letters, pdf, refused = services.letters_issue_batch(actor=request.user, referrals=chosen)
    for referral, error in refused:
        messages.error(request, f"{referral.case.reference}: {error_text(error)}")
    if not letters:
        return redirect("referrals:print_queue")
    return _pdf_response(pdf, f"vermittlungen-{timezone.localdate():%Y-%m-%d}.pdf")


def _mark_sent(request, chosen):
    done = 0
    for referral in chosen:
        try:
            services.referral_transition(
                actor=request.user, referral=referral, to=Referral.Status.SENT
            )
            done += 1
        except ValidationError as e:
            messages.error(request, f"{referral.case.reference}: {error_text(e)}")
        except ConcurrentEdit:
            messages.error(request, f"{referral.case.reference}: {CHANGED_MEANWHILE}")
    if done:
        messages.success(request, _("%(n)s letter(s) marked as sent.") % {"n": done})
    return redirect("referrals:print_queue")
