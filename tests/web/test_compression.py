"""Compression and BREACH (#22): answers are gzipped when the client accepts it, the CSRF
token a page shows is masked afresh for every response (and still works), and the pages that
show a lasting secret are never compressed."""

from __future__ import annotations

import re

import pytest
from starlette.applications import Starlette

from community.web.csrf import mask_token, unmask
from tests.conftest import open_browser
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


def shown_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', html))


async def test_pages_are_compressed_but_the_secret_ones(app: Starlette) -> None:
    await make_member(email="zip@example.org")
    async with open_browser(app) as browser:
        await browser.login("zip@example.org", PASSWORD)
        home = await browser.get("/", headers={"accept-encoding": "gzip"})
        assert home.headers["content-encoding"] == "gzip" and "Welcome" in home.text
        raw = await browser.client.get("/", headers={"accept-encoding": "identity"})
        assert "content-encoding" not in raw.headers  # only for clients that accept it
        tiny = await browser.get("/healthz", headers={"accept-encoding": "gzip"})
        assert "content-encoding" not in tiny.headers  # under 500 bytes
        for secret in ("/settings/calendar", "/settings/tokens"):
            page = await browser.get(secret, headers={"accept-encoding": "gzip"})
            assert page.status_code == 200 and "content-encoding" not in page.headers, secret
    async with open_browser(app) as script:  # no session: a script asking for a token
        token = await script.client.post(
            "/api/v1/auth/tokens",
            json={"email": "zip@example.org", "password": PASSWORD, "name": "a script"},
            headers={"accept-encoding": "gzip"},
        )
        assert token.status_code == 201 and "content-encoding" not in token.headers
        # other answers of the API are compressed
        document = await script.client.get(
            "/api/openapi.json",
            headers={"accept-encoding": "gzip"},
        )
        assert document.headers["content-encoding"] == "gzip"


async def test_the_csrf_token_is_masked_afresh_and_still_works(app: Starlette) -> None:
    await make_member(email="mask@example.org", name="Mo Mask")
    async with open_browser(app) as browser, open_browser(app) as other:
        await browser.login("mask@example.org", PASSWORD)
        cookie = browser.client.cookies["community_csrf"]
        first = shown_tokens((await browser.get("/settings/profile")).text)
        second = shown_tokens((await browser.get("/settings/profile")).text)
        assert len(first) == len(second) == 1 and first != second  # never the same bytes
        assert cookie not in (await browser.get("/settings/profile")).text
        assert {unmask(token) for token in first | second} == {cookie}
        for token in first | second:  # each page's masked token is accepted
            saved = await browser.client.post(
                "/settings/profile", data={"csrf_token": token, "display_name": "Mo Mask"}
            )
            assert saved.status_code == 303, saved.text
        # another browser's token, masked or not, is refused
        await other.get("/healthz")
        stranger = mask_token(other.client.cookies["community_csrf"])
        refused = await browser.client.post(
            "/settings/profile", data={"csrf_token": stranger, "display_name": "Mo Mask"}
        )
        assert refused.status_code == 403
        for junk in ("", "not base64 at all!", mask_token(cookie)[:-4], "x" * 200):
            assert unmask(junk) != cookie
