"""Suggestions from the data where the rule is clear; the user decides — nothing is created
from them without a click and a saved form."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.models import (
    AppointmentKind,
    Case,
    Client,
    ResidenceStatus,
    StatusKind,
)

# Documents the Ausländerbehörde renews on an appointment (DOMAIN.md: a Gestattung is
# usually renewed on its expiry day, a Duldung every few months, a Grenzübertrittsbescheinigung
# carries the departure date).
RENEWED_AT_THE_AUTHORITY = {
    StatusKind.PERMISSION_TO_RESIDE,
    StatusKind.TOLERATION,
    StatusKind.TOLERATION_UNCLEAR_IDENTITY,
    StatusKind.TRAINING_TOLERATION,
    StatusKind.EMPLOYMENT_TOLERATION,
    StatusKind.BORDER_CROSSING_CERTIFICATE,
}
SUGGEST_WITHIN_DAYS = 30


@dataclass
class Suggestion:
    client: Client
    status: ResidenceStatus

    @property
    def text(self) -> str:
        return _(
            "%(kind)s of %(name)s expires on %(date)s: appointment at the Ausländerbehörde "
            "to extend it?"
        ) % {
            "kind": self.status.get_kind_display(),
            "name": self.client.full_name,
            "date": date_format(self.valid_until, "SHORT_DATE_FORMAT"),
        }

    @property
    def valid_until(self) -> datetime.date:
        # Only statuses with an end date are suggested (_candidates).
        assert self.status.valid_until is not None
        return self.status.valid_until

    @property
    def task_title(self) -> str:
        return _("Extend %(kind)s of %(name)s at the Ausländerbehörde") % {
            "kind": self.status.get_kind_display(),
            "name": self.client.first_name,
        }

    @property
    def task_due_on(self) -> datetime.date:
        # A week ahead of the expiry leaves time to get an appointment.
        earliest = timezone.localdate()
        assert self.status.valid_until is not None
        return max(earliest, self.status.valid_until - datetime.timedelta(days=7))

    @property
    def appointment_note(self) -> str:
        return _("Extension of the %(kind)s (valid until %(date)s)") % {
            "kind": self.status.get_kind_display(),
            "date": date_format(self.valid_until, "SHORT_DATE_FORMAT"),
        }


def _candidates(case: Case, today: datetime.date) -> list[Suggestion]:
    horizon = today + datetime.timedelta(days=SUGGEST_WITHIN_DAYS)
    statuses = ResidenceStatus.objects.defer("document_number")
    clients = case.clients.prefetch_related(Prefetch("statuses", queryset=statuses))  # type: ignore[arg-type]
    found = []
    for client in clients:
        status = client.current_status()
        if (
            status is not None
            and status.kind in RENEWED_AT_THE_AUTHORITY
            and status.valid_until is not None
            and status.valid_until <= horizon
        ):
            found.append(Suggestion(client, status))
    return found


def suggestions_for(case: Case, *, today: datetime.date | None = None) -> list[Suggestion]:
    """Persons whose document renewed at the Ausländerbehörde expires within 30 days (or has
    expired) and who have no planned appointment there and no open task from now on. Three
    queries."""
    today = today or timezone.localdate()
    found = _candidates(case, today)
    if not found:
        return []
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    planned = set(
        case.appointments.planned()
        .filter(kind=AppointmentKind.IMMIGRATION_OFFICE, starts_at__gte=start)
        .values_list("persons", flat=True)
    )
    # An open task counts as handled when it is about the person's document (its title is
    # encrypted, so compare in Python; a case has few open tasks).
    open_titles = [t.title for t in case.tasks.open().only("title")]
    return [s for s in found if s.client.pk not in planned and s.task_title not in open_titles]


def suggestion_for_status(case: Case, status_code) -> Suggestion | None:
    today = timezone.localdate()
    for suggestion in _candidates(case, today):
        if str(suggestion.status.code) == str(status_code):
            return suggestion
    return None
