"""Storing uploaded images in the database, and finding them to serve."""

from __future__ import annotations

import asyncio
import hashlib
import logging

from tortoise.exceptions import IntegrityError

from community import clock
from community.accounts.access import ensure_verified
from community.accounts.models import Member
from community.errors import Invalid, NotFound
from community.media.images import FORMATS, ImageRefused, prepare_image
from community.media.models import Image

logger = logging.getLogger(__name__)

EXTENSIONS = {extension for _, extension in FORMATS.values()}


async def store_image(*, actor: Member, data: bytes, field: str = "image") -> Image:
    """Check, clean and keep an uploaded image; the same image twice is kept once.
    Invalid names `field` with what is wrong."""
    ensure_verified(actor)
    try:
        # up to a second of decoding and resizing: in a thread, so the process's other
        # requests are not kept waiting
        prepared = await asyncio.to_thread(prepare_image, data)
    except ImageRefused as exc:
        raise Invalid(**{field: str(exc)}) from None
    key = hashlib.sha256(prepared.data).hexdigest()
    try:
        image = await Image.create(
            key=key,
            content_type=prepared.content_type,
            width=prepared.width,
            height=prepared.height,
            data=prepared.data,
            byte_size=len(prepared.data),
            uploaded_by_id=actor.id,
            created_at=clock.now(),
        )
    except IntegrityError:  # the same bytes were kept already
        return await Image.get(key=key)
    logger.info("Member %s uploaded image %s", actor.id, image.id)
    return image


async def get_image(key: str, extension: str) -> Image:
    """The image at that address, or NotFound."""
    if extension not in EXTENSIONS or len(key) != 64:
        raise NotFound("There is no such image.")
    image = await Image.filter(key=key).first()
    if image is None or image.content_type.split("/")[-1] != extension:
        raise NotFound("There is no such image.")
    return image
