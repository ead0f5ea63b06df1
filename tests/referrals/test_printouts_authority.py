"""Issue 36, item 14: the Art. 13 sheet names the supervisory authority by the carrier's law,
from the one place the joint arrangement (/audit/arrangement.pdf) reads it from."""

import pytest
from django.utils.translation import override

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
