"""Site-wide behaviour: headers, error pages, body limits, health, flash integrity."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette

from community.accounts.models import Member
from community.text import whole_number
from tests import dates
from tests.conftest import Browser, QueryCounter, open_browser, text_of
from tests.factories import PASSWORD, make_group, make_member, make_thread

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
        assert len(scripts) == 1, scripts  # no inline one
        assert re.fullmatch(r'<script src="/static/js/site\.js\?v=[0-9a-f]{12}" defer>', scripts[0])
        assert "style=" not in page and "<style" not in page


async def test_unknown_page_is_a_styled_404(browser: Browser) -> None:
    response = await browser.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in text_of(response)
    assert re.search(r'<link rel="stylesheet" href="/static/css/site\.css\?v=\w+">', response.text)


async def test_static_files_have_hashed_addresses_kept_for_a_year(browser: Browser) -> None:
    # #22 (Lighthouse): the pages link each file by its content's hash, which may be kept
    # for a year; an address without the current hash must be checked again
    page = (await browser.get("/")).text
    links = re.findall(r'(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]{12})"', page)
    assert {path for path, _ in links} == {
        "/static/css/site.css", "/static/img/favicon.svg", "/static/js/site.js"
    }  # fmt: skip
    for path, digest in links:
        body = await browser.get(f"{path}?v={digest}")
        assert body.status_code == 200
        assert body.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert hashlib.sha256(body.content).hexdigest()[:12] == digest  # the content's own
        for stale in (path, f"{path}?v=000000000000"):
            again = await browser.get(stale)
            assert again.status_code == 200 and again.headers["cache-control"] == "no-cache"
    assert (await browser.get("/static/css/nothing.css?v=1")).status_code == 404


async def test_wrong_method_is_405_not_500(browser: Browser) -> None:
    response = await browser.post("/healthz")
    assert response.status_code == 405


async def test_oversized_body_is_413_with_a_page_that_says_so(browser: Browser) -> None:
    response = await browser.post("/login", {"email": "a@example.org", "password": "x" * 1_100_000})
    assert response.status_code == 413
    assert "too much to send at once" in text_of(response)
    assert response.headers["content-security-policy"]


async def test_an_oversized_body_without_a_length_is_413_too(browser: Browser) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(12):
            yield b"x" * 100_000

    token = (await browser.get("/login")).cookies.get("community_csrf") or ""
    response = await browser.client.post(
        f"/login?csrf_token={token}",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert "too much to send at once" in text_of(response)


async def test_an_oversized_api_body_is_a_json_413(browser: Browser) -> None:
    response = await browser.client.post(
        "/api/v1/auth/tokens", content=b"{" + b" " * 1_100_000 + b"}"
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


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
    # the session with its member (1), the profile (1), its practice areas (1) and
    # recognitions (1), the learning record: events attended (1) and programmes completed (1),
    # the published stories under their name (1)
    assert len(count_queries.queries) == 7, count_queries.queries


async def test_lookups_longer_than_their_column_find_nothing_not_a_500(browser: Browser) -> None:
    owner = await make_member(email="owner@example.org", admin=True)
    group = await make_group(admin=owner)
    long = "a" * 300
    await browser.login("owner@example.org", PASSWORD)
    for path, status in [
        (f"/groups/{long}", 404),
        (f"/groups/{long}/threads", 404),
        (f"/events?group={long}", 200),
        (f"/events/calendar?group={long}", 200),
        (f"/search?q=care&group={long}", 200),
        (f"/search?q=care&author=@{long}", 200),
    ]:
        assert (await browser.get(path)).status_code == status, path
    assert (await browser.post(f"/groups/{long}/join")).status_code == 404
    thread = await make_thread(group, owner)
    moved = await browser.post(f"/threads/{thread.id}/move", {"group": long})
    assert moved.status_code == 404


@pytest.mark.parametrize(
    ("text", "number"),
    [("12", 12), (" 7 ", 7), ("0", 0), ("²", None), ("٣", None), ("\uff11\uff12", None),
     ("-1", None), ("2147483647", 2147483647), ("2147483648", None), ("9" * 400, None),
     ("", None)],
)  # fmt: skip
async def test_whole_numbers_are_ascii_digits_within_the_column(
    text: str, number: int | None
) -> None:
    assert whole_number(text) == number


async def test_a_superscript_capacity_is_a_field_error_not_a_500(browser: Browser) -> None:
    await make_member(email="fac@example.org", admin=True)
    await browser.login("fac@example.org", PASSWORD)
    response = await browser.post(
        "/events",
        {
            "title": "Supervision clinic",
            "kind": "talk",
            "starts_at": dates.field(dates.day(8, "10:00", "UTC")),
            "ends_at": dates.field(dates.day(8, "12:00", "UTC")),
            "time_zone": "UTC",
            "venue": "Hall",
            "capacity": "²",
        },
    )
    assert response.status_code == 422
    assert "Enter the number of seats" in text_of(response)


@pytest.mark.parametrize("query", ["q=a%00b", "q=caf%E9", "group=%C3&kind=talk", "%00=1"])
async def test_page_addresses_with_nul_or_bytes_not_utf8_are_a_400(
    browser: Browser, query: str
) -> None:
    for page in ("/groups", "/events", "/search", "/events/calendar"):
        response = await browser.get(f"{page}?{query}")
        assert response.status_code == 400, page
        assert "Check the link" in text_of(response)


def _nav(response_text: str) -> list[str]:
    found = re.search(r'<nav class="site-nav"[^>]*>(.*?)</nav>', response_text, re.S)
    assert found
    return [" ".join(re.sub(r"<[^>]+>", " ", link).split()) for link in re.findall(
        r"<a [^>]*>(.*?)</a>", found.group(1), re.S)]  # fmt: skip


async def test_navigation_shows_each_features_links_to_whom_they_are_for(app: Starlette) -> None:
    member = await make_member(email="nav@example.org", name="Nadia Vo")
    await Member.filter(id=member.id).update(unread_notifications=3)
    async with open_browser(app) as browser:
        visitor = await browser.get("/groups")
        assert _nav(visitor.text) == [
            "Groups", "Events", "Programmes", "Latest", "Search", "Members", "Stories",
            "Sign in", "Join",
        ]  # fmt: skip
        assert 'href="/groups" aria-current="page"' in visitor.text
        await browser.login("nav@example.org", PASSWORD)
        signed_in = await browser.get("/events")
        assert _nav(signed_in.text) == [
            "Groups", "Events", "Programmes", "Latest", "Search", "Members", "Stories",
            "Invitations",
            "Notifications 3 unread", "Nadia Vo", "Settings",
        ]  # fmt: skip
