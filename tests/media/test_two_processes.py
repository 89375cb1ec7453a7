"""Every web process serves every image: two uvicorn processes on the test database, an image
stored once (as any process would store an upload), fetched whole from each."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import httpx
import pytest
from PIL import Image as PilImage

from community.media.service import store_image
from community.settings import Settings
from tests.factories import make_member
from tests.servers import serve

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_two_web_processes_serve_the_same_image(
    settings: Settings, database: None, tmp_path: Path
) -> None:
    member = await make_member()
    picture = io.BytesIO()
    PilImage.new("RGB", (64, 48), (30, 140, 90)).save(picture, "JPEG")
    image = await store_image(actor=member, data=picture.getvalue(), field="cover")
    path = f"/media/{image.key}.{image.extension}"
    with (
        serve(settings, tmp_path / "a.log") as first,
        serve(settings, tmp_path / "b.log") as second,
    ):
        answers = await asyncio.gather(
            *(asyncio.to_thread(httpx.get, f"{base}{path}", timeout=10) for base in (first, second))
        )
        # what one process called the image's version, the other knows too
        cached = await asyncio.to_thread(
            httpx.get,
            f"{second}{path}",
            headers={"If-None-Match": answers[0].headers["etag"]},
            timeout=10,
        )
    assert cached.status_code == 304
    for answer in answers:
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "image/jpeg"
        assert answer.content == bytes(image.data)
