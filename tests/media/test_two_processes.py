"""Every web process serves every image: two uvicorn processes on the test database, an image
stored once (as any process would store an upload), fetched whole from each."""

from __future__ import annotations

import asyncio
import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from PIL import Image as PilImage

from community.media.service import store_image
from community.settings import Settings
from tests.conftest import DATABASE_URL
from tests.factories import make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _site(settings: Settings, log: Path) -> Iterator[str]:
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "SECRET_KEY": settings.secret_key,
        "BASE_URL": base_url,
        "EMAIL_BACKEND": "console",
    }
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603  # our own command line
            [sys.executable, "-m", "uvicorn", "community.app:app", "--port", str(port),
             "--no-access-log"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the site did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)


async def test_two_web_processes_serve_the_same_image(
    settings: Settings, database: None, tmp_path: Path
) -> None:
    member = await make_member()
    picture = io.BytesIO()
    PilImage.new("RGB", (64, 48), (30, 140, 90)).save(picture, "JPEG")
    image = await store_image(actor=member, data=picture.getvalue(), field="cover")
    path = f"/media/{image.key}.{image.extension}"
    with (
        _site(settings, tmp_path / "a.log") as first,
        _site(settings, tmp_path / "b.log") as second,
    ):
        answers = await asyncio.gather(
            *(asyncio.to_thread(httpx.get, f"{base}{path}", timeout=10) for base in (first, second))
        )
    for answer in answers:
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "image/jpeg"
        assert answer.content == bytes(image.data)
