"""The joint arrangement of the house's carriers (Art. 26 DSGVO), printed from the set-up.

The house is a cooperation of carriers; each is the controller of its own clients' data under
its own law, with its own data protection officer and supervisory authority. They share a
building, a service directory, a volunteer network, events and a newsletter
(caseworks.audit.dataprotection.HOUSE_WIDE). This page prints who is responsible for what,
from the organisations as set up in /manage/: for the administrators and every carrier's DPO.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from caseworks.audit.dataprotection import HouseWide, house_wide
from caseworks.models import Organisation
from caseworks.web.pdf import render_pdf
from caseworks.web.users import display_name

# Who supervises a carrier, by its data protection law. The set-up names the law; the
# authority follows from it (the Land's authority for the DSGVO; the church's own for the
# church laws, Art. 91 DSGVO).
SUPERVISORY_AUTHORITY: dict[str, str | Promise] = {
    Organisation.ProtectionLaw.DSGVO: _(
        "the data protection authority of the Land (Landesbeauftragte/r für Datenschutz)"
    ),
    Organisation.ProtectionLaw.KDG: _(
        "the Catholic data protection supervisory authority of the diocese "
        "(Katholisches Datenschutzzentrum / Diözesandatenschutzbeauftragte/r)"
    ),
    Organisation.ProtectionLaw.DSG_EKD: _(
        "the data protection officer of the EKD (Der Beauftragte für den Datenschutz der EKD)"
    ),
}


def supervisory_authority(organisation: Organisation) -> str | Promise:
    """The authority the carrier's clients may complain to: the one set up for it, or
    (until it is) the kind its law names."""
    if organisation.supervisory_authority.strip():
        return organisation.supervisory_authority.strip()
    return SUPERVISORY_AUTHORITY.get(organisation.protection_law, "")


@dataclass(frozen=True)
class Carrier:
    organisation: Organisation
    law: str
    authority: str | Promise
    teams: list[str]
    open_cases: int
    dpo_names: list[str]


def carriers() -> list[Carrier]:
    # Ordered by hand: Meta.ordering does not apply to a query with GROUP BY (the count).
    organisations = (
        Organisation.objects.prefetch_related("teams", "data_protection_officers")
        .annotate(open_cases=Count("teams__cases", filter=Q(teams__cases__closed_on__isnull=True)))
        .order_by("name")
    )
    return [
        Carrier(
            organisation=organisation,
            law=organisation.get_protection_law_display(),
            authority=supervisory_authority(organisation),
            teams=[team.name for team in organisation.teams.all()],
            open_cases=organisation.open_cases,
            dpo_names=sorted(
                display_name(user) for user in organisation.data_protection_officers.all()
            ),
        )
        for organisation in organisations
    ]


def arrangement_context(*, today: datetime.date | None = None) -> dict:
    shared: tuple[HouseWide, ...] = house_wide()
    return {
        "carriers": carriers(),
        "shared": shared,
        "today": today or timezone.localdate(),
        "generated_at": timezone.localtime(),
    }


def arrangement_pdf(*, request=None) -> bytes:
    html = render_to_string(
        "caseworks/joint_arrangement_pdf.html", arrangement_context(), request=request
    )
    return render_pdf(html)
