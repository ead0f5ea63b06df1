"""The coordinator's register, requests, tandems and figures; the caseworker's request; the
volunteers' own pages. Thin: one gate each, scoped by volunteers.selectors."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.page import case_form_page
from cases.selectors import case_get_for_user
from caseworks.access.permissions import CASE_ROLES, DATA_PROTECTION, page_required, role_required
from caseworks.access.roles import Role
from caseworks.audit.log import log_access
from caseworks.web.forms import error_text, form_page
from caseworks.web.pdf import render_pdf
from visits.selectors import accompaniment_get_for_case, accompaniments_for_volunteer
from volunteers import export, figures, matching, selectors, services
from volunteers.forms import (
    AbsenceForm,
    HoursForm,
    OfferForm,
    RegisterFilterForm,
    RequestForm,
    SlotsForm,
    TandemEndForm,
    TandemForm,
    VolunteerForm,
)
from volunteers.models import Offer, VolunteerRequest

REGISTER_PAGE_SIZE = 25
COORDINATOR = Role.COORDINATOR


# --- the coordinator ----------------------------------------------------------------------------


@page_required("volunteers:register")
def register(request):
    form = RegisterFilterForm(request.GET or None)
    volunteers = selectors.volunteers_for_user(user=request.user).prefetch_related("languages")
    if form.is_valid():
        volunteers = selectors.register_filter(volunteers, **form.cleaned_data)
    page = Paginator(volunteers, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    return render(
        request,
        "volunteers/register.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "today": today,
            "expiring": list(selectors.expiring(today=today)),
            "open_requests": selectors.requests_for_user(user=request.user)
            .filter(status__in=["open", "offered"])
            .count(),
        },
    )


@role_required(COORDINATOR)
def volunteer_new(request):
    """Register a volunteer, making their account (the volunteer role only) unless an
    administrator made one: the person gets their one-time sign-in code by e-mail."""
    form = VolunteerForm(request.POST or None, new=True)
    return form_page(
        request,
        form,
        save=lambda: services.volunteer_register(
            actor=request.user,
            user=form.cleaned_data.get("user"),
            account=form.account(),
            reset_url=request.build_absolute_uri(reverse("access_reset")),
            **form.changes(),
        ),
        success=_("Volunteer registered."),
        done=lambda v: reverse("volunteers:detail", args=[v.code]),
        template="volunteers/volunteer_form.html",
        context={"form": form, "new": True},
        creates=True,
    )


@role_required(COORDINATOR)
def volunteer_detail(request, volunteer_code):
    volunteer = selectors.volunteer_get_for_user(user=request.user, code=volunteer_code)
    log_access(user=request.user, action="volunteer.viewed", obj=volunteer, label=str(volunteer))
    today = timezone.localdate()
    return render(
        request,
        "volunteers/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "missing": volunteer.missing_onboarding(today),
            "languages": volunteer.languages.all(),
            "slots": volunteer.slots.all(),
            "absences": volunteer.absences.filter(ends_on__gte=today),
            "tandems": volunteer.tandems.select_related("case"),
            "offers": volunteer.offers.select_related(
                "request__accompaniment__case", "request__accompaniment__service"
            )[:20],
            "sign_in": selectors.sign_in_state(volunteer),
            "today": today,
        },
    )


@role_required(COORDINATOR)
def volunteer_edit(request, volunteer_code):
    volunteer = selectors.volunteer_get_for_user(user=request.user, code=volunteer_code)
    form = VolunteerForm(request.POST or None, instance=volunteer)
    return form_page(
        request,
        form,
        save=lambda: form.update(
            services.volunteer_update, actor=request.user, volunteer=volunteer
        ),
        success=_("Saved."),
        done=reverse("volunteers:detail", args=[volunteer.code]),
        template="volunteers/volunteer_form.html",
        context={"form": form, "volunteer": volunteer},
    )


@role_required(COORDINATOR, DATA_PROTECTION, methods=["GET", "HEAD"])
def volunteer_export(request, volunteer_code):
    """Art. 15 DSGVO: everything stored about the volunteer, as JSON."""
    volunteer = selectors.volunteer_get_for_user(user=request.user, code=volunteer_code)
    log_access(user=request.user, action="volunteer.exported", obj=volunteer, label=str(volunteer))
    body = json.dumps(export.volunteer_disclosure(volunteer), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="volunteer-{volunteer.code}.json"'
    return response


@role_required(COORDINATOR, methods=["GET", "HEAD"])
def pledge_pdf(request, volunteer_code):
    """The confidentiality pledge to print and sign (volunteers are not bound by § 203 StGB
    themselves; the pledge binds them to the house's confidentiality)."""
    volunteer = selectors.volunteer_get_for_user(user=request.user, code=volunteer_code)
    html = render_to_string(
        "volunteers/pledge.html", {"volunteer": volunteer, "today": timezone.localdate()}
    )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="pledge-{volunteer.code}.pdf"'
    return response


@page_required("volunteers:requests")
def requests(request):
    rows = selectors.requests_for_user(user=request.user)
    return render(
        request,
        "volunteers/requests.html",
        {
            "open": rows.filter(status__in=["open", "offered"]).order_by(
                "accompaniment__appointment_at"
            ),
            "recent": rows.exclude(status__in=["open", "offered"])[:30],
        },
    )


@role_required(COORDINATOR, *CASE_ROLES)
def request_detail(request, request_code):
    volunteer_request = selectors.request_get_for_user(user=request.user, code=request_code)
    may_offer = services.may_offer(request.user) and volunteer_request.is_open
    candidates = matching.candidates_for(volunteer_request, limit=15) if may_offer else []
    form = OfferForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        try:
            services.request_withdraw(actor=request.user, request=volunteer_request)
            messages.success(request, _("The request was withdrawn."))
        except ValidationError as error:
            messages.error(request, error_text(error))
        return redirect("volunteers:request_detail", request_code=volunteer_request.code)
    context = {
        "r": volunteer_request,
        "a": volunteer_request.accompaniment,
        "candidates": candidates,
        "form": form,
        "may_offer": may_offer,
        "offers": volunteer_request.offers.select_related("volunteer__user"),
    }
    if not may_offer:
        return render(request, "volunteers/request_detail.html", context)
    return form_page(
        request,
        form,
        save=lambda: services.request_offer(
            actor=request.user,
            request=volunteer_request,
            volunteers=list(form.cleaned_data["volunteers"]),
        ),
        success=_("Offered. The volunteers are told by e-mail."),
        done=reverse("volunteers:request_detail", args=[volunteer_request.code]),
        template="volunteers/request_detail.html",
        context=context,
    )


@role_required(*CASE_ROLES)
def request_new(request, code, accompaniment_code):
    """A caseworker asks for a volunteer for a planned accompaniment (read-only on a closed
    case, like every form page inside a case file)."""
    case = case_get_for_user(user=request.user, code=code)
    accompaniment = accompaniment_get_for_case(case=case, code=accompaniment_code)
    first = accompaniment.client
    initial = {
        "language": accompaniment.interpreter_language
        or next((code for code in first.languages if code != "deu"), ""),
        "task": "doctor" if accompaniment.destination_kind == "doctor" else "authority",
    }
    form = RequestForm(request.POST or None, initial=initial)
    return case_form_page(
        request,
        case,
        form,
        save=lambda: services.request_create(
            actor=request.user, accompaniment=accompaniment, data=form.cleaned_data
        ),
        success=_("A volunteer is asked for. The coordination is told."),
        done=reverse("cases:detail", args=[case.code]),
        template="volunteers/request_form.html",
        extra={"a": accompaniment, "form": form},
        creates=True,
    )


@page_required("volunteers:tandems")
def tandems(request):
    rows = selectors.tandems_for_user(user=request.user)
    today = timezone.localdate()
    return render(request, "volunteers/tandems.html", {"tandems": rows, "today": today})


@role_required(COORDINATOR)
def tandem_new(request):
    form = TandemForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    return form_page(
        request,
        form,
        save=lambda: services.tandem_create(
            actor=request.user,
            volunteer=form.cleaned_data["volunteer"],
            case=selectors.tandem_case_get(
                user=request.user, reference=form.cleaned_data["reference"]
            ),
            data=form.cleaned_data,
        ),
        success=_("Tandem recorded."),
        done=lambda t: reverse("volunteers:tandem_detail", args=[t.code]),
        template="volunteers/tandem_form.html",
        context={"form": form},
        creates=True,
    )


@role_required(COORDINATOR)
def tandem_detail(request, tandem_code):
    tandem = selectors.tandem_get_for_user(user=request.user, code=tandem_code)
    form = TandemEndForm(request.POST or None, initial={"ends_on": timezone.localdate()})
    return form_page(
        request,
        form,
        save=lambda: services.tandem_end(
            actor=request.user, tandem=tandem, ends_on=form.cleaned_data["ends_on"]
        ),
        success=_("The tandem ends."),
        done=reverse("volunteers:tandem_detail", args=[tandem.code]),
        template="volunteers/tandem_detail.html",
        context={"tandem": tandem, "form": form},
    )


@page_required("volunteers:figures")
def figures_page(request):
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    return render(
        request,
        "volunteers/figures.html",
        {"f": figures.coordinator_figures(start, today), "start": start, "end": today},
    )


# --- the volunteer's own pages ------------------------------------------------------------------


def _hours(volunteer, accompaniments) -> float:
    done = sum(1 for a in accompaniments if a.status == "done")
    own = sum(volunteer.hours.values_list("minutes", flat=True))
    return round((done * figures.ACCOMPANIMENT_MINUTES + own) / 60, 1)


@page_required("volunteers:me")
def me(request):
    volunteer = selectors.own_volunteer(user=request.user)
    accompaniments = list(accompaniments_for_volunteer(user=request.user))
    return render(
        request,
        "volunteers/me.html",
        {
            "volunteer": volunteer,
            "offers": selectors.open_offers_for_volunteer(user=request.user),
            "planned": [a for a in accompaniments if a.status == "planned"],
            "tandems": selectors.tandems_for_user(user=request.user),
            "hours": _hours(volunteer, accompaniments),
            "missing": volunteer.missing_onboarding(),
            "languages": volunteer.languages.all(),
        },
    )


@role_required(Role.VOLUNTEER)
def me_availability(request):
    volunteer = selectors.own_volunteer(user=request.user)
    slots = SlotsForm(
        request.POST if request.POST.get("form") == "slots" else None,
        slots=volunteer.slots.all(),
    )
    absence = AbsenceForm(request.POST if request.POST.get("form") == "absence" else None)
    if request.method == "POST" and request.POST.get("form") == "remove":
        posted = request.POST.get("absence", "")
        found = volunteer.absences.filter(pk=posted).first() if posted.isdigit() else None
        if found is None:
            raise Http404("No such absence")
        services.absence_remove(actor=request.user, absence=found)
        messages.success(request, _("Absence removed."))
        return redirect("volunteers:me_availability")
    context = {
        "slots": slots,
        "absence": absence,
        "absences": volunteer.absences.filter(ends_on__gte=timezone.localdate()),
    }
    template, done = "volunteers/me_availability.html", reverse("volunteers:me_availability")
    if request.POST.get("form") == "absence":
        return form_page(
            request,
            absence,
            save=lambda: services.absence_add(
                actor=request.user, volunteer=volunteer, **absence.cleaned_data
            ),
            success=_("Absence saved: you are not asked then."),
            done=done,
            template=template,
            context=context,
            creates=True,
        )
    return form_page(
        request,
        slots,
        save=lambda: services.slots_set(
            actor=request.user, volunteer=volunteer, slots=slots.slots()
        ),
        success=_("Availability saved."),
        done=done,
        template=template,
        context=context,
    )


@role_required(Role.VOLUNTEER)
def me_offer(request, offer_code):
    offer = selectors.offer_get_for_volunteer(user=request.user, code=offer_code)
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("accept", "decline"):
            messages.error(request, _("Choose: yes or no."))
            return _offer_page(request, offer)
        try:
            services.offer_answer(actor=request.user, offer=offer, accept=answer == "accept")
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect("volunteers:me_offer", offer_code=offer.code)
        messages.success(
            request,
            _("Thank you: you go along.") if answer == "accept" else _("Declined. Thank you."),
        )
        return redirect("volunteers:me")
    return _offer_page(request, offer)


def _offer_page(request, offer):
    a = offer.request.accompaniment
    return render(
        request,
        "volunteers/me_offer.html",
        {
            "offer": offer,
            "a": a,
            "open": offer.status == Offer.OfferStatus.OFFERED
            and offer.request.status
            in (VolunteerRequest.RequestStatus.OPEN, VolunteerRequest.RequestStatus.OFFERED),
            "needs": VolunteerRequest.objects.filter(pk=offer.request_id)
            .values_list("needs", flat=True)
            .first()
            or "",
        },
    )


@role_required(Role.VOLUNTEER, methods=["GET", "HEAD"])
def me_tandem(request, tandem_code):
    tandem = selectors.tandem_get_for_user(user=request.user, code=tandem_code)
    current = tandem.is_current()
    if current:
        log_access(
            user=request.user, action="tandem.viewed", obj=tandem.case, label=tandem.case.reference
        )
    clients = list(tandem.case.clients.all()) if current else []
    main = next((c for c in clients if c.is_main_contact), None)
    return render(
        request,
        "volunteers/me_tandem.html",
        {
            "tandem": tandem,
            "current": current,
            "first_names": [c.first_name for c in clients],
            "phone": main.phone if (main and tandem.may_see_phone) else "",
            "address": tandem.case.accommodation_address
            if (current and tandem.may_see_address)
            else "",
        },
    )


@role_required(Role.VOLUNTEER)
def me_hours(request):
    volunteer = selectors.own_volunteer(user=request.user)
    form = HoursForm(request.POST or None, initial={"date": timezone.localdate()})
    accompaniments = list(accompaniments_for_volunteer(user=request.user))
    return form_page(
        request,
        form,
        save=lambda: services.hours_add(
            actor=request.user, volunteer=volunteer, **form.cleaned_data
        ),
        success=_("Hours recorded. Thank you!"),
        done=reverse("volunteers:me_hours"),
        template="volunteers/me_hours.html",
        context={
            "form": form,
            "entries": volunteer.hours.all()[:50],
            "done": [a for a in accompaniments if a.status == "done"],
            "hours": _hours(volunteer, accompaniments),
            "accompaniment_hours": figures.ACCOMPANIMENT_MINUTES // 60,
        },
        creates=True,
    )
