"""Storing images at the domain level: kept once per content, refusals naming the form's field
and storing nothing, and the address found again."""

from __future__ import annotations

import asyncio
import hashlib
import io

import pytest
from PIL import Image as PilImage

from community.errors import Invalid, NotFound, PermissionDenied
from community.media.models import Image
from community.media.service import get_image, store_image
from tests.factories import make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


def picture(colour: tuple[int, int, int] = (30, 140, 90), kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    PilImage.new("RGB", (64, 48), colour).save(out, kind)
    return out.getvalue()


async def test_store_image_keeps_the_cleaned_image_under_its_hash(database: None) -> None:
    member = await make_member()
    image = await store_image(actor=member, data=picture())
    stored = await Image.get()
    assert stored.id == image.id and stored.uploaded_by_id == member.id
    assert stored.key == hashlib.sha256(bytes(stored.data)).hexdigest()
    assert (stored.content_type, stored.extension) == ("image/png", "png")
    assert (stored.width, stored.height) == (64, 48)
    assert stored.byte_size == len(bytes(stored.data))


async def test_store_image_twice_keeps_one_row(database: None) -> None:
    first, second = await make_member(), await make_member()
    kept = await store_image(actor=first, data=picture())
    again = await store_image(actor=second, data=picture())
    assert again.id == kept.id and again.uploaded_by_id == first.id
    other = await store_image(actor=second, data=picture((200, 10, 10)))
    assert other.id != kept.id
    assert await Image.all().count() == 2


async def test_store_image_at_once_twice_keeps_one_row(database: None) -> None:
    member = await make_member()
    images = await asyncio.gather(*(store_image(actor=member, data=picture()) for _ in range(4)))
    assert len({image.id for image in images}) == 1
    assert await Image.all().count() == 1


async def test_store_image_refused_names_the_field_and_stores_nothing(database: None) -> None:
    member = await make_member()
    with pytest.raises(Invalid) as refused:
        await store_image(actor=member, data=b"PK\x03\x04" + b"\0" * 200, field="cover")
    assert refused.value.fields == {
        "cover": "Choose a JPEG, PNG or WebP image: this file is not one."
    }
    assert not await Image.exists()


async def test_store_image_by_an_unverified_member_is_refused(database: None) -> None:
    member = await make_member(verified=False)
    with pytest.raises(PermissionDenied, match="verify your email"):
        await store_image(actor=member, data=picture())
    assert not await Image.exists()


async def test_get_image_finds_it_by_key_and_extension(database: None) -> None:
    image = await store_image(actor=await make_member(), data=picture(kind="JPEG"))
    assert (await get_image(image.key, "jpeg")).id == image.id


@pytest.mark.parametrize(
    ("key", "extension"),
    [
        ("0" * 64, "jpeg"),  # no such image
        ("stored", "png"),  # the right image, the wrong type
        ("stored", "gif"),
        ("short", "jpeg"),
    ],
)
async def test_get_image_unknown_is_not_found(database: None, key: str, extension: str) -> None:
    image = await store_image(actor=await make_member(), data=picture(kind="JPEG"))
    with pytest.raises(NotFound):
        await get_image(image.key if key == "stored" else key, extension)
