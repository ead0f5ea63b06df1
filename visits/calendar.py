"""Personal calendar feeds (iCalendar): times, case reference numbers and neutral words only
(visits.outbound) — never a client's name, the purpose, the place or the kind of an
appointment: a calendar app syncs the feed to its provider's servers."""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import override
from icalendar import Calendar, Event

from cases.selectors import week_items_for_user
from visits.models import Accompaniment, CalendarToken
from visits.outbound import Outside, outside_summary
from visits.selectors import own_cases

FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 180


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_token_renew(*, user) -> str:
    """A new secret for the user's feed; the previous URL stops working at once."""
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.update_or_create(user=user, defaults={"token_hash": _hash(token)})
    return token


def calendar_user_for_token(token: str):
    found = (
        CalendarToken.objects.select_related("user")
        .filter(token_hash=_hash(token), user__is_active=True)
        .first()
    )
    return found.user if found else None


def calendar_feed(*, user, language: str = "de") -> bytes:
    now = timezone.now()
    cases = own_cases(user=user)
    accompaniments = (
        Accompaniment.objects.filter(
            status=Accompaniment.Status.PLANNED,
            case__closed_on__isnull=True,
            appointment_at__gte=now - datetime.timedelta(days=FEED_DAYS_BACK),
            appointment_at__lte=now + datetime.timedelta(days=FEED_DAYS_AHEAD),
        )
        .filter(Q(case__in=cases.values("pk")) | Q(accompanied_by=user) | Q(volunteer=user))
        .select_related("case")
        .only("code", "appointment_at", "case__reference", "case__closed_on")
        .order_by("appointment_at")
    )
    due = cases.filter(next_visit_due__isnull=False).only("code", "reference", "next_visit_due")
    today = timezone.localdate()
    # Tasks (Wiedervorlagen) and client appointments; their titles, kinds and places stay out
    # of the feed: the reference says which case.
    items = week_items_for_user(
        user=user,
        start=today - datetime.timedelta(days=FEED_DAYS_BACK),
        end=today + datetime.timedelta(days=FEED_DAYS_AHEAD),
    )

    cal = Calendar()
    cal.add("prodid", "-//Caseworks//Calendar feed//DE")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Caseworks")
    with override(language):
        for a in accompaniments:
            event = Event()
            event.add("uid", f"accompaniment-{a.code}@caseworks")
            event.add("dtstamp", now)
            event.add("dtstart", a.appointment_at)
            event.add("dtend", a.appointment_at + datetime.timedelta(hours=1))
            event.add("summary", outside_summary(Outside.ACCOMPANIMENT, a.case.reference))
            cal.add_component(event)
        for case in due:
            day = case.next_visit_due
            assert day is not None  # filtered above
            event = Event()
            event.add("uid", f"visit-due-{case.code}-{day:%Y%m%d}@caseworks")
            event.add("dtstamp", now)
            event.add("dtstart", day)
            event.add("dtend", day + datetime.timedelta(days=1))
            event.add("summary", outside_summary(Outside.VISIT, case.reference))
            cal.add_component(event)
        for item in items:
            event = Event()
            event.add("uid", f"{item.kind}-{item.obj.code}@caseworks")
            event.add("dtstamp", now)
            if item.at is None:  # a task: all day, on its due day
                event.add("dtstart", item.day)
                event.add("dtend", item.day + datetime.timedelta(days=1))
            else:
                event.add("dtstart", item.at)
                event.add("dtend", item.at + datetime.timedelta(hours=1))
            event.add("summary", outside_summary(item.kind, item.case.reference))
            cal.add_component(event)
    return cal.to_ical()
