"""Site-wide behaviour: headers, error pages, body limits, health, flash integrity."""

from __future__ import annotations

import re

import pytest
from starlette.applications import Starlette

from community.accounts.models import Member
from tests.conftest import Browser, QueryCounter, open_browser, text_of
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_pages_carry_security_headers(browser: Browser) -> None:
    response = await browser.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["strict-transport-security"].startswith("max-age=")
    cookie = response.headers["set-cookie"]
    assert "community_csrf=" in cookie and "HttpOnly" in cookie and "Secure" in cookie


async def test_pages_have_no_inline_script_or_style(browser: Browser) -> None:
    for path in ("/", "/register", "/login", "/password/forgot"):
        page = (await browser.get(path)).text
        scripts = re.findall(r"<script[^>]*>", page)
        assert scripts == ['<script src="/static/js/site.js" defer>'], scripts  # no inline one
        assert "style=" not in page and "<style" not in page


async def test_unknown_page_is_a_styled_404(browser: Browser) -> None:
    response = await browser.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in text_of(response)
    assert '<link rel="stylesheet" href="/static/css/site.css">' in response.text


async def test_wrong_method_is_405_not_500(browser: Browser) -> None:
    response = await browser.post("/healthz")
    assert response.status_code == 405


async def test_oversized_body_is_413(browser: Browser) -> None:
    response = await browser.post("/login", {"email": "a@example.org", "password": "x" * 1_100_000})
    assert response.status_code == 413


async def test_nul_bytes_in_forms_are_a_400_and_nothing_is_stored(browser: Browser) -> None:
    response = await browser.post(
        "/register",
        {"email": "nul@example.org", "display_name": "Nu\x00ll", "password": "a fine passphrase"},
    )
    assert response.status_code == 400
    assert "NUL character" in text_of(response) and "Nothing was saved" in text_of(response)
    assert not await Member.filter(email="nul@example.org").exists()


async def test_other_control_characters_in_forms_are_removed(browser: Browser) -> None:
    response = await browser.post(
        "/register",
        {"email": "bel@example.org", "display_name": "Be\x07ll", "password": "a fine passphrase"},
    )
    assert response.status_code == 200
    assert (await Member.get(email="bel@example.org")).display_name == "Bell"


@pytest.mark.parametrize("name", [b"display_name", b"display_%FFname", b"%C3"])
async def test_bytes_that_are_not_utf8_in_a_form_are_a_400(browser: Browser, name: bytes) -> None:
    await browser.get("/register")
    token = browser.client.cookies["community_csrf"].encode()
    body = b"&".join(
        [
            b"csrf_token=" + token,
            b"email=latin1%40example.org",
            b"password=a+fine+passphrase",
            name + b"=Ren%E9e",  # Latin-1, not UTF-8
        ]
    )
    response = await browser.client.post(
        "/register",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert "not UTF-8" in text_of(response)
    assert not await Member.filter(email="latin1@example.org").exists()


async def test_healthz_answers_when_the_database_does(browser: Browser) -> None:
    response = await browser.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_forged_flash_cookie_is_ignored(browser: Browser) -> None:
    browser.client.cookies.set("community_flash", "W3sibWVzc2FnZSI6ICJwd25lZCJ9XQ==.abc")
    response = await browser.get("/")
    assert "pwned" not in response.text


async def test_profile_page_query_count_is_fixed(
    app: Starlette, count_queries: QueryCounter
) -> None:
    member = await make_member(email="q@example.org")
    async with open_browser(app) as browser:
        await browser.login("q@example.org", PASSWORD)
        count_queries.queries.clear()
        response = await browser.get(f"/members/{member.id}")
        assert response.status_code == 200
    # the session with its member (1), the profile (1), the learning record (1)
    assert len(count_queries.queries) == 3, count_queries.queries
