"""Files made in the test, friendly and hostile, and a helper to upload them."""

import io
import zlib

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from documents.models import DocumentKind
from documents.sanitise import Sanitised, sanitise

# Text that must not survive sanitising (EXIF, PNG text chunks, PDF metadata and scripts).
EXIF_MARKER = "EXIFMARKER-Kamera-Lindenblatt"
SCRIPT_MARKER = "SCRIPTMARKER-Brennnessel"
ATTACHMENT_MARKER = "ANHANGMARKER-Schafgarbe"


def photo(size=(640, 480), color=(40, 120, 200), fmt="JPEG", **save) -> bytes:
    image = Image.new("RGB", size, color)
    # Something on the page, so that orientation is testable: a dark block top left.
    image.paste((0, 0, 0), (0, 0, size[0] // 4, size[1] // 4))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def jpeg_with_gps(orientation: int = 1) -> bytes:
    """A phone photo: GPS position, camera make and model, orientation in EXIF."""
    exif = Image.Exif()
    exif[0x010F] = EXIF_MARKER  # Make
    exif[0x0110] = "Pixel 7 " + EXIF_MARKER  # Model
    exif[0x0112] = orientation
    gps = {1: "N", 2: (52.0, 31.0, 12.3), 3: "E", 4: (13.0, 24.0, 5.6)}
    exif[0x8825] = gps  # GPSInfo
    return photo(size=(640, 480), exif=exif.tobytes())


def png_html_polyglot() -> bytes:
    """A valid PNG that is also an HTML page: a script in a text chunk, and after IEND."""
    image = Image.new("RGB", (32, 32), "white")
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", f"<html><script>alert('{SCRIPT_MARKER}')</script></html>")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue() + f"<script>alert('{SCRIPT_MARKER}')</script>".encode()


def png_bomb(side: int = 20_000) -> bytes:
    """A PNG whose header claims side x side pixels (400 MP), in a few hundred kilobytes."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\x00" * (side + 1) * 64, 9)  # a few rows; the rest missing
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def pdf_with_javascript_and_attachment(pages: int = 2) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    script = pdf.make_indirect(
        pikepdf.Dictionary(
            S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"app.alert('{SCRIPT_MARKER}')")
        )
    )
    pdf.Root.OpenAction = script
    pdf.Root.AA = pikepdf.Dictionary(WC=script)
    pdf.pages[0].obj.AA = pikepdf.Dictionary(O=script)
    launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
    pdf.pages[0].obj.Annots = pdf.make_indirect(
        pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=[0, 0, 100, 100],
                    A=launch,
                ),
            ]
        )
    )
    attachment = pikepdf.AttachedFileSpec(pdf, ATTACHMENT_MARKER.encode() * 10, filename="x.exe")
    pdf.attachments["x.exe"] = attachment
    pdf.Root.Names.JavaScript = pikepdf.Dictionary(
        Names=pikepdf.Array([pikepdf.String("x"), script])
    )
    pdf.docinfo["/Author"] = EXIF_MARKER
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def plain_pdf(pages: int = 1, text: str = "") -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    if text:
        pdf.docinfo["/Title"] = text
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(1)</script></svg>"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
DOCX = b"PK\x03\x04" + b"\x00" * 100 + b"word/vbaProject.bin"


def upload_file(data: bytes, name: str = "scan.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def make_upload(data: bytes | list[bytes] | None = None) -> Sanitised:
    files = data if isinstance(data, list) else [data or photo()]
    return sanitise(files, max_bytes=20 * 1024 * 1024)


def upload_document(actor, case, *, kind=DocumentKind.OTHER, title="Bescheid", data=None, **kw):
    from documents.services import document_upload

    return document_upload(
        actor=actor, case=case, upload=make_upload(data), kind=kind, title=title, **kw
    )


@pytest.fixture
def alice_document(alice, alice_case):
    return upload_document(alice, alice_case, client=alice_case.clients.get())
