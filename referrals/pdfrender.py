"""Rendering the referrals app's PDFs through the asset-only fetcher (caseworks.pdf) with the
fonts and stylesheets loaded once per process thread instead of once per document.

WeasyPrint keeps each @font-face it has loaded in its FontConfiguration, keyed by the rule:
a FontConfiguration shared by the documents of one thread loads DejaVu, Naskh and Ethiopic
once (most of the time of a short document), and every later document finds them there. The
stylesheets are static files, parsed once into WeasyPrint CSS objects bound to that font
configuration (parsing and validating a stylesheet costs more than laying out a short page).
The fonts are the vendored static files only, so what one document loaded is what any other
would have loaded. One per thread: WeasyPrint's font configuration is not made for sharing
between threads.
"""

import threading
from collections.abc import Sequence

from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from caseworks.pdf import BASE_URL, AssetsOnlyFetcher, font_assets

# Every font a stylesheet of this app may load (vendored under static/fonts with its licence).
SCRIPT_FONTS = (
    "fonts/NotoNaskhArabic-Regular.ttf",
    "fonts/NotoNaskhArabic-Bold.ttf",
    "fonts/NotoSansEthiopic-Regular.ttf",
    "fonts/NotoSansEthiopic-Bold.ttf",
)

_local = threading.local()


def shared_font_config() -> FontConfiguration:
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def static_asset(name: str, mime_type: str) -> tuple[bytes, str]:
    path = finders.find(name)
    if not isinstance(path, str):  # a vendored file missing from static/ is a broken install
        raise ImproperlyConfigured(f"PDF asset {name} not found in the static files")
    with open(path, "rb") as f:
        return f.read(), mime_type


def stylesheet(name: str) -> CSS:
    """The static stylesheet `name` (e.g. "css/letter.css"), parsed once per thread. Its
    url()s resolve only to the vendored fonts."""
    config = shared_font_config()
    if getattr(_local, "sheets_for", None) is not config:
        # Bound to the configuration their fonts were loaded into.
        _local.sheets_for, _local.sheets = config, {}
    sheets: dict[str, CSS] = _local.sheets
    sheet = sheets.get(name)
    if sheet is None:
        css = static_asset(name, "text/css")[0].decode()
        fonts = {
            BASE_URL + font: static_asset(font, "font/ttf") for font in SCRIPT_FONTS if font in css
        }
        sheet = sheets[name] = CSS(
            string=css,
            base_url=BASE_URL,
            url_fetcher=AssetsOnlyFetcher({**font_assets(), **fonts}),
            font_config=config,
        )
    return sheet


def make_fetcher(assets: dict[str, tuple[bytes, str]]) -> AssetsOnlyFetcher:
    return AssetsOnlyFetcher({**font_assets(), **assets})


def render_document(html: str, fetcher: AssetsOnlyFetcher, stylesheets: Sequence[str] = ()):
    """The laid-out document (pages), for writing alone or with others (a batch)."""
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        font_config=shared_font_config(),
        stylesheets=[stylesheet(name) for name in stylesheets],
    )


def write_pdf(
    html: str, assets: dict[str, tuple[bytes, str]], stylesheets: Sequence[str] = ()
) -> bytes:
    return render_document(html, make_fetcher(assets), stylesheets).write_pdf()
