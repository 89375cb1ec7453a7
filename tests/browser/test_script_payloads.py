"""Script payloads typed into every text field stay inert: shown as text, never run, and no
Content-Security-Policy violation on any page that shows them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Page

from community.accounts import service as accounts
from community.accounts.schemas import ProfileUpdate
from community.events import service as events
from community.events.schemas import EventForm
from community.groups import service as groups
from community.groups.schemas import GroupForm
from tests import dates
from tests.factories import make_member, make_reply, make_thread

pytestmark = pytest.mark.asyncio(loop_scope="session")

PAYLOADS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(2)>",
    "javascript:alert(3)",
    "[click](javascript:alert(4))",
    "'-alert(5)-'",
]


async def test_payloads_in_every_field_stay_inert(page: Page) -> None:
    payload = " ".join(PAYLOADS)
    admin = await make_member(admin=True)
    author = await make_member(email="xss@example.org")
    await accounts.update_profile(
        actor=author,
        form=ProfileUpdate.from_form(
            {
                "display_name": "Eve <script>alert(6)</script>",
                "organisation": payload[:120],
                "bio": payload[:1000],
                "story": payload,
            }
        ),
    )
    group = await groups.create_group(
        actor=admin,
        form=GroupForm.from_form(
            {
                "name": "<b onmouseover=alert(7)>Group</b>"[:100],
                "description": payload,
                "join_policy": "open",
                "visibility": "public",
            }
        ),
        facilitator_id=author.id,
    )
    thread = await make_thread(group, author, title="<img src=x onerror=alert(8)>", body=payload)
    await make_reply(thread, author, payload)
    starts = dates.day(17, "10:00")
    event = await events.create_event(
        actor=author,
        slug=group.slug,
        form=EventForm.from_form(
            {
                "title": "<script>alert(9)</script>",
                "description": payload,
                "starts_at": dates.field(starts),
                "ends_at": dates.field(starts + timedelta(hours=2)),
                "venue": payload[:500],
                "kind": "talk",
            }
        ),
    )
    dialogs: list[str] = []
    violations: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )
    pages = [
        f"/members/{author.id}",
        f"/groups/{group.slug}",
        "/groups",
        f"/groups/{group.slug}/threads",
        f"/threads/{thread.id}",
        f"/events/{event.id}",
        "/events",
        f"/events/calendar?month={dates.month(starts)}",
        "/search?q=alert",
    ]
    for path in pages:
        await page.goto(path)
        await page.mouse.move(200, 200)  # mouse-over handlers, if any had slipped through
        injected = await page.evaluate(
            """() => document.querySelectorAll(
                '[onerror], [onload], [onmouseover], [onclick], img[src="x"], svg, '
                + 'script:not([src]), a[href^="javascript"]').length"""
        )
        assert injected == 0, path
    assert dialogs == [], dialogs
    assert violations == [], violations
    await page.goto(f"/threads/{thread.id}")
    text = await page.inner_text("main")
    assert "<script>alert('x')</script>" in text  # shown as the text that was typed
    scripts = await page.evaluate("document.querySelectorAll('script:not([src])').length")
    assert scripts == 0
    links = await page.evaluate("[...document.querySelectorAll('a[href^=\"javascript\"]')].length")
    assert links == 0
