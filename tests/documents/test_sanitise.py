"""documents.sanitise on its own: the type by content, images re-encoded, PDFs rewritten,
hostile files refused with a reason."""

import io

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from documents.sanitise import JPEG, MAX_EDGE, PDF, PNG, WEBP, sanitise, sniff
from tests.documents.conftest import (
    ATTACHMENT_MARKER,
    DOCX,
    EXIF_MARKER,
    HTML,
    SCRIPT_MARKER,
    SVG,
    jpeg_with_gps,
    pdf_with_javascript_and_attachment,
    photo,
    plain_pdf,
    png_bomb,
    png_html_polyglot,
)

MB = 1024 * 1024


def run(*files: bytes, max_bytes: int = 20 * MB):
    return sanitise(list(files), max_bytes=max_bytes)


def refused(*files: bytes, max_bytes: int = 20 * MB) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        run(*files, max_bytes=max_bytes)
    return error.value


def test_it_decides_the_type_by_content_not_by_name():
    assert sniff(photo()) == JPEG
    assert sniff(photo(fmt="PNG")) == PNG
    assert sniff(photo(fmt="WEBP")) == WEBP
    assert sniff(plain_pdf()) == PDF
    # A signature further in is not one (what polyglots rely on).
    assert sniff(b"  %PDF-1.7") is None
    assert sniff(b"<html>" + photo()) is None


def test_it_removes_gps_and_camera_from_a_phone_photo_and_turns_it_upright():
    original = jpeg_with_gps(orientation=6)  # "rotate 90° clockwise to view"
    assert EXIF_MARKER.encode() in original
    result = run(original)
    assert result.content_type == JPEG
    assert EXIF_MARKER.encode() not in result.data
    image = Image.open(io.BytesIO(result.data))
    assert not image.getexif()  # no EXIF at all: no GPS, no camera, no orientation left
    assert "exif" not in image.info and "xmp" not in image.info
    assert image.size == (480, 640)  # orientation applied to the pixels
    # The dark block (top left of the sensor) is now top right, as the phone showed it.
    assert image.getpixel((470, 10))[0] < 30 and image.getpixel((10, 10))[2] > 150


def test_a_png_html_polyglot_keeps_only_its_pixels():
    original = png_html_polyglot()
    assert SCRIPT_MARKER.encode() in original
    result = run(original)
    assert result.content_type == PNG
    assert SCRIPT_MARKER.encode() not in result.data
    assert b"<script" not in result.data.lower() and b"<html" not in result.data.lower()
    assert result.data.endswith(b"IEND\xaeB`\x82")  # nothing appended


def test_a_decompression_bomb_is_refused_before_decoding():
    bomb = png_bomb()
    assert len(bomb) < 2 * MB
    error = refused(bomb)
    assert error.code == "bomb"
    assert "megapixels" in error.messages[0]


def test_a_pdf_loses_its_javascript_actions_attachment_and_metadata():
    original = pdf_with_javascript_and_attachment()
    result = run(original)
    assert result.content_type == PDF and result.pages == 2
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        assert len(pdf.attachments) == 0
        assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
        assert "/JavaScript" not in pdf.Root.get("/Names", {})
        assert "/AA" not in pdf.pages[0].obj
        for annotation in pdf.pages[0].obj.get("/Annots", []):
            assert "/A" not in annotation  # the Launch action is gone
        assert "/Author" not in pdf.docinfo
        every_object = " ".join(repr(obj) for obj in pdf.objects)
        for word in ("JavaScript", "Launch", "EmbeddedFile", SCRIPT_MARKER):
            assert word not in every_object, word
        everything = b"".join(
            obj.read_bytes() for obj in pdf.objects if isinstance(obj, pikepdf.Stream)
        )
        assert ATTACHMENT_MARKER.encode() not in everything


def test_a_form_is_flattened_and_removed():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    field = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Widget,
            FT=pikepdf.Name.Tx,
            T=pikepdf.String("name"),
            V=pikepdf.String("Karimi"),
            Rect=[10, 10, 200, 40],
            A=pikepdf.Dictionary(S=pikepdf.Name.SubmitForm, F=pikepdf.String("http://evil")),
        )
    )
    pdf.pages[0].obj.Annots = pikepdf.Array([field])
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))
    out = io.BytesIO()
    pdf.save(out)
    result = run(out.getvalue())
    with pikepdf.open(io.BytesIO(result.data)) as cleaned:
        assert "/AcroForm" not in cleaned.Root
        assert "SubmitForm" not in " ".join(repr(o) for o in cleaned.objects)


@pytest.mark.parametrize(
    ("data", "code"),
    [(SVG, "svg"), (HTML, "html"), (DOCX, "office"), (b"\x00\x01binary", "type"), (b"", "empty")],
)
def test_other_types_are_refused_with_a_reason(data, code):
    error = refused(data)
    assert error.code == code


def test_a_damaged_image_or_pdf_is_refused():
    assert refused(photo()[:200]).code == "damaged"
    assert refused(b"%PDF-1.7\n garbage").code == "damaged"


def test_a_password_protected_pdf_is_refused():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="geheim", owner="geheim"))
    assert refused(out.getvalue()).code == "password"


def test_the_size_limit_counts_all_files_together():
    big = photo(size=(1200, 1200), fmt="PNG")
    assert refused(big, big, max_bytes=len(big) + 10).code == "too_large"


def test_several_photos_become_one_pdf_of_as_many_pages():
    result = run(photo(), photo(fmt="PNG"), jpeg_with_gps())
    assert result.content_type == PDF and result.pages == 3
    assert EXIF_MARKER.encode() not in result.data
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        assert len(pdf.pages) == 3
        width, height = float(pdf.pages[0].mediabox[2]), float(pdf.pages[0].mediabox[3])
        assert 500 < max(width, height) < 900  # about A4, not a poster


def test_a_pdf_and_photos_are_not_mixed():
    assert refused(plain_pdf(), photo()).code == "mixed"


def test_a_huge_photo_is_scaled_down():
    result = run(photo(size=(6000, 4500)))
    assert max(Image.open(io.BytesIO(result.data)).size) == MAX_EDGE


def test_heic_from_an_iphone_is_stored_as_jpeg():
    import pillow_heif  # noqa: F401  (registers the HEIF encoder with Pillow)

    image = Image.new("RGB", (64, 48), "red")
    out = io.BytesIO()
    image.save(out, "HEIF")
    result = run(out.getvalue())
    assert result.content_type == JPEG
    assert Image.open(io.BytesIO(result.data)).size == (64, 48)


def test_webp_stays_webp_without_metadata():
    exif = Image.Exif()
    exif[0x010F] = EXIF_MARKER
    result = run(photo(fmt="WEBP", exif=exif.tobytes()))
    assert result.content_type == WEBP and EXIF_MARKER.encode() not in result.data
