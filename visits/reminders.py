"""The daily reminder digest, a mail (it leaves the house): reference numbers, times and the
neutral words of visits.outbound only — never a client's name, residence status, the kind of
a deadline (a lawsuit deadline reveals the asylum procedure) or of an appointment."""

import datetime

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from cases.models import CoverAccess, Deadline
from cases.selectors import cases_supervised_by, week_items_for_user
from caseworks.access.roles import Role
from caseworks.extensions import volunteering
from visits.dashboards import cases_overdue
from visits.models import Accompaniment, ReminderSent
from visits.outbound import (
    Outside,
    outside_facts,
    outside_label,
    outside_summary,
    outside_time,
)
from visits.selectors import own_cases

WEEK = datetime.timedelta(days=7)


def _d(day):
    return date_format(day, "SHORT_DATE_FORMAT")


def digest_lines(user, today: datetime.date) -> list[str]:
    """What is due for one user, as lines naming reference numbers only."""
    own = own_cases(user=user)
    lines = []
    for d in (
        Deadline.objects.filter(case__in=own, done_on__isnull=True, due_on__lt=today + WEEK)
        .select_related("case")
        .order_by("due_on")
    ):
        lines.append(
            _("Deadline %(ref)s: due %(date)s") % {"ref": d.case.reference, "date": _d(d.due_on)}
        )
    for case in own.expiring(today).order_by("reference"):
        # An expiring document is, here, mostly a residence title: a neutral "check".
        lines.append(outside_summary(Outside.CHECK, case.reference))
    for case in cases_overdue(own, today).order_by("reference"):
        lines.append(_("Visit overdue: %(ref)s") % {"ref": case.reference})
    tomorrow = today + datetime.timedelta(days=1)
    for a in (
        Accompaniment.objects.filter(
            status=Accompaniment.Status.PLANNED, appointment_at__date=tomorrow
        )
        .filter(Q(case__in=own) | Q(accompanied_by=user))
        .select_related("case")
        .order_by("appointment_at")
    ):
        lines.append(_("%(what)s tomorrow at %(time)s: %(ref)s") % outside_facts(a))
    # Tasks due today or overdue, and client appointments tomorrow; by reference only (a
    # task's title is free text, an appointment's kind can reveal the asylum procedure).
    for item in week_items_for_user(user=user, start=today, end=tomorrow):
        if item.at is None and item.day <= today:
            lines.append(
                _("Task due %(date)s: %(ref)s") % {"date": _d(item.day), "ref": item.case.reference}
            )
        elif item.at is not None and timezone.localtime(item.at).date() == tomorrow:
            lines.append(
                _("%(what)s tomorrow at %(time)s: %(ref)s")
                % {
                    "what": outside_label(item.kind),
                    "time": outside_time(item.at),
                    "ref": item.case.reference,
                }
            )
    supervised = cases_supervised_by(user=user)
    since = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=1), datetime.time.min)
    )
    for access in (
        CoverAccess.objects.filter(case__in=supervised, granted_at__gte=since)
        .select_related("case", "user")
        .order_by("granted_at")
    ):
        line = (
            _("Cover access waiting for your approval: %(ref)s by %(user)s")
            if access.awaiting_approval
            else _("Cover access: %(ref)s opened by %(user)s")
        )
        lines.append(line % {"ref": access.case.reference, "user": access.user.get_username()})
    for d in (
        Deadline.objects.escalated(today)
        .filter(case__in=supervised)
        .select_related("case")
        .order_by("due_on")
    ):
        lines.append(
            _("Escalated: deadline %(ref)s due %(date)s is not done")
            % {"ref": d.case.reference, "date": _d(d.due_on)}
        )
    for source in volunteering.digest_sources:  # other apps' lines (the volunteers app)
        lines.extend(source.lines(user, today))
    return lines


def digest_roles() -> list[str]:
    """The roles other apps add to the digest's recipients (caseworks.extensions.volunteering)."""
    return sorted({source.role for source in volunteering.digest_sources})


def send_reminders(*, today: datetime.date | None = None, language: str = "de") -> dict:
    today = today or timezone.localdate()
    stats = {"sent": 0, "nothing_due": 0, "already_sent": 0, "no_address": 0}
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(groups__name__in=[Role.CASEWORKER, Role.SUPERVISOR, *digest_roles()])
        .distinct()
    )
    for user in users:
        if not user.email:
            stats["no_address"] += 1
            continue
        with override(language):
            lines = digest_lines(user, today)
            if not lines:
                stats["nothing_due"] += 1
                continue
            try:
                with transaction.atomic():
                    # Claim the day first: a second run (or a parallel one) stops here.
                    ReminderSent.objects.create(user=user, day=today)
                    send_mail(
                        subject=_("Caseworks: due on %(date)s") % {"date": _d(today)},
                        message="\n".join(
                            [_("Due for you:"), "", *lines, "", _("Details are in Caseworks.")]
                        ),
                        from_email=None,
                        recipient_list=[user.email],
                    )
            except IntegrityError:
                stats["already_sent"] += 1
                continue
        stats["sent"] += 1
    return stats
