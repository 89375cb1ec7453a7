"""Serving stored images: the bytes with their type, cached for good (the address is the hash
of the content), 304 when the browser has them, never sniffed, never compressed again."""

from __future__ import annotations

import io

import pytest
from PIL import Image as PilImage
from starlette.applications import Starlette

from community import urls
from community.media.models import Image
from community.media.service import store_image
from tests.conftest import QueryCounter, open_browser, text_of
from tests.factories import make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def stored_image(kind: str = "PNG") -> Image:
    out = io.BytesIO()
    # noise, so the image is past the gzip middleware's minimum size
    PilImage.effect_noise((120, 90), 60).convert("RGB").save(out, kind)
    return await store_image(actor=await make_member(), data=out.getvalue())


def address(image: Image) -> str:
    return urls.path("media:image", key=image.key, extension=image.extension)


async def test_an_image_is_served_with_its_type_and_cached_for_good(
    app: Starlette, count_queries: QueryCounter
) -> None:
    image = await stored_image()
    assert address(image) == f"/media/{image.key}.png"
    async with open_browser(app) as browser:
        count_queries.queries.clear()
        response = await browser.get(address(image), headers={"Accept-Encoding": "gzip"})
        assert len(count_queries.queries) == 1  # the image; no session for a visitor
    assert response.status_code == 200
    assert response.content == bytes(image.data) and len(response.content) > 500
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["etag"] == f'"{image.key}"'
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-encoding" not in response.headers  # already compressed: not gzipped again


async def test_an_image_the_browser_has_is_304(app: Starlette) -> None:
    image = await stored_image("JPEG")
    async with open_browser(app) as browser:
        for etag in (f'"{image.key}"', f'W/"{image.key}"', f'"other", "{image.key}"'):
            response = await browser.get(address(image), headers={"If-None-Match": etag})
            assert response.status_code == 304 and response.content == b""
            assert response.headers["etag"] == f'"{image.key}"'
            assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        changed = await browser.get(address(image), headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200 and changed.content == bytes(image.data)


async def test_an_unknown_image_or_a_wrong_extension_is_404(app: Starlette) -> None:
    image = await stored_image("JPEG")
    async with open_browser(app) as browser:
        for path in (
            f"/media/{'0' * 64}.jpeg",
            f"/media/{image.key}.png",
            f"/media/{image.key}.jpg",
            f"/media/{image.key}.svg",
            "/media/nothing.jpeg",
        ):
            response = await browser.get(path)
            assert response.status_code == 404, path
            assert "There is no such image." in text_of(response)
            assert response.headers["x-content-type-options"] == "nosniff"
            assert "immutable" not in response.headers.get("cache-control", "")
