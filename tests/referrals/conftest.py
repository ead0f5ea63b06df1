import datetime
import io

import pytest
from pypdf import PdfReader

from tests.helpers import consent, refer  # noqa: F401  (used by the referral tests)


@pytest.fixture(autouse=True)
def _no_kept_text_blocks():
    """Each test lays out its printouts' text blocks afresh (referrals.pdfrender.Blocks keeps
    them per process): what a test sees does not depend on the tests before it."""
    from referrals import pdfrender

    pdfrender.forget_blocks()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def subset_names(data: bytes) -> list[str]:
    """The name of every font subset embedded in the PDF (one per font descriptor)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [
            str(obj.FontName)
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"
        ]


def pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


DAY = datetime.timedelta(days=1)
