"""What search engines are told (#22, Lighthouse SEO): public pages carry a description from
their own content, and every other page asks not to be indexed."""

from __future__ import annotations

import re

import pytest
from starlette.applications import Starlette

from tests.conftest import open_browser
from tests.factories import PASSWORD, add_member, make_event, make_group, make_member, make_thread

pytestmark = pytest.mark.asyncio(loop_scope="session")


def meta(html: str) -> tuple[str | None, bool]:
    """The page's description (None without one) and whether it asks not to be indexed."""
    head = html.split("</head>", 1)[0]
    found = re.search(r'<meta name="description" content="([^"]*)">', head)
    return (found.group(1) if found else None), '<meta name="robots" content="noindex">' in head


async def test_public_pages_describe_themselves_and_the_rest_are_not_indexed(
    app: Starlette,
) -> None:
    facilitator = await make_member(email="fac@example.org", name="Farah Ismail")
    public = await make_group(facilitator=facilitator, name="Open Practice Circle")
    private = await make_group(facilitator=facilitator, name="Closed Circle", visibility="private")
    member = await make_member(email="mem@example.org")
    await add_member(private, member)
    thread = await make_thread(public, facilitator, title="Safety plans that hold")
    secret = await make_thread(private, facilitator, title="A case we cannot share")
    event = await make_event(public, facilitator, title="Reflective practice evening")
    closed_event = await make_event(private, facilitator, title="Closed supervision")
    async with open_browser(app) as visitor, open_browser(app) as browser:
        for path, words in (
            ("/", "communities of practice"),
            ("/groups", "Communities of practice and fellowship groups"),
            (f"/groups/{public.slug}", "Open Practice Circle"),
            (f"/threads/{thread.id}?page=1", "A discussion in Open Practice Circle: Safety plans"),
            (f"/events/{event.id}", "Reflective practice evening"),
            ("/events", "Upcoming talks, workshops"),
        ):
            description, noindex = meta((await visitor.get(path)).text)
            assert description is not None and words in description, (path, description)
            assert not noindex and len(description) <= 200, path
        await browser.login("mem@example.org", PASSWORD)
        for path in (
            f"/groups/{private.slug}",
            f"/threads/{secret.id}?page=1",
            f"/events/{closed_event.id}",
            "/",  # the member's own home
            "/notifications",
            "/settings/profile",
            "/members",
        ):
            response = await browser.get(path)
            assert response.status_code == 200, path
            description, noindex = meta(response.text)
            assert description is None and noindex, (path, description)
        for path in ("/login", "/register"):
            assert meta((await visitor.get(path)).text) == (None, True), path
