"""The work one upload may cause is bounded: images whose headers declare too many pixels,
one or all of them together, are refused before anything is decoded, with a reason; an
ordinary phone photo is not."""

import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import Image, ImageFile

from documents.models import Document
from documents.sanitise import MAX_FILES, MAX_PIXELS, MAX_UPLOAD_PIXELS, sanitise
from tests.documents.conftest import png_bomb, upload_file

MB = 1024 * 1024


@pytest.fixture
def decoded(monkeypatch) -> list[str]:
    """The formats of the images whose pixels were read (every Pillow decoder's load())."""
    calls: list[str] = []
    load = ImageFile.ImageFile.load

    def spy(image):
        calls.append(image.format)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return calls


def refused(files: list[bytes]) -> tuple[ValidationError, float]:
    started = time.monotonic()
    with pytest.raises(ValidationError) as error:
        sanitise(files, max_bytes=20 * MB)
    return error.value, time.monotonic() - started


def test_it_refuses_a_large_declared_image_before_decoding(decoded):
    # 7,900 x 7,900 (62 MP) in a few kilobytes: kept a worker busy for 13.8 s.
    bomb = png_bomb(7900)
    assert len(bomb) < 100 * 1024 and MAX_PIXELS < 7900 * 7900
    error, seconds = refused([bomb] * 4)
    assert error.code == "bomb"
    assert f"more than {MAX_PIXELS // 1_000_000} megapixels" in error.messages[0]
    assert decoded == [] and seconds < 2


def test_it_refuses_images_too_large_together_before_decoding_any(decoded):
    # Each within the cap for one file (36 MP), together over the upload's budget.
    side = 6000
    count = MAX_UPLOAD_PIXELS // (side * side) + 1
    assert side * side <= MAX_PIXELS and count <= MAX_FILES
    error, seconds = refused([png_bomb(side)] * count)
    assert error.code == "pixels"
    assert f"more than {MAX_UPLOAD_PIXELS // 1_000_000} megapixels" in error.messages[0]
    assert decoded == [] and seconds < 2


def test_the_reason_is_given_in_german():
    with translation.override("de"):
        error, _seconds = refused([png_bomb(6000)] * 5)
    assert error.messages[0].startswith("Die Fotos sind zusammen zu groß (mehr als 150 Megapixel)")


def phone_photo(size=(4032, 3024)) -> bytes:
    """A phone camera's normal mode: 12 MP."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def test_phone_photos_still_pass(decoded):
    photo = phone_photo()
    result = sanitise([photo] * 3, max_bytes=20 * MB)
    assert result.pages == 3 and result.content_type == "application/pdf"
    assert set(decoded) == {"JPEG"}


def test_the_upload_page_says_why_and_stores_nothing(client, alice, alice_case, decoded):
    client.force_login(alice)
    files = [upload_file(png_bomb(6000), f"seite-{i}.png", "image/png") for i in range(5)]
    started = time.monotonic()
    response = client.post(
        f"/cases/{alice_case.code}/documents/new/",
        {"kind": "other", "title": "Bescheid", "file": files},
    )
    assert time.monotonic() - started < 2
    assert response.status_code == 200
    assert "too large together" in response.content.decode()
    assert decoded == []
    assert not Document.objects.exists()
