"""Events and newsletter pages: the coordinator's, the volunteers' own, and the public
subscription pages. Thin: a gate, a selector, a service."""

import datetime
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from caseworks.access.permissions import page_required, public, role_required
from caseworks.access.roles import Role
from caseworks.audit.log import log_access
from caseworks.signin.handlers import forwarded_client_ip
from caseworks.web.forms import error_text, form_page
from community import consent, ratelimit, selectors, sending, services, subscriptions
from community.calendar import event_ics
from community.certificate import certificate_pdf
from community.forms import (
    AttendanceForm,
    EventForm,
    IssueForm,
    OptInForm,
    RegisterVolunteerForm,
    SendForm,
    SubscribeForm,
)
from community.models import Issue, Registration, Subscriber
from community.rendering import markdown_html
from community.sender import newsletter_sender

COORDINATOR = Role.COORDINATOR
SUBSCRIBE_LIMIT = 10  # requests an address and hour on the public page


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


# --- events: the coordinator ---------------------------------------------------------------------


@page_required("events:list")
def event_list(request):
    events = selectors.events_for_user(user=request.user)
    now = timezone.now()
    upcoming = events.filter(starts_at__gte=now - datetime.timedelta(hours=12)).order_by(
        "starts_at"
    )
    past = events.filter(starts_at__lt=now - datetime.timedelta(hours=12)).order_by("-starts_at")[
        :30
    ]
    return render(
        request,
        "community/event_list.html",
        {"upcoming": _with_counts(upcoming), "past": _with_counts(past)},
    )


def _with_counts(events):
    return events.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status="confirmed")),
        waiting=Count("registrations", filter=Q(registrations__status="waiting")),
    )


@page_required("events:list")
def event_new(request):
    form = EventForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.event_create(actor=request.user, **form.cleaned_data),
        success=_("Event created."),
        done=lambda event: reverse("events:detail", args=[event.code]),
        template="community/event_form.html",
        context={"form": form, "event": None},
        creates=True,
    )


@page_required("events:list")
def event_edit(request, event_code):
    event = selectors.managed_event_get(user=request.user, code=event_code)
    form = EventForm(request.POST or None, instance=event)
    return form_page(
        request,
        form,
        save=lambda: form.update(services.event_update, actor=request.user, event=event),
        success=_("Event saved."),
        done=reverse("events:detail", args=[event.code]),
        template="community/event_form.html",
        context={"form": form, "event": event},
    )


@page_required("events:list")
def event_detail(request, event_code):
    event = selectors.managed_event_get(user=request.user, code=event_code)
    form = RegisterVolunteerForm(request.POST or None)
    # Over or cancelled: the page offers no registration, and a posted one saves nothing.
    closed = _("This event is over.") if event.is_over else None
    if event.cancelled_at is not None:
        closed = _("This event was cancelled.")
    registrations = event.registrations.select_related("user").order_by("queued_at", "pk")
    by_status: dict[str, list[Registration]] = {s: [] for s in Registration.Status.values}
    for registration in registrations:
        by_status[registration.status].append(registration)
    return form_page(
        request,
        form,
        save=lambda: services.registration_add(
            actor=request.user, event=event, user=form.cleaned_data["user"]
        ),
        success=_("Registered."),
        done=reverse("events:detail", args=[event.code]),
        template="community/event_detail.html",
        read_only=closed,
        context={
            "event": event,
            "form": form,
            "confirmed": by_status[Registration.Status.CONFIRMED],
            "waiting": by_status[Registration.Status.WAITING],
            "cancelled": by_status[Registration.Status.CANCELLED],
        },
    )


@page_required("events:list")
def event_attendance(request, event_code):
    """Taken on a phone at the door: one big button a person."""
    event = selectors.managed_event_get(user=request.user, code=event_code)
    if request.method == "POST":
        registration = (
            selectors.registration_get_for_user(
                user=request.user, code=request.POST.get("registration", "")
            )
            if _is_uuid(request.POST.get("registration", ""))
            else None
        )
        form = AttendanceForm(request.POST)
        if registration is None or registration.event_id != event.pk or not form.is_valid():
            raise Http404("No such registration")
        try:
            services.attendance_set(
                actor=request.user,
                registration=registration,
                attended=form.cleaned_data["attended"],
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        return redirect(reverse("events:attendance", args=[event.code]) + f"#r-{registration.code}")
    confirmed = (
        event.registrations.filter(status=Registration.Status.CONFIRMED)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    present = sum(1 for r in confirmed if r.attended)
    return render(
        request,
        "community/event_attendance.html",
        {"event": event, "registrations": confirmed, "present": present},
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@page_required("events:list")
def event_figures(request):
    return render(request, "community/figures.html", {"years": selectors.figures_by_year()})


# --- events: shared by the coordinator and the volunteer ------------------------------------------


@role_required(COORDINATOR, Role.VOLUNTEER, methods=["GET", "HEAD"])
def event_invitation(request, event_code):
    event = selectors.event_get_for_user(user=request.user, code=event_code)
    response = HttpResponse(event_ics(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="einladung.ics"'
    return response


@role_required(COORDINATOR, Role.VOLUNTEER, methods=["POST"])
def registration_cancel(request, registration_code):
    registration = selectors.registration_get_for_user(user=request.user, code=registration_code)
    moved = services.registration_cancel(actor=request.user, registration=registration)
    messages.success(request, _("The registration is cancelled."))
    if moved and selectors.is_coordinator(request.user):
        messages.info(request, _("The first on the waiting list has moved up."))
    if selectors.is_coordinator(request.user):
        return redirect("events:detail", event_code=registration.event.code)
    return redirect("events:mine_detail", event_code=registration.event.code)


@role_required(COORDINATOR, Role.VOLUNTEER, methods=["GET", "HEAD"])
def registration_certificate(request, registration_code):
    registration = selectors.registration_get_for_user(user=request.user, code=registration_code)
    if not registration.attended:
        raise Http404("No attendance to certify")
    log_access(
        user=request.user,
        action="event.certificate_printed",
        obj=registration,
        label=registration.event.title[:60],
    )
    response = HttpResponse(certificate_pdf(registration), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="teilnahmebescheinigung.pdf"'
    return response


# --- events: the volunteer's own pages ------------------------------------------------------------


@page_required("events:mine")
def my_events(request):
    events = selectors.events_for_user(user=request.user).filter(
        starts_at__gte=timezone.now() - datetime.timedelta(hours=12)
    )
    mine = {
        r.event_id: r
        for r in selectors.registrations_for_user(user=request.user).exclude(
            status=Registration.Status.CANCELLED
        )
    }
    attended = (
        selectors.registrations_for_user(user=request.user)
        .filter(attended=True)
        .order_by("-event__starts_at")
    )
    rows = [(event, mine.get(event.pk)) for event in events.order_by("starts_at")]
    return render(request, "community/my_events.html", {"rows": rows, "attended": attended})


@role_required(Role.VOLUNTEER)
def my_event_detail(request, event_code):
    event = selectors.event_get_for_user(user=request.user, code=event_code)
    registration = (
        selectors.registrations_for_user(user=request.user)
        .filter(event=event)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )
    if request.method == "POST":
        try:  # the page then says registered or waiting (no second message)
            services.registration_add(actor=request.user, event=event, user=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        return redirect("events:mine_detail", event_code=event.code)
    position = None
    if registration is not None and registration.status == Registration.Status.WAITING:
        position = event.registrations.filter(
            status=Registration.Status.WAITING, queued_at__lte=registration.queued_at
        ).count()
    return render(
        request,
        "community/my_event_detail.html",
        {
            "event": event,
            "registration": registration,
            "position": position,
            "open": not event.is_over,
        },
    )


# --- newsletter: the coordinator -----------------------------------------------------------------


@page_required("newsletter:list")
def issue_list(request):
    issues = selectors.issues_for_user(user=request.user).select_related("created_by")
    counts = {
        status: Subscriber.objects.filter(status=status).count()
        for status in Subscriber.Status.values
    }
    volunteers = Subscriber.objects.filter(
        status=Subscriber.Status.ACTIVE, user__isnull=False
    ).count()
    return render(
        request,
        "community/issue_list.html",
        {
            "drafts": issues.filter(status=Issue.Status.DRAFT),
            "sending": issues.filter(status=Issue.Status.SENDING),
            "archive": issues.filter(status=Issue.Status.SENT).order_by("-sent_at"),
            "counts": counts,
            "volunteers": volunteers,
            "reach": selectors.volunteer_reach(),
        },
    )


@page_required("newsletter:list")
def issue_new(request):
    form = IssueForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.issue_create(actor=request.user, **form.cleaned_data),
        success=_("Draft saved."),
        done=lambda issue: reverse("newsletter:detail", args=[issue.code]),
        template="community/issue_form.html",
        context={"form": form, "issue": None},
        creates=True,
    )


@page_required("newsletter:list")
def issue_edit(request, issue_code):
    issue = selectors.issue_get_for_user(user=request.user, code=issue_code)
    if issue.status != Issue.Status.DRAFT:
        raise Http404("Only a draft can be changed")
    form = IssueForm(request.POST or None, instance=issue)
    return form_page(
        request,
        form,
        save=lambda: form.update(services.issue_update, actor=request.user, issue=issue),
        success=_("Saved."),
        done=reverse("newsletter:detail", args=[issue.code]),
        template="community/issue_form.html",
        context={"form": form, "issue": issue},
    )


@page_required("newsletter:list")
def issue_detail(request, issue_code):
    """Preview, test send, send, progress, and for a sent issue its archive page."""
    issue = selectors.issue_get_for_user(user=request.user, code=issue_code)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "test":
                if not request.user.email:
                    raise ValidationError(_("Your account has no e-mail address."))
                sending.test_send(
                    issue=issue,
                    base_url=_base_url(request),
                    to=request.user.email,
                    language=get_language() or settings.LANGUAGE_CODE,
                )
                messages.success(request, _("A test mail went to your address."))
            elif action == "continue":
                # For a house without cron: the page works off a few batches itself.
                sending.work_queue(issue=issue, max_seconds=10)
            elif action == "resend" and issue.status != Issue.Status.DRAFT:
                sending.resend_interrupted(actor=request.user, issue=issue)
            else:
                raise Http404("Unknown action")
        except ValidationError as error:
            messages.error(request, error_text(error))
        return redirect("newsletter:detail", issue_code=issue.code)
    state = sending.progress(issue) if issue.status != Issue.Status.DRAFT else None
    interrupted = (
        issue.deliveries.filter(state="failed", error__startswith="interrupted").count()
        if state
        else 0
    )
    segment_size = len(sending.recipients(issue)) if issue.status == Issue.Status.DRAFT else None
    return render(
        request,
        "community/issue_detail.html",
        {
            **_segment(issue),
            "progress": state,
            "interrupted": interrupted,
            "segment_size": segment_size,
        },
    )


def _segment(issue: Issue) -> dict:
    """What the issue's pages say about who gets it: the segment, and how volunteers and
    outside readers join it."""
    return {
        "issue": issue,
        "html": markdown_html(issue.body),
        "interest_labels": issue._meta.get_field("interests").labels(issue.interests),
        "reach": selectors.volunteer_reach(),
    }


@page_required("newsletter:list")
def issue_send(request, issue_code):
    """The confirmation before sending, naming the number of recipients; POST queues the
    issue. Sent already (a double tap, Back and send): its page, nothing sent twice."""
    issue = selectors.issue_get_for_user(user=request.user, code=issue_code)
    if issue.status != Issue.Status.DRAFT:
        messages.info(request, _("This issue is being sent or was sent already."))
        return redirect("newsletter:detail", issue_code=issue.code)
    count = len(sending.recipients(issue))
    if not count:  # the issue's page says why and how people join
        return redirect("newsletter:detail", issue_code=issue.code)
    form = SendForm(request.POST or None, initial={"recipients": count})
    return form_page(
        request,
        form,
        save=lambda: sending.issue_send(
            actor=request.user,
            issue=issue,
            base_url=_base_url(request),
            expected_recipients=form.cleaned_data["recipients"],
        ),
        success=_("%(count)s mails are queued and being sent.") % {"count": count},
        done=reverse("newsletter:detail", args=[issue.code]),
        template="community/issue_send.html",
        context={**_segment(issue), "form": form, "count": count},
    )


# --- newsletter: the volunteer's opt-in ---------------------------------------------------------


@page_required("newsletter:me")
def my_newsletter(request):
    subscriber = Subscriber.objects.filter(user=request.user).first()
    subscribed = subscriber is not None and subscriber.status == Subscriber.Status.ACTIVE
    if request.method == "POST" and request.POST.get("action") == "unsubscribe":
        if subscriber is not None and subscribed:
            subscriptions.unsubscribe(
                subscriber=subscriber, channel="volunteer page", actor=request.user
            )
            messages.success(request, _("You will no longer receive the newsletter."))
        return redirect("newsletter:me")
    initial = {"interests": subscriber.interests} if subscriber else {}
    form = OptInForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        save=lambda: subscriptions.volunteer_opt_in(
            user=request.user,
            interests=form.cleaned_data["interests"],
            language=get_language() or "de",
        ),
        success=_("You receive the newsletter."),
        done=reverse("newsletter:me"),
        template="community/my_newsletter.html",
        context={"form": form, "subscribed": subscribed, "consent_text": consent.consent_text()},
    )


# --- newsletter: public pages -------------------------------------------------------------------


def _client_address(request) -> str:
    return (
        forwarded_client_ip(request)
        if settings.AXES_CLIENT_IP_CALLABLE
        else request.META.get("REMOTE_ADDR", "")
    ) or ""


def _over_limit(request) -> bool:
    """SUBSCRIBE_LIMIT requests an address and hour on the public form, counted in the
    database (community.ratelimit): every worker and host counts against the same number."""
    return not ratelimit.take(
        scope="newsletter subscribe",
        key=_client_address(request),
        limit=SUBSCRIBE_LIMIT,
        window=datetime.timedelta(hours=1),
    )


def _public(request, template: str, context: dict | None = None, status: int = 200):
    """A public newsletter page: it names the house, its carriers, imprint and privacy
    notice (community.sender)."""
    return render(
        request, template, {**(context or {}), "sender": newsletter_sender()}, status=status
    )


@public
def subscribe(request):
    """The public double opt-in page. Whatever the address's state, the answer is the same
    page saying a mail is on its way (no one learns who is subscribed)."""
    form = SubscribeForm(request.POST or None)
    if request.method == "POST":
        if _over_limit(request):
            response = _public(request, "community/subscribe_limited.html", status=429)
            response["Retry-After"] = "3600"
            return response
        if form.is_valid():
            subscriptions.subscribe_request(
                email=form.cleaned_data["email"],
                interests=form.cleaned_data["interests"],
                language=get_language() or settings.LANGUAGE_CODE,
                base_url=_base_url(request),
                source=_client_address(request),
            )
            return redirect("newsletter:subscribe_sent")
    return _public(
        request,
        "community/subscribe.html",
        {"form": form, "consent_text": consent.consent_text()},
    )


@public(methods=["GET", "HEAD"])
def subscribe_sent(request):
    return _public(request, "community/subscribe_sent.html")


@public
def confirm(request, confirm_token):
    """GET shows a button (mail scanners open links: they must not confirm); POST confirms."""
    subscriber = subscriptions.subscriber_for_confirm_token(confirm_token)
    if request.method == "POST" and subscriber is not None:
        subscriptions.subscription_confirm(token=confirm_token, source=_client_address(request))
        return _public(request, "community/confirmed.html")
    return _public(
        request,
        "community/confirm.html",
        {"valid": subscriber is not None},
        status=200 if subscriber is not None else 404,
    )


# RFC 8058: a mail program POSTs here without a form; the signed token is the credential.
@csrf_exempt
@public
def unsubscribe(request, unsubscribe_token):
    """One-click unsubscribe (RFC 8058 POST "List-Unsubscribe=One-Click") and the link in
    every mail (GET: a page with one button, POSTing here). No sign-in, no CSRF token: a
    forged request can only unsubscribe someone whose unforgeable token it already has."""
    subscriber = subscriptions.subscriber_for_unsubscribe_token(unsubscribe_token)
    if subscriber is None:
        raise Http404("Unknown subscription")
    if request.method == "POST":
        subscriptions.unsubscribe(subscriber=subscriber, channel="unsubscribe link")
        return _public(request, "community/unsubscribed.html")
    done = subscriber.status == Subscriber.Status.UNSUBSCRIBED
    return _public(request, "community/unsubscribe.html", {"done": done})
