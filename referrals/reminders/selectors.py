"""Who sees which reminders: the case's persons' opt-ins and message log for those who see
the case (cases.selectors), the message log of their carriers for a data protection officer
(metadata only: when, channel, state, the case's reference — no text, no number)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from caseworks.access.dpo import dpo_organisation_ids
from referrals.models import Reminder, ReminderOptIn, ReminderOptInQuerySet

LOG_FIELDS = (
    "code",
    "channel",
    "language",
    "about",
    "for_day",
    "state",
    "delivery",
    "created_at",
    "sent_at",
    "case__reference",
)


def opt_ins_for_case(*, case) -> ReminderOptInQuerySet:
    return ReminderOptIn.objects.filter(client__case=case).select_related("client")


def opt_in_get_for_case(*, case, code) -> ReminderOptIn:
    return get_object_or_404(ReminderOptIn, client__case=case, code=code)


def reminders_for_case(*, case) -> QuerySet[Reminder]:
    return (
        Reminder.objects.filter(case=case)
        .select_related("client")
        .defer("text")
        .order_by("-created_at", "-id")
    )


def reminder_log_for_dpo(*, user) -> QuerySet[Reminder]:
    """Only the fields of the metadata log are loaded: the text never leaves the database."""
    return (
        Reminder.objects.filter(case__team__organisation_id__in=dpo_organisation_ids(user))
        .select_related("case")
        .only(*LOG_FIELDS)
        .order_by("-created_at", "-id")
    )
