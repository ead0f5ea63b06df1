"""The case summary (Fallübersicht) a caseworker prints from the case file, and the hand-over
packet for a service outside the house.

The summary: the household with each person's statuses, open deadlines, the last visits and
what is still open (open referrals, planned accompaniments, tasks …). Visits and referrals
come through the case-file registry (caseworks.extensions.casefile: the timeline entries and the
open
items other apps register), so this module imports neither app.

The packet holds only what the person consented to pass on: it is made against one consent,
which another app supplies (caseworks.extensions.handover: the consents live in
referrals, which may import cases, never the other way round). Without a provider, or
without a valid consent, there is no packet.
"""

import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from cases.selectors import household_with_statuses
from caseworks.extensions.casefile import open_items_for, timeline_for
from caseworks.extensions.handover import PacketConsent, handover_consents
from caseworks.web.pdf import render_pdf

LAST_VISITS = 5
# Timeline entries read to find the last visits among the other kinds.
TIMELINE_READ = 60


def summary_context(case: Case, *, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    household = household_with_statuses(case)
    deadlines = list(
        case.deadlines.filter(done_on__isnull=True).select_related("client").order_by("due_on")
    )
    entries, _more = timeline_for(case, limit=TIMELINE_READ)
    visits = [e for e in entries if e.kind == "visit"][:LAST_VISITS]
    # Deadlines are listed with their dates above; the rest of what is open from every app.
    still_open = [item for item in open_items_for(case) if not item.key.startswith("deadline-")]
    return {
        "case": case,
        "household": household,
        "deadlines": deadlines,
        "visits": visits,
        "still_open": still_open,
        "today": today,
        "generated_at": timezone.localtime(),
    }


def summary_pdf(case: Case, *, request=None) -> bytes:
    html = render_to_string("cases/summary_pdf.html", summary_context(case), request=request)
    return render_pdf(html)


# --- the hand-over packet -------------------------------------------------------------------------

# What a packet can hold besides the person's name and date of birth (always: the recipient
# must know whom it is about). A consent lets through some of these.
PARTS = {
    "contact": _("address, phone and e-mail"),
    "language": _("languages and interpreter need"),
    "status": _("residence status"),
}


def packet_consents(case: Case, *, today: datetime.date | None = None) -> list[PacketConsent]:
    today = today or timezone.localdate()
    return [c for provider in handover_consents for c in provider(case, today=today)]


def packet_context(consent: PacketConsent, *, case: Case) -> dict:
    person = consent.client
    statuses = list(person.statuses.all()) if "status" in consent.parts else []
    return {
        "case": case,
        "person": person,
        "consent": consent,
        "parts": {key: key in consent.parts for key in PARTS},
        "part_labels": [str(PARTS[k]) for k in PARTS if k in consent.parts],
        "address": case.accommodation_address if "contact" in consent.parts else "",
        "statuses": statuses,
        "generated_at": timezone.localtime(),
    }


def packet_pdf(consent: PacketConsent, *, case: Case, request=None) -> bytes:
    html = render_to_string(
        "cases/summary_packet_pdf.html", packet_context(consent, case=case), request=request
    )
    return render_pdf(html)
