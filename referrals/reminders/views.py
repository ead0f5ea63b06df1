"""The reminder pages: in the case file the opt-in (with the text the person agrees to), the
opt-out and the message log of the case; for the data protection officer the message log of
their carriers (metadata only)."""

import uuid

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from cases.page import SignedInRequest, case_context, case_form_page
from cases.selectors import case_get_for_user
from caseworks.access.permissions import CASE_ROLES, DATA_PROTECTION, role_required
from referrals import printtexts
from referrals.reminders import selectors, services, texts
from referrals.reminders.forms import ReminderLanguageForm, ReminderOptInForm, ReminderOptOutForm


def _log_url(case) -> str:
    return reverse("referrals_case:reminders", args=[case.code])


@role_required(*CASE_ROLES)
def reminders_page(request: SignedInRequest, code: uuid.UUID) -> HttpResponse:
    """The persons' opt-ins and the message log of the case (when, channel, state)."""
    case = case_get_for_user(user=request.user, code=code)
    log = Paginator(selectors.reminders_for_case(case=case), settings.CASEWORKS_PAGE_SIZE)
    return render(
        request,
        "referrals/reminders/case.html",
        case_context(
            request,
            case,
            opt_ins=selectors.opt_ins_for_case(case=case),
            page=log.get_page(request.GET.get("page")),
        ),
    )


def _person(case, code: str):
    """The person preselected by ?client=<code> (none for anything else)."""
    try:
        return case.clients.filter(code=uuid.UUID(code)).first()
    except ValueError:
        return None


@role_required(*CASE_ROLES, methods=["GET", "POST"])
def reminder_opt_in(request: SignedInRequest, code: uuid.UUID) -> HttpResponse:
    """Step 1 (GET ?language=): the language; step 2: the text in German and that language,
    shown to the person, and the form that records their opt-in with the text's version."""
    case = case_get_for_user(user=request.user, code=code)
    chooser = ReminderLanguageForm(request.GET or None)
    language = chooser.cleaned_data["language"] if chooser.is_valid() else ""
    shown = version = ""
    reviewed = True
    if language:
        shown, version, reviewed = texts.opt_in_text(
            language=language, organisation=case.team.organisation.name
        )
    form = ReminderOptInForm(
        request.POST or None,
        case=case,
        initial={
            "language": language,
            "text_version": version,
            "client": _person(case, request.GET.get("client", "")),
        },
    )
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.reminder_opt_in(actor=request.user, **form.values()),
        success=_("Opt-in recorded: reminders will be sent."),
        done=_log_url(case),
        creates=True,
        template="referrals/reminders/opt_in.html",
        extra={
            "form": form,
            "chooser": chooser,
            "language": language,
            "language_name": printtexts.GERMAN_NAMES.get(language, ""),
            "shown": shown,
            "reviewed": reviewed,
            "unreviewed": [printtexts.GERMAN_NAMES[c] for c in texts.unreviewed_languages()],
        },
    )


@role_required(*CASE_ROLES, methods=["GET", "POST"])
def reminder_opt_out(
    request: SignedInRequest, code: uuid.UUID, opt_in_code: uuid.UUID
) -> HttpResponse:
    """The caseworker ends the reminders (after a confirmation)."""
    case = case_get_for_user(user=request.user, code=code)
    opt_in = selectors.opt_in_get_for_case(case=case, code=opt_in_code)
    form = ReminderOptOutForm(request.POST or None, instance=opt_in)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: form.update(services.reminder_opt_out, actor=request.user, opt_in=opt_in),
        success=_("Reminders ended. Nothing more is sent this way."),
        done=_log_url(case),
        template="referrals/reminders/opt_out.html",
        extra={"form": form, "opt_in": opt_in},
    )


@role_required(DATA_PROTECTION)
def dpo_reminder_log(request: SignedInRequest) -> HttpResponse:
    """The message log of the DPO's carriers: when, channel, state, the case's reference."""
    log = Paginator(selectors.reminder_log_for_dpo(user=request.user), 50)
    return render(
        request,
        "referrals/reminders/dpo_log.html",
        {"page": log.get_page(request.GET.get("page"))},
    )
