"""Rendering the referrals app's PDFs through the asset-only fetcher (caseworks.pdf) with the
fonts loaded once per process thread instead of once per document.

WeasyPrint keeps each @font-face it has loaded in its FontConfiguration, keyed by the rule:
a FontConfiguration shared by the documents of one thread loads DejaVu, Naskh and Ethiopic
once (most of the time of a short document), and every later document finds them there. The
fonts are the vendored static files only, so what one document loaded is what any other
would have loaded. One per thread: WeasyPrint's font configuration is not made for sharing
between threads.
"""

import threading

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from caseworks.pdf import BASE_URL, AssetsOnlyFetcher, font_assets

_local = threading.local()


def shared_font_config() -> FontConfiguration:
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def make_fetcher(assets: dict[str, tuple[bytes, str]]) -> AssetsOnlyFetcher:
    return AssetsOnlyFetcher({**font_assets(), **assets})


def render_document(html: str, fetcher: AssetsOnlyFetcher):
    """The laid-out document (pages), for writing alone or with others (a batch)."""
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        font_config=shared_font_config()
    )


def write_pdf(html: str, assets: dict[str, tuple[bytes, str]]) -> bytes:
    return render_document(html, make_fetcher(assets)).write_pdf()
