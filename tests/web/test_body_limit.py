"""The body limit's two sizes: the paths that take uploads accept an image of up to 5 MB (with
room for the form around it) and say so when it is more; every other path keeps 1 MB."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from community.errors import DomainError
from community.web.body import BodyLimitMiddleware
from community.web.errors import domain_error_handler
from tests.conftest import Browser, text_of

pytestmark = pytest.mark.asyncio(loop_scope="session")

MB = 1024 * 1024
IMAGE_MESSAGE = "That image is over 5 MB: choose a smaller JPEG, PNG or WebP image."
OTHER_MESSAGE = "That was too much to send at once."


async def received(request: Request) -> JSONResponse:
    return JSONResponse({"received": len(await request.body())})


def limited() -> httpx.AsyncClient:
    """A client of an app that answers with the size of what reached it, behind the limit
    (under /api/, so that refusals are JSON: the site's pages are tested below)."""
    app = Starlette(
        routes=[Route("/{path:path}", received, methods=["POST", "PUT"])],
        middleware=[
            Middleware(
                BodyLimitMiddleware,
                max_bytes=MB,
                upload_bytes=6 * MB,
                upload_paths=[r"/api/things/\d+/picture"],
            )
        ],
        exception_handlers={DomainError: domain_error_handler},  # as the site installs it
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test")


async def chunks(size: int) -> AsyncIterator[bytes]:
    """A body without a Content-Length: the limit must count what it reads."""
    for _ in range(size // (256 * 1024)):
        yield b"\0" * (256 * 1024)


async def test_an_upload_path_takes_more_than_a_megabyte() -> None:
    async with limited() as client:
        response = await client.put("/api/things/7/picture", content=b"\0" * (2 * MB))
        unsized = await client.put("/api/things/7/picture", content=chunks(2 * MB))
    assert response.json() == {"received": 2 * MB}
    assert unsized.json() == {"received": 2 * MB}


async def test_an_upload_path_refuses_too_much_with_the_image_message() -> None:
    async with limited() as client:
        declared = await client.put("/api/things/7/picture", content=b"\0" * (7 * MB))
        unsized = await client.put("/api/things/7/picture", content=chunks(7 * MB))
    for response in (declared, unsized):
        assert response.status_code == 413
        assert response.json()["error"]["message"] == IMAGE_MESSAGE


@pytest.mark.parametrize(
    "path", ["/api/things/7/title", "/api/things/7/picture/more", "/api/x/things/7/picture"]
)
async def test_other_paths_keep_one_megabyte(path: str) -> None:
    async with limited() as client:
        response = await client.post(path, content=b"\0" * (2 * MB))
        unsized = await client.post(path, content=chunks(2 * MB))
        small = await client.post(path, content=b"\0" * 1000)
    for refused in (response, unsized):
        assert refused.status_code == 413
        assert refused.json()["error"]["message"].startswith(OTHER_MESSAGE)
    assert small.json() == {"received": 1000}


async def test_the_site_takes_cover_images_of_up_to_the_upload_limit(browser: Browser) -> None:
    # the stories' cover paths (declared by that feature) reach their handler with 2 MB...
    api = await browser.client.put("/api/v1/stories/1/cover", content=b"\0" * (2 * MB))
    assert api.status_code == 401  # past the limit: refused only for want of a token
    page = await browser.client.post(
        "/stories/1/cover", files={"cover": ("a.jpg", b"\0" * (2 * MB), "image/jpeg")}
    )
    assert page.status_code != 413
    # ...and refuse 7 MB with the image's own message, as JSON and as a page
    api = await browser.client.put("/api/v1/stories/1/cover", content=b"\0" * (7 * MB))
    assert api.status_code == 413
    assert api.json()["error"]["message"] == IMAGE_MESSAGE
    page = await browser.client.post(
        "/stories/1/cover", files={"cover": ("a.jpg", b"\0" * (7 * MB), "image/jpeg")}
    )
    assert page.status_code == 413 and IMAGE_MESSAGE in text_of(page)
    # elsewhere, 2 MB is still too much
    other = await browser.client.post("/login", content=b"\0" * (2 * MB))
    assert other.status_code == 413 and OTHER_MESSAGE in text_of(other)
