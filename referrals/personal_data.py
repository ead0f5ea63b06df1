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
)
# The printout translations and the organisations' letter texts (placeholders, no person).
register_not_person_data("referrals.PrintText", "referrals.LetterText")
