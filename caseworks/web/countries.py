"""The nationality list's names (settings.COUNTRIES_OVERRIDE for django_countries): the two
answers ISO 3166 lacks, and the countries whose German name django_countries' own catalogue
gets wrong or leaves in English ("Kirivati", "Mozambique", "Granada", "Swasiland").

Our catalogue (locale/de) holds their German names; being this project's source, the entries
survive `makemessages`. tests/caseworks/test_countries.py reads every name in German.
"""

from django.utils.translation import gettext_lazy as _

NAMES = {
    # User-assigned codes (ISO 3166-1 leaves XA–XZ to users).
    "XS": _("stateless"),
    "XU": _("unclear nationality"),
    # Names django_countries translates wrongly or not at all.
    "CD": _("Democratic Republic of the Congo"),
    "CG": _("Republic of the Congo"),
    "FK": _("Falkland Islands"),
    "FM": _("Micronesia"),
    "FO": _("Faroe Islands"),
    "GD": _("Grenada"),
    "HK": _("Hong Kong"),
    "IM": _("Isle of Man"),
    "KI": _("Kiribati"),
    "MD": _("Moldova"),
    "MZ": _("Mozambique"),
    "PG": _("Papua New Guinea"),
    "SA": _("Saudi Arabia"),
    "SZ": _("Eswatini"),
}
