"""Checking and re-encoding an uploaded image: only JPEG, PNG and WebP, told apart by their
bytes; the size in bytes and in pixels bounded before any pixel is decoded; turned upright;
resized to fit the page; and written afresh, so no metadata (EXIF, GPS location, comments)
survives. Each keeps its format: a PNG stays a lossless PNG (a diagram, a screenshot), with its
transparency, and a photograph saved as PNG is bounded by the resizing."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
#: the most pixels an upload may declare (a 30,000 x 30,000 image would need 3.6 GB decoded)
MAX_PIXELS = 40_000_000
#: the formats taken, by Pillow's name, and what they are served as
FORMATS = {
    "JPEG": ("image/jpeg", "jpeg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}

NOT_AN_IMAGE = "Choose a JPEG, PNG or WebP image: this file is not one."
TOO_MANY_PIXELS = (
    f"Choose an image of at most {MAX_PIXELS // 1_000_000} million pixels "
    "(such as 6000 \u00d7 6000)."
)
DAMAGED = "That image could not be read: it may be damaged. Choose another."


class ImageRefused(ValueError):
    """Why an upload is not taken, in a sentence for the person who sent it."""


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def prepare_image(data: bytes, *, max_width: int = 1600, max_height: int = 1600) -> PreparedImage:
    """The image as it will be served, or ImageRefused."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRefused(
            f"That image is {len(data) / 1024 / 1024:.1f} MB: choose one of at most 5 MB."
        )
    with warnings.catch_warnings():
        # Pillow warns of a "decompression bomb" past its own limit: ours is checked below
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data), formats=list(FORMATS))
        except UnidentifiedImageError:
            raise ImageRefused(NOT_AN_IMAGE) from None
        # far past Pillow's own limit, and so ours (its warning too, should another thread's
        # catch_warnings have ended while this one ran: the filters are the process's)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRefused(TOO_MANY_PIXELS) from None
        width, height = probe.size
        if width * height > MAX_PIXELS:
            raise ImageRefused(
                f"That image is {width:,} \u00d7 {height:,} pixels. {TOO_MANY_PIXELS}"
            )
        image_format = probe.format or ""
        try:
            probe.verify()
            decoded = Image.open(io.BytesIO(data), formats=[image_format])
            # a JPEG can be decoded at 1/2, 1/4 or 1/8 scale: no smaller than the page needs
            # either way up (it may yet be turned), and several times faster
            longest = max(max_width, max_height)
            decoded.draft(None, (longest, longest))
            decoded.load()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise ImageRefused(DAMAGED) from None
    image: Image.Image = ImageOps.exif_transpose(decoded)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if image_format == "JPEG" or not has_alpha:
        image = image.convert("RGB")
    else:
        image = image.convert("RGBA")
    image.thumbnail((max_width, max_height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if image_format == "JPEG":
        image.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    elif image_format == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=82)
    content_type, extension = FORMATS[image_format]
    return PreparedImage(out.getvalue(), content_type, extension, image.width, image.height)
