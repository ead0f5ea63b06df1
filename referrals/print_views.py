"""The client printouts of a case: the consent form to sign, the information on data
processing, appointment slips. Caseworkers and supervisors of the case (selectors decide
which); the PDFs are rendered by referrals.printouts, written and logged by the services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Client
from cases.page import case_context
from cases.selectors import appointment_get_for_case, open_case_get_for_user
from caseworks.access.permissions import CASE_ROLES, role_required
from caseworks.web.forms import error_text
from referrals import printouts, printtexts, services
from referrals.forms import ConsentSignedForm, InfoSheetForm, PrintLanguageForm
from referrals.models import Consent
from referrals.selectors import consent_get_for_case, info_sheet_status, printout_languages
from referrals.views import _pdf_response
from visits.models import Accompaniment
from visits.selectors import accompaniment_get_for_case


def _language(request, available: set[str], default: str = "") -> str:
    """The language asked for (?language=), or the default; "" is German only."""
    form = PrintLanguageForm(request.GET or None, available=set(printtexts.CLIENT_LANGUAGES))
    if request.GET and form.is_valid():
        return form.cleaned_data["language"]
    return default if default in available else ""


@role_required(*CASE_ROLES, methods=["GET"])
def printouts_page(request, code):
    """What the client gets on paper: the sheet on data processing (and whether it is
    missing), the consent forms, the slips for the coming appointments."""
    case = open_case_get_for_user(user=request.user, code=code)
    available = printout_languages()
    today = timezone.localdate()
    consents = list(
        Consent.objects.filter(client__case=case, revoked_on__isnull=True)
        .select_related("client")
        .prefetch_related("services")
        .defer("purpose", "note")
    )
    accompaniments = list(
        case.accompaniments.filter(
            status=Accompaniment.Status.PLANNED, appointment_at__date__gte=today
        )
        .select_related("client", "service")
        .only("code", "appointment_at", "client__first_name", "service__name", "case_id")
    )
    # A slip names its person: one a person of the appointment (referrals.printouts._slip).
    appointments = list(
        case.appointments.planned()
        .filter(starts_at__date__gte=today)
        .select_related("service")
        .prefetch_related(
            Prefetch(
                "persons",
                queryset=Client.objects.only(
                    "code", "first_name", "last_name", "languages", "case_id"
                ),
            )
        )
        .only("code", "starts_at", "kind", "service__name", "case_id")
    )
    guess = printtexts.guess_language(
        code for c in case.clients.only("languages", "case_id") for code in c.languages
    )

    def form(printout: str) -> PrintLanguageForm:
        return PrintLanguageForm(
            available=available[printout],
            initial={"language": guess if guess in available[printout] else ""},
        )

    return render(
        request,
        "referrals/printouts.html",
        case_context(
            request,
            case,
            status=info_sheet_status(case, today=today),
            info_form=InfoSheetForm(
                case=case,
                available=available[printtexts.INFO_SHEET],
                initial={"language": guess if guess in available[printtexts.INFO_SHEET] else ""},
            ),
            consents=consents,
            consent_form=form(printtexts.CONSENT),
            accompaniments=accompaniments,
            appointments=appointments,
            slip_form=form(printtexts.SLIP),
            signed_form=ConsentSignedForm(initial={"signed_on": today}),
        ),
    )


@role_required(*CASE_ROLES, methods=["POST"])
def info_sheet(request, code):
    """Print the information on data processing and record it as handed out."""
    case = open_case_get_for_user(user=request.user, code=code)
    form = InfoSheetForm(
        request.POST, case=case, available=printout_languages()[printtexts.INFO_SHEET]
    )
    if not form.is_valid():
        messages.error(request, _("Choose the person and the language."))
        return redirect("referrals_case:printouts", code=case.code)
    try:
        handout, pdf = services.info_sheet_hand_out(
            actor=request.user,
            client=form.cleaned_data["client"],
            language=form.cleaned_data["language"],
        )
    except ValidationError as e:
        messages.error(request, error_text(e))
        return redirect("referrals_case:printouts", code=case.code)
    return _pdf_response(pdf, f"datenschutz-{case.reference}-{handout.language}.pdf")


@role_required(*CASE_ROLES, methods=["GET"])
def consent_form(request, code, consent_code):
    case = open_case_get_for_user(user=request.user, code=code)
    consent = consent_get_for_case(case=case, code=consent_code)
    available = printout_languages()[printtexts.CONSENT]
    language = _language(request, available)
    pdf = services.consent_form_print(actor=request.user, consent=consent, language=language)
    return _pdf_response(pdf, f"schweigepflichtentbindung-{case.reference}.pdf")


@role_required(*CASE_ROLES, methods=["POST"])
def consent_signed(request, code, consent_code):
    """After printing: the day the person signed the form (then the consent covers letters)."""
    case = open_case_get_for_user(user=request.user, code=code)
    consent = consent_get_for_case(case=case, code=consent_code)
    form = ConsentSignedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the day the form was signed."))
        return redirect("referrals_case:printouts", code=case.code)
    try:
        services.consent_sign(
            actor=request.user, consent=consent, signed_on=form.cleaned_data["signed_on"]
        )
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(
            request, _("Signature recorded. Please upload the signed form to the documents.")
        )
    return redirect("referrals_case:printouts", code=case.code)


@role_required(*CASE_ROLES, methods=["GET"])
def accompaniment_slip(request, code, accompaniment_code):
    case = open_case_get_for_user(user=request.user, code=code)
    accompaniment = accompaniment_get_for_case(case=case, code=accompaniment_code)
    available = printout_languages()[printtexts.SLIP]
    language = _language(
        request, available, printtexts.guess_language(accompaniment.client.languages)
    )
    pdf = services.slip_print(
        actor=request.user,
        case=case,
        record=accompaniment,
        language=language,
        pdf_maker=lambda lang: printouts.accompaniment_slip_pdf(accompaniment, language=lang),
    )
    return _pdf_response(pdf, f"termin-{case.reference}.pdf")


@role_required(*CASE_ROLES, methods=["GET"])
def appointment_slip(request, code, appointment_code):
    """The slip of one person of the appointment (`?person=<code>`; without it, the
    appointment's only person). Someone not on the appointment: 404, never another
    person's name on the slip."""
    case = open_case_get_for_user(user=request.user, code=code)
    appointment = appointment_get_for_case(case=case, code=appointment_code)
    persons = list(appointment.persons.all())
    wanted = request.GET.get("person", "")
    if wanted:
        client = next((p for p in persons if str(p.code) == wanted), None)
    else:
        client = persons[0] if len(persons) == 1 else None
    if client is None:
        raise Http404("Not a person of the appointment")
    available = printout_languages()[printtexts.SLIP]
    language = _language(request, available, printtexts.guess_language(client.languages))
    pdf = services.slip_print(
        actor=request.user,
        case=case,
        record=appointment,
        language=language,
        pdf_maker=lambda lang: printouts.appointment_slip_pdf(
            appointment, client=client, language=lang
        ),
    )
    return _pdf_response(pdf, f"termin-{case.reference}.pdf")
