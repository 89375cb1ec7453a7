"""Uploaded images: only real JPEG, PNG and WebP; bounded in bytes and pixels before decoding;
turned upright, resized, and written afresh with no metadata."""

from __future__ import annotations

import io

import pytest
from PIL import Image as PilImage

from community.media.images import MAX_IMAGE_BYTES, ImageRefused, prepare_image

ORIENTATION = 0x0112
GPS_INFO = 0x8825


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


def test_a_png_keeps_its_transparency() -> None:
    prepared = prepare_image(encoded(PilImage.new("RGBA", (20, 20), (0, 0, 0, 0)), "PNG"))
    assert PilImage.open(io.BytesIO(prepared.data)).mode == "RGBA"


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


def test_too_many_bytes_are_refused_before_reading() -> None:
    with pytest.raises(ImageRefused, match=r"20\.0 MB: choose one of at most 5 MB"):
        prepare_image(b"\0" * (20 * 1024 * 1024))
    assert MAX_IMAGE_BYTES == 5 * 1024 * 1024
