"""Issue 36, item 14: the Art. 13 sheet names the supervisory authority by the carrier's law,
from the one place the joint arrangement (/audit/arrangement.pdf) reads it from."""

import pytest
from django.utils.translation import override

from caseworks.audit import arrangement
from caseworks.audit.arrangement import SUPERVISORY_AUTHORITY
from referrals import printouts
from tests.referrals.conftest import pdf_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("law", "named"),
    [
        ("dsgvo", "Landesbeauftragte/r für den Datenschutz am Sitz des Trägers"),
        ("kdg", "Katholisches Datenschutzzentrum"),
        ("dsg_ekd", "Beauftragte für den Datenschutz der EKD"),
    ],
)
def test_the_sheet_names_the_authority_of_the_carriers_law(org_a, law, named):
    org_a.protection_law = law
    org_a.save()
    pdf, _texts = printouts.info_sheet_pdf(org_a, language="")
    text = " ".join(pdf_text(pdf).split())
    assert named in text
    with override("de"):
        assert " ".join(str(SUPERVISORY_AUTHORITY[law]).split()) in text
    assert "Ihres Bundeslandes" not in text  # the sheet's own wording is gone


def test_the_sheet_and_the_arrangement_name_the_authority_set_up_for_the_carrier(org_a, client):
    """The competent one depends on the carrier's seat (a Land, a diocese): set up in
    /manage/, it replaces the kind the law names, on the sheet and in the arrangement."""
    org_a.supervisory_authority = (
        "Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen, "
        "Kavalleriestraße 2–4, 40213 Düsseldorf"
    )
    org_a.save()
    pdf, _texts = printouts.info_sheet_pdf(org_a, language="")
    text = " ".join(pdf_text(pdf).split())
    assert "Informationsfreiheit Nordrhein-Westfalen" in text
    assert "am Sitz des Trägers" not in text
    carriers = {c.organisation.pk: c for c in arrangement.carriers()}
    assert "Nordrhein-Westfalen" in str(carriers[org_a.pk].authority)
