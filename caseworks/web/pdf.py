"""PDF rendering with WeasyPrint that fetches nothing but the app's own assets.

Letters contain text typed by users. The URL fetcher answers only for the assets the caller
hands over (fonts from static/, the organisation's logo from the database) and refuses every
other URL — file://, http(s)://, data:, relative paths — so no user text can make the server
read a local file or reach the network.
"""

import functools
import io
import logging

from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from pypdf import PdfWriter
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger("caseworks.web.pdf")

# Prefix of the asset URLs the fetcher answers for. Relative URLs do not resolve against this
# scheme and are refused like every other URL.
BASE_URL = "caseworks-asset:/"
FONTS = {
    "fonts/DejaVuSans.ttf": "font/ttf",
    "fonts/DejaVuSans-Bold.ttf": "font/ttf",
}


class AssetsOnlyFetcher(URLFetcher):
    def __init__(self, assets: dict[str, tuple[bytes, str]]):
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.assets = assets
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        asset = self.assets.get(url)
        if asset is None:
            self.refused.append(url)
            # The URL may come from user text: log its scheme only.
            scheme = url.split(":", 1)[0][:12] if ":" in url else "relative"
            logger.warning("PDF rendering refused a URL (scheme %s)", scheme)
            raise ValueError("Only the application's own assets can be used in a PDF.")
        body, mime_type = asset
        return URLFetcherResponse(url, body, {"Content-Type": mime_type})


def static_asset(name: str, mime_type: str) -> tuple[bytes, str]:
    """A vendored static file (a font, a print stylesheet) as (bytes, MIME type)."""
    path = finders.find(name)
    if not isinstance(path, str):  # a vendored file missing from static/ is a broken install
        raise ImproperlyConfigured(f"PDF asset {name} not found in the static files")
    with open(path, "rb") as f:
        return f.read(), mime_type


def font_assets() -> dict[str, tuple[bytes, str]]:
    return {BASE_URL + name: static_asset(name, mime_type) for name, mime_type in FONTS.items()}


def render_pdf(
    html: str,
    *,
    assets: dict[str, tuple[bytes, str]] | None = None,
    fetcher: AssetsOnlyFetcher | None = None,
) -> bytes:
    """Render HTML to PDF bytes. `assets` maps asset URLs to (bytes, MIME type)."""
    fetcher = fetcher or AssetsOnlyFetcher({**font_assets(), **(assets or {})})
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()


def merge_pdfs(documents: list[bytes]) -> bytes:
    """One PDF of several (a print batch), each document's pages unchanged."""
    writer = PdfWriter()
    for document in documents:
        writer.append(io.BytesIO(document))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# Measuring text before layout: where a fixed field (the address window of a letter) must hold
# its text, the caller picks a font size that fits rather than letting lines fall out of it.
@functools.cache
def _advance_widths(name: str) -> tuple[dict[int, int], int]:
    path = finders.find(name)
    if not isinstance(path, str):
        raise ImproperlyConfigured(f"Letter font {name} not found in the static files")
    font = TTFont(path, lazy=True)
    metrics = font["hmtx"].metrics
    widths = {cp: metrics[glyph][0] for cp, glyph in font.getBestCmap().items()}
    return widths, font["head"].unitsPerEm


def text_width_mm(text: str, *, size_pt: float, font: str = "fonts/DejaVuSans.ttf") -> float:
    """The advance width of one line of text set in a vendored font, in millimetres."""
    widths, units_per_em = _advance_widths(font)
    fallback = widths.get(ord("M"), units_per_em)
    units = sum(widths.get(ord(ch), fallback) for ch in text)
    return units / units_per_em * size_pt * 25.4 / 72


def wrapped_line_count(
    lines: list[str], *, width_mm: float, size_pt: float, font: str = "fonts/DejaVuSans.ttf"
) -> int:
    """How many lines these take when wrapped at spaces into width_mm (a word wider than the
    field is broken, as `overflow-wrap: anywhere` does). Errs towards more lines."""
    count = 0
    space = text_width_mm(" ", size_pt=size_pt, font=font)
    for line in lines:
        used, rows = 0.0, 1
        for word in line.split():
            width = text_width_mm(word, size_pt=size_pt, font=font)
            if used and used + space + width > width_mm:
                rows, used = rows + 1, 0.0
            if width > width_mm:  # broken inside the word
                extra = int(width // width_mm)
                rows, width = rows + extra, width - extra * width_mm
            used += (space if used else 0.0) + width
        count += rows
    return count
