"""Uploaded images: only real JPEG, PNG and WebP; bounded in bytes and pixels before decoding;
turned upright, resized, and written afresh with no metadata."""

from __future__ import annotations

import io
import time
import zlib
from struct import pack

import pytest
from PIL import Image as PilImage

from community.media.images import MAX_IMAGE_BYTES, ImageRefused, prepare_image

ORIENTATION = 0x0112
GPS_INFO = 0x8825


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares its size and holds one tiny compressed row: a decompression bomb
    in a few bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data))

    header = pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


def encoded(image: PilImage.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def test_a_jpeg_loses_its_exif_and_gps() -> None:
    exif = PilImage.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_INFO] = {1: "N", 2: (1.0, 21.0, 0.0), 3: "E", 4: (103.0, 49.0, 0.0)}
    data = encoded(PilImage.new("RGB", (300, 200), (9, 99, 199)), "JPEG", exif=exif)
    assert PilImage.open(io.BytesIO(data)).getexif()  # it had some
    prepared = prepare_image(data)
    kept = PilImage.open(io.BytesIO(prepared.data))
    assert prepared.content_type == "image/jpeg" and prepared.extension == "jpeg"
    assert not kept.getexif() and "exif" not in kept.info and "icc_profile" not in kept.info
    assert (prepared.width, prepared.height) == (300, 200)


def test_a_sideways_photo_is_turned_upright() -> None:
    exif = PilImage.Exif()
    exif[ORIENTATION] = 6  # taken with the phone on its side: turn 90 degrees
    data = encoded(PilImage.new("RGB", (400, 100)), "JPEG", exif=exif)
    prepared = prepare_image(data)
    assert (prepared.width, prepared.height) == (100, 400)


def test_a_big_image_is_resized_to_fit_and_a_small_one_kept() -> None:
    big = prepare_image(encoded(PilImage.new("RGB", (4000, 1000)), "PNG"))
    assert (big.width, big.height) == (1600, 400)
    small = prepare_image(encoded(PilImage.new("RGB", (50, 40)), "WEBP"))
    assert (small.width, small.height, small.content_type) == (50, 40, "image/webp")


def test_a_big_jpeg_is_resized_to_fit_exactly() -> None:
    # decoded at a reduced scale first (draft): still no smaller than the box
    photo = PilImage.linear_gradient("L").resize((6000, 3000)).convert("RGB")
    prepared = prepare_image(encoded(photo, "JPEG", quality=85))
    assert (prepared.width, prepared.height) == (1600, 800)
    assert PilImage.open(io.BytesIO(prepared.data)).size == (1600, 800)


def test_a_png_keeps_its_transparency() -> None:
    prepared = prepare_image(encoded(PilImage.new("RGBA", (20, 20), (0, 0, 0, 0)), "PNG"))
    assert PilImage.open(io.BytesIO(prepared.data)).mode == "RGBA"
    assert prepared.content_type == "image/png"


def test_a_webp_keeps_its_transparency() -> None:
    prepared = prepare_image(encoded(PilImage.new("RGBA", (20, 20), (0, 0, 0, 0)), "WEBP"))
    assert PilImage.open(io.BytesIO(prepared.data)).mode == "RGBA"
    assert prepared.content_type == "image/webp"


def test_a_png_without_transparency_and_a_grey_jpeg_become_rgb() -> None:
    palette = prepare_image(encoded(PilImage.new("P", (20, 20)), "PNG"))
    assert PilImage.open(io.BytesIO(palette.data)).mode == "RGB"
    grey = prepare_image(encoded(PilImage.new("L", (20, 20)), "JPEG"))
    assert PilImage.open(io.BytesIO(grey.data)).mode == "RGB"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04" + b"\0" * 500, "this file is not one"),  # a zip, whatever its name
        (b"Dear diary, this is text.", "this file is not one"),
        (b"GIF89a" + b"\0" * 50, "this file is not one"),  # GIF is not taken
    ],
)
def test_what_is_not_an_image_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(ImageRefused, match=message):
        prepare_image(data)


def test_a_truncated_jpeg_is_refused() -> None:
    whole = encoded(PilImage.effect_noise((200, 200), 50).convert("RGB"), "JPEG")
    with pytest.raises(ImageRefused, match="could not be read"):
        prepare_image(whole[: len(whole) // 2])


@pytest.mark.parametrize(
    ("side", "message"),
    [
        # within Pillow's own limit, past ours
        (9_000, "That image is 9,000 \u00d7 9,000 pixels. Choose an image of at most 40 million"),
        # past Pillow's warning (89 million pixels), not its error
        (10_000, "That image is 10,000 \u00d7 10,000 pixels."),
        # past Pillow's error: 2.7 GB once decoded
        (30_000, "Choose an image of at most 40 million pixels"),
    ],
)
def test_too_many_pixels_are_refused_before_decoding(side: int, message: str) -> None:
    bomb = png_header(side, side)
    assert len(bomb) < 100
    started = time.perf_counter()
    with pytest.raises(ImageRefused, match=message):
        prepare_image(bomb)
    assert time.perf_counter() - started < 0.5  # decoding would take seconds and gigabytes


def test_too_many_bytes_are_refused_before_reading() -> None:
    with pytest.raises(ImageRefused, match=r"20\.0 MB: choose one of at most 5 MB"):
        prepare_image(b"\0" * (20 * 1024 * 1024))
    assert MAX_IMAGE_BYTES == 5 * 1024 * 1024
