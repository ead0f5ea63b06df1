import datetime
import io

from pypdf import PdfReader

from tests.conftest import consent, refer  # noqa: F401  (used by the referral tests)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


DAY = datetime.timedelta(days=1)
