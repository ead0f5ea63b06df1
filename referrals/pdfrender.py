"""Rendering the referrals app's PDFs through the asset-only fetcher (caseworks.web.pdf) with the
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

import functools
import hashlib
import io
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass

import pikepdf
from django.utils.html import format_html
from django.utils.safestring import SafeString
from weasyprint import CSS, HTML
from weasyprint.html import UA as WEASYPRINT_UA
from weasyprint.html import UA_COUNTER_STYLE
from weasyprint.text.fonts import FontConfiguration

from caseworks.web.pdf import BASE_URL, AssetsOnlyFetcher, font_assets, static_asset

# Every font a stylesheet of this app may load (vendored under static/fonts with its licence).
SCRIPT_FONTS = (
    "fonts/NotoNaskhArabic-Regular.ttf",
    "fonts/NotoNaskhArabic-Bold.ttf",
    "fonts/NotoSansEthiopic-Regular.ttf",
    "fonts/NotoSansEthiopic-Bold.ttf",
)

_local = threading.local()

# Where an e-mail address may break when it is wider than its column: after the "@" and before
# a dot, as typesetters break them, never inside a word ("…exampl / e"). A zero-width space
# is a break opportunity the text layout takes before breaking a word anywhere; it draws
# nothing and is no character of the extracted text.
ZERO_WIDTH_SPACE = "\u200b"
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


def _email_breaks(match: re.Match[str]) -> str:
    local, domain = match[0].split("@", 1)
    dots = f"{ZERO_WIDTH_SPACE}."
    return f"{local.replace('.', dots)}@{ZERO_WIDTH_SPACE}{domain.replace('.', dots)}"


def breakable_emails(text: str) -> str:
    """`text` with every e-mail address in it breakable after its "@" and before its dots."""
    return _EMAIL.sub(_email_breaks, text) if "@" in text else text


# WeasyPrint's user-agent stylesheet without what these documents never contain: form fields,
# footnotes and notes, and the ::marker rule (their lists have no markers). The pseudo-element
# rules match every element, so each element's style was computed up to seven times; without
# them a consent form renders ~10 % faster, page for page the same (tests/referrals/
# test_printouts.py compares the two). The counter styles are WeasyPrint's own, already loaded.
_UA_SECTION_LEFT_OUT = "/* Form fields */"
_UA_RULES_LEFT_OUT = (
    "::marker",
    "::footnote-",
    "::note-",
    "@counter-style",
)


@functools.cache
def light_user_agent_stylesheet() -> CSS:
    kept, skipping = [], False
    for line in WEASYPRINT_UA.splitlines():
        if line.startswith("/* "):
            skipping = line.startswith(_UA_SECTION_LEFT_OUT)
        if skipping or line.startswith(_UA_RULES_LEFT_OUT):
            continue
        kept.append(line)
    return CSS(string="\n".join(kept), counter_style=UA_COUNTER_STYLE)


class _HTML(HTML):
    def _ua_stylesheets(self, forms=False):
        return [light_user_agent_stylesheet()]


def shared_font_config() -> FontConfiguration:
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


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
    return _HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        font_config=shared_font_config(),
        stylesheets=[stylesheet(name) for name in stylesheets],
    )


# --- stationery ------------------------------------------------------------------------------
# What every document of an organisation shows the same (letterhead, sender line, footer) is
# rendered once as a two-page PDF and laid under each document's pages. The PDFs of the last
# organisations and teams printed for are kept by their HTML (and the logo it names): they
# hold no person's data, only what the letterhead and footer show.
_STATIONERY: OrderedDict[str, bytes] = OrderedDict()
_STATIONERY_KEPT = 32
_stationery_lock = threading.Lock()


def stationery_pdf(html: str, fetcher: AssetsOnlyFetcher, stylesheets: Sequence[str]) -> bytes:
    """The organisation's stationery for a kind of document (its letterhead and footer),
    rendered once and kept: it names no person."""
    logos = sorted(
        (url, hashlib.sha256(body).hexdigest())
        for url, (body, _mime) in fetcher.assets.items()
        if url in html and "/logo/" in url
    )
    key = hashlib.sha256(repr((html, logos, tuple(stylesheets))).encode()).hexdigest()
    with _stationery_lock:
        if key in _STATIONERY:
            _STATIONERY.move_to_end(key)
            return _STATIONERY[key]
    pdf = render_document(html, fetcher, stylesheets).write_pdf()
    with _stationery_lock:
        _STATIONERY[key] = pdf
        while len(_STATIONERY) > _STATIONERY_KEPT:
            _STATIONERY.popitem(last=False)
    return pdf


def lay_on_stationery(
    pdf: bytes, documents: list[tuple[int, bytes]], blocks: Sequence["PlacedBlock"] = ()
) -> tuple[bytes, list[bytes]]:
    """Lay each document's pages on its stationery (page 1 on the stationery's first page,
    the others on its second) and cut the documents apart: (the whole, each one's own PDF).
    `documents` is (page count, stationery PDF) per document, in the order of `pdf`'s pages.
    The stationery is one shared form in the PDF, however many pages lie on it. `blocks`
    are the text blocks to lay into the room kept for them (Blocks.placed_in)."""
    with ExitStack() as stack:
        batch = stack.enter_context(pikepdf.open(io.BytesIO(pdf)))
        for placed in blocks:
            _lay_block(stack, batch, placed)
        forms: dict[bytes, list[pikepdf.Object]] = {}
        at = 0
        for count, stationery in documents:
            if stationery not in forms:
                paper = stack.enter_context(pikepdf.open(io.BytesIO(stationery)))
                forms[stationery] = [
                    _own_font_names(batch.copy_foreign(page.as_form_xobject()), stationery)
                    for page in paper.pages[:2]
                ]
            first, follow = forms[stationery]
            for n in range(count):
                # The whole sheet: stationery and page are both A4 (rect None).
                batch.pages[at + n].add_underlay(first if n == 0 else follow, None)
            at += count
        whole = _save(batch)
        if len(documents) == 1:
            return whole, [whole]
        parts, at = [], 0
        for count, _stationery in documents:
            part = stack.enter_context(pikepdf.new())
            part.pages.extend(batch.pages[at : at + count])
            parts.append(_save(part))
            at += count
        return whole, parts


def _own_font_names(form: pikepdf.Object, source: bytes) -> pikepdf.Object:
    """WeasyPrint names a font's subset after the font (e.g. TLGUUZ+Print), not after the
    glyphs in it: a document and the stationery and blocks laid on it would hold different
    subsets of one name, which a printer or viewer keeping fonts by name may mix up. What is
    laid on gets a subset tag of its own, from its PDF's hash."""
    digest = hashlib.sha256(source).digest()
    tag = "".join(chr(ord("A") + byte % 26) for byte in digest[:6])

    def renamed(name: pikepdf.Object) -> pikepdf.Name:
        return pikepdf.Name(f"/{tag}+{str(name)[1:].split('+', 1)[-1]}")

    def walk(resources: pikepdf.Object) -> None:
        for font in resources.get("/Font", {}).values():
            if "/BaseFont" in font:
                font.BaseFont = renamed(font.BaseFont)
            for descendant in font.get("/DescendantFonts", []):
                descendant.BaseFont = renamed(descendant.BaseFont)
                if "/FontDescriptor" in descendant:
                    descendant.FontDescriptor.FontName = renamed(descendant.FontDescriptor.FontName)
        for inner in resources.get("/XObject", {}).values():
            if inner.get("/Subtype") == pikepdf.Name.Form and "/Resources" in inner:
                walk(inner.Resources)

    if "/Resources" in form:
        walk(form.Resources)
    return form


def _save(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out, compress_streams=True)
    return out.getvalue()


# --- text blocks -----------------------------------------------------------------------------
# What a printout says the same to everyone its organisation prints it for in a language (its
# title and notice, the consent's paragraphs, the signature lines) is laid out once, like the
# stationery: a template marks it {% printblock %} (referrals/templatetags/printblocks.py),
# the block is rendered alone on a sheet with the printout's side margins and kept, the
# document keeps an empty box of the block's height in its place, and the block's part of
# its sheet is laid there. A block is a flow root that never splits, so it has the same
# height and the same lines in either place (tests/referrals/test_printouts.py compares every
# character's position with the printout laid out whole). A block names no person: the tag
# renders it with the texts and the organisation alone (printblocks.SHOWN), and a test looks
# for the person's data in the kept blocks.

PX = 0.75  # a CSS px in PDF points
BLOCK_TALLEST_MM = 180.0  # taller ones are laid out in the document, where they may split
# Shown above and below a block's box: Arabic-script glyphs (Naskh's ascent and descent are
# 1.7 em) and their marks reach beyond lines of 1.4 em.
_ABOVE_PT = _BELOW_PT = 4.0
_BLOCKS_BYTES = 32 * 2**20  # the blocks kept per process, at most (LRU)
KEEP_BLOCKS = True  # False lays every block out in its document (tests compare the two)
_BLOCK_SHEET = (
    '<!doctype html><html lang="de"><head><meta charset="utf-8"></head>'
    '<body class="block-sheet {}"><div class="block" id="block-start">{}</div>'
    '<div id="block-end"></div></body></html>'
)
_BLOCKS: OrderedDict[str, "Block | None"] = OrderedDict()
_blocks_lock = threading.Lock()


@dataclass(frozen=True)
class Block:
    pdf: bytes  # one sheet (page)
    x: float  # where the block lies on it, in CSS px from the top left
    y: float
    width: float  # its box, in CSS px
    height: float


@dataclass(frozen=True)
class PlacedBlock:
    page: int  # of the document it was placed in
    x: float  # the top left of the room kept for it, in CSS px from the page's top left
    y: float
    block: Block


def text_block(
    fragment: SafeString, fetcher: AssetsOnlyFetcher, stylesheets: Sequence[str], kind: str = ""
) -> Block | None:
    """The block `fragment` laid out alone, or None when it is too tall to be one. `kind` is
    the class of its document's body (the stylesheet's rules for that kind of printout)."""
    key = hashlib.sha256(repr((fragment, tuple(stylesheets), kind)).encode()).hexdigest()
    with _blocks_lock:
        if key in _BLOCKS:
            _BLOCKS.move_to_end(key)
            return _BLOCKS[key]
    sheet = format_html(_BLOCK_SHEET, kind, fragment)
    document = render_document(sheet, fetcher, stylesheets)
    anchors = document.pages[0].anchors if len(document.pages) == 1 else {}
    block = None
    if "block-start" in anchors and "block-end" in anchors:
        x, y, right, _bottom = anchors["block-start"]
        height = anchors["block-end"][1] - y
        if height * PX <= BLOCK_TALLEST_MM * 72 / 25.4:
            pdf = document.write_pdf()
            block = Block(pdf=pdf, x=x, y=y, width=right - x, height=height)
    with _blocks_lock:
        _BLOCKS[key] = block
        kept = sum(len(b.pdf) for b in _BLOCKS.values() if b is not None)
        while kept > _BLOCKS_BYTES and len(_BLOCKS) > 1:
            _key, old = _BLOCKS.popitem(last=False)
            kept -= len(old.pdf) if old is not None else 0
    return block


def forget_blocks() -> None:
    with _blocks_lock:
        _BLOCKS.clear()


class Blocks:
    """The text blocks of one document being rendered: `place` gives the HTML for a block
    (its room, or the block itself when it is not kept), `placed_in` where they came to lie.
    `keep=False` lays every block out in the document."""

    def __init__(
        self, fetcher: AssetsOnlyFetcher, stylesheets: Sequence[str], kind: str = "", keep=True
    ):
        self.fetcher, self.stylesheets, self.kind = fetcher, tuple(stylesheets), kind
        self.keep = keep and KEEP_BLOCKS
        self.kept: list[tuple[str, Block]] = []

    def place(self, fragment: SafeString) -> SafeString:
        block = (
            text_block(fragment, self.fetcher, self.stylesheets, self.kind) if self.keep else None
        )
        if block is None:
            return format_html('<div class="block">{}</div>', fragment)
        anchor = f"block-{len(self.kept) + 1}"
        self.kept.append((anchor, block))
        return format_html(
            '<div class="block" id="{}" style="height: {}px"></div>', anchor, f"{block.height:.4f}"
        )

    def placed_in(self, document) -> list[PlacedBlock] | None:
        """Where each block's room came to lie; None if one has none, or a room of another
        width than its block (then the document is to be laid out whole)."""
        where: dict[str, tuple[int, float, float, float]] = {}
        for number, page in enumerate(document.pages):
            for name, (x, y, right, _bottom) in page.anchors.items():
                where.setdefault(name, (number, x, y, right - x))
        placed = []
        for anchor, block in self.kept:
            if anchor not in where or abs(where[anchor][3] - block.width) > 0.01:
                return None
            page, x, y, _width = where[anchor]
            placed.append(PlacedBlock(page, x, y, block))
        return placed


def _lay_block(stack: ExitStack, pdf: pikepdf.Pdf, placed: PlacedBlock) -> None:
    block = placed.block
    sheet = stack.enter_context(pikepdf.open(io.BytesIO(block.pdf)))
    form = _own_font_names(pdf.copy_foreign(sheet.pages[0].as_form_xobject()), block.pdf)
    width, sheet_top = (float(v) for v in sheet.pages[0].mediabox[2:4])
    # The block's part of its sheet (PDF y upwards), the whole width (right-to-left lines
    # may reach a little into the right margin), and a little above and below.
    top = sheet_top - block.y * PX + _ABOVE_PT
    bottom = sheet_top - (block.y + block.height) * PX - _BELOW_PT
    form.BBox = [0, bottom, width, top]
    page = pdf.pages[placed.page]
    left = (placed.x - block.x) * PX
    room_top = float(page.mediabox[3]) - placed.y * PX + _ABOVE_PT
    # The rectangle is the form's own size: placed as it is, neither shrunk nor stretched.
    page.add_overlay(
        form, pikepdf.Rectangle(left, room_top - (top - bottom), left + width, room_top)
    )
