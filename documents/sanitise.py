"""Uploaded files made safe to keep and to show: the type decided by the content, images
re-encoded without their metadata, PDFs rewritten without active content.

Only what this module returns is ever stored (services take a Sanitised, nothing else).
Allowed: PDF, JPEG, PNG, WebP, HEIC/HEIF (stored as JPEG). Everything else is refused with a
reason the user can act on; the reason never repeats the file's name or content.

Images: decoded with Pillow after a size check on the headers, of each image and of all of an
upload's together (a decompression bomb, or many large images, are refused before any pixel
is decoded: the work one upload may cause is bounded), turned upright (EXIF orientation),
converted to sRGB, and encoded anew — EXIF (GPS position, camera, time), XMP, comments and
text chunks are not carried over, nor anything appended after the image (polyglots). Several
photos of pages become one PDF.

PDFs: opened with pikepdf (qpdf), then JavaScript, automatic actions (/OpenAction, /AA),
embedded files, forms (flattened first, so filled-in values stay visible), launch and other
actions that leave the document, and the document's metadata (author, XMP) are removed, and
the file is written anew (only objects still reachable are written).
"""

import contextlib
import io
import warnings
from dataclasses import dataclass

import pikepdf
import pillow_heif
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps

pillow_heif.register_heif_opener()

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
HEIF = "image/heif"  # accepted, stored as JPEG

EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", WEBP: "webp"}

# Pixels are counted from the headers and refused before anything is decoded: a bomb
# allocates gigabytes, and a plain white 7,900 x 7,900 PNG is 60 KB but kept a worker busy for
# 13.8 s (decoding, scaling and encoding a large PNG takes ~0.2 s a megapixel on our servers).
#
# One file: the largest photos phones take are 48 MP (iPhone "HEIF Max", 8064 x 6048) and
# 50 MP (Samsung, Pixel: 8160 x 6120) in their full-resolution modes; the normal mode gives
# 12-24 MP, an A4 page scanned at 600 dpi is 35 MP. What is kept is at most MAX_EDGE on the
# long edge (12-17 MP), so more pixels than a phone takes would only cost time.
MAX_PIXELS = 50_000_000
# One upload, all files together: the pixels the decoders will produce (a JPEG counts at the
# reduced size its decoder is asked for, _header). 150 MP of the slowest kind (three large
# PNGs) take ~30 s, half the worker timeout (gunicorn, 60 s). Ordinary photos reach the upload
# limit first: 20 MB are 7-10 phone photos of 12 MP, 85-120 MP.
MAX_UPLOAD_PIXELS = 150_000_000
# A letter stays readable at this long edge (A4 at ~350 dpi); bigger photos are scaled down,
# which also keeps the stored size and the time to show it small.
MAX_EDGE = 4096
JPEG_QUALITY = 85
MAX_FILES = 30  # photos of pages in one upload
MAX_PDF_PAGES = 1000

# HEIF brands (ISO/IEC 23008-12) that pillow-heif decodes; AVIF is not among the allowed.
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}

# Actions that stay inside the document; every other action (JavaScript, Launch, URI,
# SubmitForm, ImportData, GoToR, GoToE, Rendition, Sound, Movie, ...) is removed.
SAFE_ACTIONS = {"/GoTo"}
# Annotations that carry files or media, and form fields (what they show was flattened into
# the page before): removed with their content.
REMOVED_ANNOTATIONS = {
    "/FileAttachment",
    "/Sound",
    "/Movie",
    "/Screen",
    "/RichMedia",
    "/3D",
    "/Widget",
}


@dataclass(frozen=True)
class Sanitised:
    """A file fit to store: produced only by sanitise()."""

    data: bytes
    content_type: str
    pages: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


# --- what the content is ---------------------------------------------------------------------


def sniff(data: bytes) -> str | None:
    """The allowed type of `data` by its first bytes (never by name or by what the browser
    claims), or None. The signature must stand at offset 0: readers that search for it
    further in are what polyglot files exploit."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return HEIF
    return None


def _refused_reason(data: bytes) -> ValidationError:
    """Why a file of an unknown type is refused, naming the kind where it is a known one."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower():
        return _refuse(
            _("SVG drawings are not accepted (they can contain scripts). Upload a PDF or photo."),
            "svg",
        )
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<")):
        return _refuse(
            _("Web pages (HTML) are not accepted. Save the page as PDF and upload that."),
            "html",
        )
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
        return _refuse(
            _(
                "Office files (Word, Excel) are not accepted: they can contain macros. "
                "Save the document as PDF and upload that."
            ),
            "office",
        )
    return _refuse(
        _("This file type is not accepted. Upload a PDF or a photo (JPEG, PNG, WebP, HEIC)."),
        "type",
    )


# --- images -----------------------------------------------------------------------------------


# Pillow's decoder for each allowed type: nothing else is tried on the bytes.
PILLOW_FORMATS = {JPEG: ["JPEG"], PNG: ["PNG"], WEBP: ["WEBP"], HEIF: ["HEIF"]}


def _unreadable() -> ValidationError:
    return _refuse(
        _("The image could not be read; it may be damaged. Take the photo again."), "damaged"
    )


def _bomb() -> ValidationError:
    return _refuse(
        _("The image is too large (more than %(n)s megapixels).") % {"n": MAX_PIXELS // 1_000_000},
        "bomb",
    )


# Pillow's decoders report damaged or truncated data with any of these.
PILLOW_ERRORS = (OSError, ValueError, SyntaxError, EOFError, MemoryError, RuntimeError)


def _header(data: bytes, kind: str) -> Image.Image:
    """The image opened from its header only (Pillow reads the pixels on load()), its size
    checked, and for a large JPEG the reduced size to decode it at set: nothing decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=PILLOW_FORMATS[kind])
            width, height = image.size
            if width <= 0 or height <= 0:
                raise _unreadable()
            if width * height > MAX_PIXELS:
                raise _bomb()
            if getattr(image, "n_frames", 1) > 1:
                image.seek(0)  # an animation: its first frame is the page
            if image.format == "JPEG" and max(image.size) > MAX_EDGE:
                # Let the JPEG decoder scale down by 1/2, 1/4 or 1/8 while decoding: a 50 MP
                # photo is read in a fraction of the time and memory (image.size is then the
                # reduced size).
                image.draft("RGB", (MAX_EDGE, MAX_EDGE))
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb() from None
    except PILLOW_ERRORS:
        raise _unreadable() from None
    return image


def _decode(image: Image.Image) -> Image.Image:
    """The pixels of an image _header opened."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb() from None
    except PILLOW_ERRORS:
        raise _unreadable() from None
    return image


def _headers(items: list[tuple[bytes, str]]) -> list[Image.Image]:
    """Every image opened from its header, refused if one is too large or all together
    are: before any of them is decoded, so that a refused upload costs no decoding."""
    images = [_header(data, kind) for data, kind in items]
    if sum(image.size[0] * image.size[1] for image in images) > MAX_UPLOAD_PIXELS:
        raise _refuse(
            _(
                "The photos are too large together (more than %(n)s megapixels). Take them "
                "at the camera's normal resolution, or scan the pages into one PDF."
            )
            % {"n": MAX_UPLOAD_PIXELS // 1_000_000},
            "pixels",
        )
    return images


_SRGB = ImageCms.createProfile("sRGB")


def _to_srgb(image: Image.Image) -> Image.Image:
    """Apply an embedded colour profile (an iPhone's Display P3) and drop it: the profile is
    not carried over, so its colours are turned into sRGB first."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unusable profile: the pixels as they are
    return converted if converted is not None else image


def _upright(image: Image.Image) -> Image.Image:
    """Orientation applied, colours in sRGB, scaled to MAX_EDGE, in a mode the encoders
    take. The result is a new image without the source's metadata."""
    # An unreadable EXIF block: the image as it is (the block is dropped anyway).
    with contextlib.suppress(OSError, ValueError, SyntaxError):
        image = ImageOps.exif_transpose(image)
    if image.mode in ("P", "PA"):
        image = image.convert("RGBA" if image.info.get("transparency") is not None else "RGB")
    elif image.mode == "LA":
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGB")  # CMYK, YCbCr, 16-bit, ...
    image = _to_srgb(image)
    if max(image.size) > MAX_EDGE:
        image.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
    # A fresh image: no info dict (EXIF, XMP, comments, text chunks, ICC) comes along.
    fresh = Image.new(image.mode, image.size)
    fresh.paste(image)
    return fresh


def _flatten(image: Image.Image) -> Image.Image:
    """JPEG and PDF pages have no transparency: onto white paper."""
    if image.mode == "RGBA":
        paper = Image.new("RGB", image.size, "white")
        paper.paste(image, mask=image.getchannel("A"))
        return paper
    return image


def _encode_image(image: Image.Image, content_type: str) -> bytes:
    out = io.BytesIO()
    if content_type == PNG:
        image.save(out, "PNG", optimize=False)
    elif content_type == WEBP:
        image.save(out, "WEBP", quality=JPEG_QUALITY, exif=b"", xmp=b"")
    else:
        _flatten(image).save(out, "JPEG", quality=JPEG_QUALITY, exif=b"", optimize=False)
    return out.getvalue()


def _sanitise_images(items: list[tuple[bytes, str]]) -> Sanitised:
    images = [_upright(_decode(image)) for image in _headers(items)]
    if len(images) == 1:
        kind = items[0][1]
        content_type = JPEG if kind == HEIF else kind
        return Sanitised(_encode_image(images[0], content_type), content_type, 1)
    # Several photos of pages: one PDF, a page each, about A4 (the long edge 11.7 inches).
    pages = [_flatten(image) for image in images]
    resolution = max(max(image.size) for image in pages) / 11.7
    out = io.BytesIO()
    pages[0].save(
        out,
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=resolution,
        quality=JPEG_QUALITY,
    )
    # Written anew by pikepdf too: the same, metadata-free shape as every uploaded PDF.
    return _sanitise_pdf(out.getvalue())


# --- PDFs -------------------------------------------------------------------------------------


def _is_dictionary(obj) -> bool:
    return isinstance(obj, pikepdf.Dictionary | pikepdf.Stream)


def _clean_dictionary(obj) -> None:
    """Remove automatic and outward actions and JavaScript from one dictionary."""
    # /AF and /EF: files associated with or embedded in the document (PDF 2.0, file specs).
    for key in ("/AA", "/JS", "/OpenAction", "/URI", "/AF", "/EF"):
        if key in obj:
            del obj[key]
    action = obj.get("/A")
    if action is not None:
        kind = action.get("/S") if _is_dictionary(action) else None
        if kind is None or str(kind) not in SAFE_ACTIONS:
            del obj["/A"]
    kind = obj.get("/S")
    if (
        kind is not None
        and obj.get("/Type") == pikepdf.Name.Action
        and str(kind) not in SAFE_ACTIONS
    ):
        # An action reached some other way: made inert (no target, no file, no script).
        for key in ("/F", "/Win", "/Mac", "/Unix", "/Fields"):
            if key in obj:
                del obj[key]
        obj["/S"] = pikepdf.Name.GoTo
        obj["/D"] = pikepdf.Array([])
    if "/Next" in obj:  # chained actions: whatever follows is not needed
        del obj["/Next"]


def _walk(pdf: pikepdf.Pdf) -> None:
    """Every dictionary reachable from the document, once (iteratively: a deeply nested
    hostile file must not exhaust the stack)."""
    seen: set[tuple[int, int]] = set()
    stack = [pdf.trailer]
    while stack:
        obj = stack.pop()
        if not isinstance(obj, pikepdf.Object):
            continue  # numbers, booleans: pikepdf hands them out as Python values
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if _is_dictionary(obj):
            if obj.get("/Type") == pikepdf.Name.EmbeddedFile:
                continue
            _clean_dictionary(obj)
            stack.extend(obj[key] for key in list(obj.keys()) if key not in ("/Parent", "/P"))
        elif isinstance(obj, pikepdf.Array):
            stack.extend(obj)


def _sanitise_pdf(data: bytes) -> Sanitised:
    unreadable = _refuse(
        _("The PDF could not be read; it may be damaged. Scan or photograph the paper instead."),
        "damaged",
    )
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            pages = len(pdf.pages)
            if pages == 0:
                raise unreadable
            if pages > MAX_PDF_PAGES:
                raise _refuse(
                    _("The PDF has more than %(n)s pages.") % {"n": MAX_PDF_PAGES}, "pages"
                )
            root = pdf.Root
            if "/AcroForm" in root:
                # Filled-in form fields become page content, then the form goes.
                with contextlib.suppress(pikepdf.PdfError):
                    pdf.generate_appearance_streams()
                pdf.flatten_annotations(mode="all")
                if "/AcroForm" in root:  # qpdf removes it when it flattened every field
                    del root["/AcroForm"]
            for key in ("/OpenAction", "/AA", "/Metadata", "/Collection", "/Threads", "/URI"):
                if key in root:
                    del root[key]
            names = root.get("/Names")
            if names is not None:
                for key in ("/JavaScript", "/EmbeddedFiles", "/AlternatePresentations"):
                    if key in names:
                        del names[key]
            for page in pdf.pages:
                annotations = page.obj.get("/Annots")
                if annotations is not None:
                    kept = [
                        a
                        for a in annotations
                        if _is_dictionary(a) and str(a.get("/Subtype")) not in REMOVED_ANNOTATIONS
                    ]
                    page.obj["/Annots"] = pikepdf.Array(kept)
            _walk(pdf)
            # The document information (author, creator program, title) goes like EXIF.
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            out = io.BytesIO()
            pdf.save(
                out,
                compress_streams=True,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
                deterministic_id=True,
            )
    except ValidationError:
        raise
    except pikepdf.PasswordError:
        raise _refuse(
            _(
                "The PDF is protected by a password. Remove the protection, or scan or "
                "photograph the paper instead."
            ),
            "password",
        ) from None
    except (pikepdf.PdfError, pikepdf.ForeignObjectError, ValueError, KeyError, TypeError):
        raise unreadable from None
    return Sanitised(out.getvalue(), PDF, pages)


# --- the entry point --------------------------------------------------------------------------


def sanitise(files: list[bytes], *, max_bytes: int) -> Sanitised:
    """One document from one PDF, or from one or more photos; ValidationError with the
    reason otherwise. Nothing is stored here."""
    if not files:
        raise _refuse(_("Choose a file to upload."), "none")
    if len(files) > MAX_FILES:
        raise _refuse(_("At most %(n)s photos make one document.") % {"n": MAX_FILES}, "too_many")
    if sum(len(data) for data in files) > max_bytes:
        raise too_large(max_bytes)
    items = []
    for data in files:
        if not data:
            raise _refuse(_("The file is empty (0 bytes)."), "empty")
        kind = sniff(data)
        if kind is None:
            raise _refused_reason(data)
        items.append((data, kind))
    if any(kind == PDF for _data, kind in items):
        if len(items) > 1:
            raise _refuse(
                _("Upload a PDF on its own; only photos of pages are combined into one PDF."),
                "mixed",
            )
        result = _sanitise_pdf(items[0][0])
    else:
        result = _sanitise_images(items)
    if len(result.data) > max_bytes:
        raise too_large(max_bytes)
    return result


def too_large(max_bytes: int) -> ValidationError:
    return _refuse(
        _("The upload is larger than %(mb)s MB. Upload fewer pages, or a smaller scan.")
        % {"mb": max_bytes // (1024 * 1024)},
        "too_large",
    )
