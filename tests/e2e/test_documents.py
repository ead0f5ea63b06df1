"""Documents in the browser at 360 px: a photo chosen with the file chooser is uploaded from
the case file and its preview opens (issue 17). Every step gets Journey.check (screenshot,
axe-core, CSP, no horizontal overflow)."""

import datetime

import pytest
from django.utils import timezone

from documents.models import Document
from tests.documents.conftest import jpeg_with_gps
from tests.helpers import open_case

TODAY = timezone.localdate()


@pytest.mark.parametrize("journey", [360], indirect=True, ids=["phone"])
def test_a_photo_uploaded_on_a_phone_and_its_preview(journey, house):
    leyla = house["users"]["leyla"]
    case = open_case(
        leyla,
        house["team"],
        first_name="Amal",
        last_name="Haddad",
        opened_on=TODAY - datetime.timedelta(days=30),
    )
    page = journey.page
    journey.sign_in("leyla")
    journey.go(f"/cases/{case.code}/")
    upload = f"/cases/{case.code}/documents/new/"
    page.locator(f'main a[href="{upload}"]').first.click()
    page.wait_for_url(f"**{upload}")
    journey.check("dokument-hochladen")

    page.set_input_files(
        "#id_file",
        files=[{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps(6)}],
    )
    page.select_option("#id_kind", "authority_letter")
    page.fill("#id_title", "Brief Ausländerbehörde")
    journey.submit()
    document = Document.objects.get()
    page.wait_for_url(f"**/cases/{case.code}/documents/{document.code}/")
    preview = page.locator(".document-preview img")
    preview.wait_for()
    # The image really loaded (not a broken image): upright, 480 x 640.
    size = preview.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert size == [480, 640]
    journey.check("dokument-vorschau")
