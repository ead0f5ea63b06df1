"""The ICS invitation of an event (RFC 5545, through icalendar as visits.calendar does)."""

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as IcsEvent

from community.models import Event


def event_ics(event: Event) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Caseworks//Events//DE")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    item = IcsEvent()
    item.add("uid", f"event-{event.code}@caseworks")
    item.add("dtstamp", timezone.now())
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("summary", event.title)
    item.add("location", event.place.replace("\n", ", "))
    if event.description:
        item.add("description", event.description)
    if event.cancelled_at is not None:
        item.add("status", "CANCELLED")
    cal.add_component(item)
    return cal.to_ical()
