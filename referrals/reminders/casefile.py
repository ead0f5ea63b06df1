"""The reminders in the case file: a panel (who opted in, how; the links to the opt-in and
the message log) and the opt-ins' history; the DPO's message log on their pages."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caseworks.extensions.audit import DpoLink, register_dpo_link
from caseworks.extensions.casefile import Panel, register_history, register_panel
from referrals.models import ReminderOptIn
from referrals.reminders import selectors

register_dpo_link(DpoLink("dpo_reminder_log", gettext_lazy("Reminders sent (message log)")))


@register_panel
def reminders_panel(case, *, user):
    return Panel(
        22,
        "referrals/reminders/panel.html",
        {"case": case, "opt_ins": list(selectors.opt_ins_for_case(case=case).active())},
    )


@register_history
def reminder_history(case):
    client_ids = list(case.clients.values_list("pk", flat=True))
    rows = list(
        ReminderOptIn.history.filter(client_id__in=client_ids).select_related("history_user")
    )
    return [(ReminderOptIn, rows, lambda row: _("Reminders by SMS or e-mail"))]
