"""What the referrals app stores about a person (see caseworks.audit.dataprotection)."""

from django.utils.translation import gettext_lazy as _

from caseworks.extensions.personal_data import (
    Source,
    register_not_person_data,
    register_person_data,
)

register_person_data(
    # Letters PROTECT their referral: deleted first.
    Source(
        "referrals.Letter", "letters", _("Letters"), "referral__client", "referral__case", order=10
    ),
    Source("referrals.Referral", "referrals", _("Referrals"), "client", "case", order=20),
    Source("referrals.Consent", "consents", _("Consents"), "client", "client__case", order=40),
    Source(
        "referrals.InfoSheetHandout",
        "info_sheets",
        _("Information on data processing handed out"),
        "client",
        "client__case",
        order=45,
    ),
    # The message log (when, channel, state; the text encrypted) before the opt-ins it hangs on.
    Source("referrals.Reminder", "reminders", _("Reminders sent"), "client", "case", order=46),
    Source(
        "referrals.ReminderOptIn",
        "reminder_opt_ins",
        _("Reminders agreed to"),
        "client",
        "client__case",
        order=47,
    ),
)
# The printout translations and the organisations' letter texts (placeholders, no person).
register_not_person_data("referrals.PrintText", "referrals.LetterText")
